package dev.ecrpush.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.ecrpush.aws.Arn;
import dev.ecrpush.step.SecretRef;

/**
 * The stack's own secrets and parameters, which no payload may name whatever {@code buildpush.policy.secret-refs}
 * says: the webhook secret, the trigger set, the stashed OIDC tokens, the ECS Git token, the Git hosts' API tokens
 * ({@code buildpush.githosts.<host>.token-ref}), and everything named under
 * the stack's resource prefix ({@code PREFIX/...} secrets, {@code /PREFIX/...} parameters). A build given one of
 * them would hand its value to whatever the payload points it at.
 *
 * <p>References are compared as AWS would resolve them, leniently, so that a spelling AWS reads as the same secret
 * cannot slip past: without case, a Secrets Manager name with or without the 6-character suffix of its ARN, by name
 * or by ARN (whatever account or region the ARN names), a parameter with or without its leading {@code /}, and a
 * secret reached through SSM ({@code ssm:/aws/reference/secretsmanager/NAME}).
 */
record OwnSecrets(List<Entry> entries) {
    private static final String SSM_SECRET_REFERENCE = "/aws/reference/secretsmanager/";

    OwnSecrets {
        entries = List.copyOf(entries);
    }

    /**
     * One secret or parameter of the stack, or all those under a prefix.
     *
     * @param name normalised: lower case; a parameter without its leading {@code /}
     * @param what what it is, for the message ({@code the webhook secret (buildpush.webhooks.secret-id)})
     */
    record Entry(Store store, String name, boolean prefix, String what) {
        boolean covers(Store store, String candidate) {
            return this.store == store && (prefix ? candidate.startsWith(name) : candidate.equals(name));
        }
    }

    enum Store { SECRET, PARAMETER }

    /** Collects the entries; a reference that is not set (null) adds none. */
    static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        /** A reference as configured: a secret's name or ARN, or {@code ssm:/path}. */
        Builder reference(String reference, String what) {
            if (reference == null || reference.isBlank()) {
                return this;
            }
            if (reference.startsWith("ssm:")) {
                entries.add(parameterOrSecret(reference.substring("ssm:".length()), what));
            } else {
                String name = secretName(reference);
                entries.add(new Entry(Store.SECRET, name, false, what));
                // The stack passes the full ARN, whose name ends in Secrets Manager's suffix; the name alone reaches it too.
                entries.add(new Entry(Store.SECRET, withoutSuffix(name), false, what));
            }
            return this;
        }

        /** A parameter name as configured ({@code /ecr-build-push/triggers}). */
        Builder parameter(String name, String what) {
            if (name != null && !name.isBlank()) {
                entries.add(parameterOrSecret(name, what));
            }
            return this;
        }

        Builder parameterPrefix(String prefix, String what) {
            if (prefix != null && !prefix.isBlank()) {
                entries.add(new Entry(Store.PARAMETER, parameterName(prefix), true, what));
            }
            return this;
        }

        Builder secretPrefix(String prefix, String what) {
            if (prefix != null && !prefix.isBlank()) {
                entries.add(new Entry(Store.SECRET, prefix.toLowerCase(Locale.ROOT), true, what));
            }
            return this;
        }

        OwnSecrets build() {
            return new OwnSecrets(entries);
        }
    }

    /** What of the stack's {@code ref} names (for the message), or null when it names none of them. */
    String owner(SecretRef ref) {
        String text = ref.value();
        Entry named = text.startsWith("ssm:")
                ? parameterOrSecret(text.substring("ssm:".length()), null)
                : new Entry(Store.SECRET, secretName(text), false, null);
        List<String> candidates = new ArrayList<>(List.of(named.name()));
        if (named.store() == Store.SECRET) {
            candidates.add(withoutSuffix(named.name()));
        }
        for (Entry entry : entries) {
            for (String candidate : candidates) {
                if (entry.covers(named.store(), candidate)) {
                    return entry.what();
                }
            }
        }
        return null;
    }

    /** An ARN's secret name ends in -XXXXXX, which Secrets Manager added; a partial ARN or a name leaves it out. */
    private static String withoutSuffix(String name) {
        return name.replaceFirst("-[a-z0-9]{6}$", "");
    }

    /** A parameter path, or the secret an SSM reference to Secrets Manager reads. */
    private static Entry parameterOrSecret(String path, String what) {
        String name = parameterName(path);
        if (name.startsWith(SSM_SECRET_REFERENCE.substring(1))) {
            return new Entry(Store.SECRET, secretName(name.substring(SSM_SECRET_REFERENCE.length() - 1)), false, what);
        }
        return new Entry(Store.PARAMETER, name, false, what);
    }

    /** Lower case, without the leading {@code /} and with runs of {@code /} as one. */
    private static String parameterName(String path) {
        return path.toLowerCase(Locale.ROOT).replaceAll("/{2,}", "/").replaceFirst("^/", "");
    }

    /** The secret's name: an ARN's after {@code secret:}, then without a {@code :json-key...} suffix; lower case. */
    private static String secretName(String reference) {
        String name = reference;
        Arn arn = Arn.parse(reference);
        if (arn != null && arn.resource().startsWith("secret:")) {
            name = arn.resource().substring("secret:".length());
        }
        int colon = name.indexOf(':');
        return (colon < 0 ? name : name.substring(0, colon)).toLowerCase(Locale.ROOT);
    }
}
