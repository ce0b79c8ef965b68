package dev.ecrpush.step;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import dev.ecrpush.aws.Arn;

/** Reads connector definitions in their YAML shape (AWS and Docker registry). */
final class ConnectorParser {
    private static final Set<String> ENTRY = Set.of("type", "spec", "name", "identifier", "description", "tags",
            "orgIdentifier", "projectIdentifier");
    private static final Set<String> AWS_SPEC = Set.of("credential", "delegateSelectors", "executeOnDelegate");
    private static final Set<String> CREDENTIAL = Set.of("type", "spec", "crossAccountAccess", "region");
    private static final Set<String> MANUAL = Set.of("accessKey", "accessKeyRef", "secretKeyRef", "sessionTokenRef");
    private static final Set<String> SELECTORS = Set.of("delegateSelectors");
    private static final Set<String> OIDC = Set.of("iamRoleArn");
    private static final Set<String> CROSS_ACCOUNT = Set.of("crossAccountRoleArn", "externalId");
    private static final Set<String> DOCKER_SPEC = Set.of("dockerRegistryUrl", "providerType", "auth",
            "delegateSelectors", "executeOnDelegate");
    private static final Set<String> DOCKER_AUTH = Set.of("type", "spec");
    private static final Set<String> USER_PASSWORD = Set.of("username", "usernameRef", "passwordRef");
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("[A-Z0-9]{8,128}");
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");
    /** An AWS secret access key pasted where its reference belongs. */
    private static final Pattern RAW_SECRET_KEY = Pattern.compile("[A-Za-z0-9/+]{40}");

    private ConnectorParser() {
    }

    /** The AWS connector at {@code path}, or null with the problems recorded. */
    static AwsConnector aws(String ref, Fields entry) {
        Fields spec = entryOfType(entry, "Aws");
        if (spec == null) {
            return null;
        }
        spec.allowOnly(AWS_SPEC, Set.of());
        List<String> connectorSelectors = spec.textList("delegateSelectors", true);
        Fields credential = spec.object("credential", true);
        if (credential == null) {
            return null;
        }
        credential.allowOnly(CREDENTIAL, Set.of());
        String type = credential.requiredText("type");
        if (type == null) {
            return null;
        }
        AwsCredential parsed = switch (type) {
            case "ManualConfig" -> manual(credential.object("spec", true));
            case "InheritFromDelegate", "Irsa" -> delegate(type, credential, spec, connectorSelectors);
            case "OidcAuthentication" -> oidc(credential);
            default -> {
                credential.problems().error(credential.path("type"),
                        Rules.quoted(type) + " is not an AWS credential type (ManualConfig, InheritFromDelegate, Irsa,"
                                + " OidcAuthentication)");
                yield null;
            }
        };
        AwsConnector.CrossAccount crossAccount = crossAccount(credential.object("crossAccountAccess", false));
        if (parsed instanceof AwsCredential.Oidc && credential.has("crossAccountAccess")) {
            credential.problems().error(credential.path("crossAccountAccess"),
                    "cannot be combined with OidcAuthentication: no plugin can assume a second role after web identity;"
                            + " give the OIDC connector the target account's role as iamRoleArn");
        }
        return parsed == null ? null : new AwsConnector(ref, parsed, crossAccount);
    }

    /** The Docker registry connector, or null with the problems recorded. */
    static DockerConnector docker(String ref, Fields entry) {
        Fields spec = entryOfType(entry, "DockerRegistry");
        if (spec == null) {
            return null;
        }
        spec.allowOnly(DOCKER_SPEC, Set.of());
        String url = spec.requiredText("dockerRegistryUrl");
        if (url != null && !url.matches("https?://[^\\s,;]+")) {
            spec.problems().error(spec.path("dockerRegistryUrl"), "must be an http(s) URL");
            url = null;
        }
        spec.optionalText("providerType");
        Fields auth = spec.object("auth", false);
        DockerConnector.Auth parsedAuth = new DockerConnector.Auth.Anonymous();
        if (auth != null) {
            auth.allowOnly(DOCKER_AUTH, Set.of());
            String type = auth.requiredText("type");
            if ("UsernamePassword".equals(type)) {
                parsedAuth = usernamePassword(auth.object("spec", true));
            } else if (type != null && !type.equals("Anonymous")) {
                auth.problems().error(auth.path("type"), "must be UsernamePassword or Anonymous");
            }
        }
        return url == null || parsedAuth == null ? null : new DockerConnector(ref, url, parsedAuth);
    }

    /** The connector's {@code spec} when the entry is of {@code expectedType}. */
    private static Fields entryOfType(Fields entry, String expectedType) {
        entry.allowOnly(ENTRY, Set.of());
        String type = entry.requiredText("type");
        if (type != null && !type.equals(expectedType)) {
            entry.problems().error(entry.path("type"), "must be " + expectedType + ", not " + Rules.quoted(type));
            return null;
        }
        return entry.object("spec", true);
    }

