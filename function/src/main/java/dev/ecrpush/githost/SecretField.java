package dev.ecrpush.githost;

import java.util.regex.Pattern;

/**
 * One secret a Git host checks its deliveries with, as it is kept: a key of the webhook secret's JSON object
 * (the Secrets Manager secret {@code buildpush.webhooks.secret-id}) and, for a local run without that secret, a
 * configuration key ({@code BUILDPUSH_WEBHOOKS_...} in the environment).
 *
 * @param key       the JSON key, e.g. {@code gitlabSigningToken}
 * @param configKey the configuration key, e.g. {@code buildpush.webhooks.gitlab-signing-token}
 */
public record SecretField(String key, String configKey) {
    /** Every configuration key of a webhook secret starts with this. */
    public static final String CONFIG_PREFIX = "buildpush.webhooks.";
    private static final Pattern KEY = Pattern.compile("[a-z][A-Za-z0-9]*");
    private static final Pattern CONFIG_KEY = Pattern.compile(Pattern.quote(CONFIG_PREFIX) + "[a-z][a-z0-9]*(-[a-z0-9]+)*");

    public SecretField {
        // Both end up in documentation, an environment variable name and a JSON document the operator edits.
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("a webhook secret's JSON key must be a camelCase word: " + key);
        }
        if (configKey == null || !CONFIG_KEY.matcher(configKey).matches()) {
            throw new IllegalArgumentException("a webhook secret's configuration key must be " + CONFIG_PREFIX
                    + "<kebab-case>: " + configKey);
        }
    }
}
