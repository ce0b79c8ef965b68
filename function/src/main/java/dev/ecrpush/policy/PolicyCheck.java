package dev.ecrpush.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.ecrpush.aws.Arn;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.step.AwsConnector;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.DockerConnector;
import dev.ecrpush.step.DockerSecret;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.Mode;
import dev.ecrpush.step.Rules;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * The one place that decides whether a parsed payload may have what it names: the target account, every role its
 * connector would assume (and that role's account), every secret reference it hands to a build or has the function
 * read, the registry a Docker connector logs in to, the Git host the build clones from. It runs on every payload
 * after parsing and before anything else, so that no AWS call, and no cache filled by an earlier payload (credentials,
 * known repositories), is ever reached with a value the policy refuses.
 *
 * <p>Every refusal is collected, each naming its field, into one {@link NotAllowedException}. {@code mode: plan}
 * makes no AWS call and starts nothing, so there the refusals are warnings instead: a plan shows what run would
 * refuse, and a local plan works without a policy. The deployer's external ID of a cross-account role's account
 * replaces the payload's (which may only repeat it).
 */
public final class PolicyCheck {
    private PolicyCheck() {
    }

    /**
     * The payload to plan: {@code step} with the configured external ID in place, and in plan mode the refusals as
     * warnings.
     *
     * @param connectorPath where a connector ({@code ref}) was read from, e.g. {@code connectors.aws}
     * @throws NotAllowedException listing every refusal, one per line, unless in plan mode
     */
    public static StepPayload apply(StepPayload step, Policy policy, Function<String, String> connectorPath) {
        Check check = new Check(policy);
        EcrSpec spec = step.step().spec();
        check.account("step.spec.account", spec.account());
        AwsConnector connector = check.aws(step.connector(), connectorPath.apply(step.connector().ref()));
        if (step.baseImageConnector() != null) {
            check.docker(step.baseImageConnector(), connectorPath.apply(step.baseImageConnector().ref()));
        }
        check.dockerSecrets("step.spec.envDockerSecrets", spec.envDockerSecrets());
        check.dockerSecrets("step.spec.fileDockerSecrets", spec.fileDockerSecrets());
        if (step.codebase().repoUrl() != null) {
            check.host("codebase.repoUrl", step.codebase().repoUrl(), policy.repoHosts(), "a Git host this function may build from");
        }
        List<Warning> warnings = new ArrayList<>(step.warnings());
        if (!check.refusals.isEmpty()) {
            if (step.mode() != Mode.PLAN) {
                throw new NotAllowedException(check.refusals.stream().map(Refusal::toString).toList());
            }
            check.refusals.forEach(r -> warnings.add(new Warning(r.path(), r.message() + "; run and preflight refuse it")));
        }
        return new StepPayload(step.mode(), step.idempotencyKey(), step.infra(), step.executor(), step.codebase(), step.oidcToken(),
                step.taskToken(), step.step(), connector, step.baseImageConnector(), warnings,
                step.contentHash());
    }

    /** One field the policy refuses, and why. */
    private record Refusal(String path, String message) {
        @Override
        public String toString() {
            return path + ": " + message;
        }
    }

    /** The refusals of one payload, in the order of its fields. */
    private static final class Check {
        private final Policy policy;
        private final List<Refusal> refusals = new ArrayList<>();

        Check(Policy policy) {
            this.policy = policy;
        }

        private void refuse(String path, String message) {
            refusals.add(new Refusal(path, message));
        }

        void account(String path, String account) {
            Allowlist refusing = policy.targetAccounts().refusing(list -> list.permits(account));
            if (refusing != null) {
                refuse(path, account + " is not an account this function may push to (" + refusing.source() + ")");
            }
        }

        /** The connector's secrets and roles; the connector with the configured external ID, if any, in place. */
        AwsConnector aws(AwsConnector connector, String at) {
            String credential = at + ".spec.credential";
            if (connector.credential() instanceof AwsCredential.Manual manual) {
                if (manual.accessKey() instanceof AwsCredential.Value.Secret secret) {
                    secret(credential + ".spec.accessKeyRef", secret.ref());
                }
                secret(credential + ".spec.secretKeyRef", manual.secretKey());
                if (manual.sessionToken() != null) {
                    secret(credential + ".spec.sessionTokenRef", manual.sessionToken());
                }
            } else if (connector.credential() instanceof AwsCredential.Oidc oidc) {
                role(credential + ".spec.iamRoleArn", oidc.iamRoleArn());
            }
            AwsConnector.CrossAccount cross = connector.crossAccount();
            if (cross == null) {
                return connector;
            }
            String roleAccount = role(credential + ".crossAccountAccess.crossAccountRoleArn", cross.roleArn());
            String configured = roleAccount == null ? null : policy.externalIds().get(roleAccount);
            if (configured == null) {
                return connector;
            }
            if (cross.externalId() != null && !sameText(cross.externalId(), configured)) {
                // Neither ID is quoted: the configured one is the deployer's, and the payload's is compared with it.
                refuse(credential + ".crossAccountAccess.externalId", "is not the external ID configured for account " + roleAccount
                        + " (" + Policy.EXTERNAL_IDS + "); leave it out and the configured one is used");
            }
            return new AwsConnector(connector.ref(), connector.credential(), new AwsConnector.CrossAccount(cross.roleArn(), configured));
        }

        /** A role the connector assumes, and its account; returns the account (null when the ARN is none). */
        private String role(String path, String roleArn) {
            Allowlist refusing = policy.roleArns().refusing(list -> list.permits(roleArn));
            if (refusing != null) {
                refuse(path, "\"" + Rules.printable(roleArn) + "\" is not a role this function may assume (" + refusing.source() + ")");
            }
            Arn arn = Arn.role(roleArn);
            if (arn == null) {
                return null;
            }
            Allowlist accounts = policy.targetAccounts().refusing(list -> list.permits(arn.account()));
            if (accounts != null) {
                refuse(path, "the role's account " + arn.account() + " is not an account this function may push to ("
                        + accounts.source() + ")");
            }
            return arn.account();
        }

        void docker(DockerConnector connector, String at) {
            host(at + ".spec.dockerRegistryUrl", connector.registryUrl(), policy.registries(), "a registry this function may use");
            if (connector.auth() instanceof DockerConnector.Auth.UsernamePassword auth) {
                if (auth.username() instanceof AwsCredential.Value.Secret secret) {
                    secret(at + ".spec.auth.spec.usernameRef", secret.ref());
                }
                secret(at + ".spec.auth.spec.passwordRef", auth.password());
            }
        }

        void dockerSecrets(String at, List<DockerSecret> secrets) {
            for (DockerSecret secret : secrets) {
                if (secret.source() instanceof DockerSecret.Source.Reference reference) {
                    secret(at + "." + secret.id(), reference.ref());
                }
            }
        }

        /** The reference is never quoted: a value pasted where its reference belongs would be the secret itself. */
        void secret(String path, SecretRef ref) {
            String owner = policy.ownSecrets().owner(ref);
            if (owner != null) {
                refuse(path, "names " + owner + ", which belongs to this function's stack: no payload may name it");
                return;
            }
            if (!plainPath(ref)) {
                refuse(path, "is not a plain reference: a name or path has no empty, . or .. parts");
                return;
            }
            Allowlist refusing = policy.secretRefs().refusing(list -> list.permits(ref.value()));
            if (refusing != null) {
                refuse(path, "is not a secret reference this function may use (" + refusing.source() + ")");
            }
        }

        void host(String path, String url, Policy.Rule rule, String what) {
            HostRule.Read read = HostRule.read(url);
            if (read instanceof HostRule.Read.Refused refused) {
                refuse(path, refused.problem());
                return;
            }
            HostRule.Host host = ((HostRule.Read.Allowable) read).host();
            Allowlist refusing = rule.refusing(list -> HostRule.permits(list, host));
            if (refusing != null) {
                refuse(path, Rules.printable(host.value()) + " is not " + what + " (" + refusing.source() + ")");
            }
        }
    }

    /** No empty, {@code .} or {@code ..} part in the secret's name or the parameter's path. */
    private static boolean plainPath(SecretRef ref) {
        String name;
        if (ref.store() == SecretRef.Store.PARAMETER_STORE) {
            name = ref.value().substring("ssm:/".length());
        } else {
            Arn arn = Arn.parse(ref.value());
            name = arn != null ? arn.resource().substring("secret:".length()) : ref.value();
            int colon = name.indexOf(':');
            name = colon < 0 ? name : name.substring(0, colon);
        }
        for (String part : name.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }

    /** Compared in constant time: one ID is the deployer's. */
    private static boolean sameText(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