    private static AwsCredential manual(Fields spec) {
        if (spec == null) {
            return null;
        }
        spec.allowOnly(MANUAL, Set.of());
        AwsCredential.Value accessKey = null;
        if (spec.has("accessKey") == spec.has("accessKeyRef")) {
            spec.problems().error(spec.path("accessKey"), "give exactly one of accessKey and accessKeyRef");
        } else if (spec.has("accessKey")) {
            String id = spec.requiredText("accessKey");
            if (id != null && !ACCESS_KEY_ID.matcher(id).matches()) {
                spec.problems().error(spec.path("accessKey"), "is not an access key ID (uppercase letters and digits)");
            } else if (id != null) {
                accessKey = new AwsCredential.Value.Plain(id);
            }
        } else {
            SecretRef ref = secretRef(spec, "accessKeyRef", true);
            accessKey = ref == null ? null : new AwsCredential.Value.Secret(ref);
        }
        SecretRef secretKey = secretRef(spec, "secretKeyRef", true);
        SecretRef sessionToken = secretRef(spec, "sessionTokenRef", false);
        return accessKey != null && secretKey != null ? new AwsCredential.Manual(accessKey, secretKey, sessionToken) : null;
    }

    private static AwsCredential delegate(String type, Fields credential, Fields connectorSpec, List<String> connectorSelectors) {
        Set<String> selectors = new LinkedHashSet<>(connectorSelectors);
        Fields spec = credential.object("spec", false);
        if (spec != null) {
            spec.allowOnly(SELECTORS, Set.of());
            selectors.addAll(spec.textList("delegateSelectors", true));
        }
        if (selectors.isEmpty()) {
            connectorSpec.problems().error(connectorSpec.path("delegateSelectors"),
                    "must name at least one delegate selector for " + type + ", as the connector validation requires");
            return null;
        }
        List<String> list = new ArrayList<>(selectors);
        return type.equals("Irsa") ? new AwsCredential.Irsa(list) : new AwsCredential.InheritFromDelegate(list);
    }

    private static AwsCredential oidc(Fields credential) {
        Fields spec = credential.object("spec", true);
        if (spec == null) {
            return null;
        }
        spec.allowOnly(OIDC, Set.of());
        String role = spec.requiredText("iamRoleArn");
        if (role != null && Arn.role(role) == null) {
            spec.problems().error(spec.path("iamRoleArn"), Rules.quoted(role) + " is not an IAM role ARN");
            return null;
        }
        return role == null ? null : new AwsCredential.Oidc(role);
    }

    private static AwsConnector.CrossAccount crossAccount(Fields cross) {
        if (cross == null) {
            return null;
        }
        cross.allowOnly(CROSS_ACCOUNT, Set.of());
        String role = cross.requiredText("crossAccountRoleArn");
        if (role != null && Arn.role(role) == null) {
            cross.problems().error(cross.path("crossAccountRoleArn"), Rules.quoted(role) + " is not an IAM role ARN");
            role = null;
        }
        String externalId = cross.optionalText("externalId");
        if (externalId != null && !EXTERNAL_ID.matcher(externalId).matches()) {
            cross.problems().error(cross.path("externalId"), "must be 2 to 1224 characters of letters, digits and +=,.@:/-");
        }
        return role == null ? null : new AwsConnector.CrossAccount(role, externalId);
    }

    private static DockerConnector.Auth usernamePassword(Fields spec) {
        if (spec == null) {
            return null;
        }
        spec.allowOnly(USER_PASSWORD, Set.of());
        AwsCredential.Value username = null;
        if (spec.has("username") == spec.has("usernameRef")) {
            spec.problems().error(spec.path("username"), "give exactly one of username and usernameRef");
        } else if (spec.has("username")) {
            String name = spec.requiredText("username");
            username = name == null ? null : new AwsCredential.Value.Plain(name);
        } else {
            SecretRef ref = secretRef(spec, "usernameRef", true);
            username = ref == null ? null : new AwsCredential.Value.Secret(ref);
        }
        SecretRef password = secretRef(spec, "passwordRef", true);
        return username == null || password == null ? null : new DockerConnector.Auth.UsernamePassword(username, password);
    }

    /** A secret reference field. Errors never quote the value: it may be the secret itself, pasted by mistake. */
    static SecretRef secretRef(Fields fields, String field, boolean required) {
        String text = required ? fields.requiredText(field) : fields.optionalText(field);
        if (text == null) {
            return null;
        }
        String at = fields.path(field);
        if (RAW_SECRET_KEY.matcher(text).matches()) {
            fields.problems().error(at, "looks like a secret access key itself, not a reference to one;"
                    + " store the key in Secrets Manager or SSM and give its ARN, name or ssm:/path");
            return null;
        }
        return SecretRef.parse(text, at, fields.problems());
    }
}
