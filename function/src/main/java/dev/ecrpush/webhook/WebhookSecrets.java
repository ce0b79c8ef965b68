package dev.ecrpush.webhook;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.step.SecretText;

/**
 * The secrets deliveries are checked with, per provider; any may be null, and a provider without one has every
 * delivery refused. Values never print themselves ({@link SecretText}).
 *
 * @param gitlab             GitLab's secret token, compared with {@code X-Gitlab-Token}
 * @param gitlabSigningToken GitLab's signing token ({@code whsec_<base64>}) for the Standard Webhooks signature
 */
public record WebhookSecrets(SecretText github, SecretText gitlab, SecretText gitlabSigningToken, SecretText bitbucket) {
    public static final WebhookSecrets NONE = new WebhookSecrets(null, null, null, null);

    /** The secret's keys, as documented: {@code github}, {@code gitlab}, {@code gitlabSigningToken}, {@code bitbucket}. */
    public static WebhookSecrets fromJson(JsonNode secret) {
        return new WebhookSecrets(text(secret, "github"), text(secret, "gitlab"), text(secret, "gitlabSigningToken"),
                text(secret, "bitbucket"));
    }

    /** Whether anything at all is configured for {@code provider}. */
    public boolean hasAny(Provider provider) {
        return switch (provider) {
            case GITHUB -> github != null;
            case GITLAB -> gitlab != null || gitlabSigningToken != null;
            case BITBUCKET -> bitbucket != null;
        };
    }

    private static SecretText text(JsonNode secret, String key) {
        JsonNode value = secret.path(key);
        return value.isTextual() && !value.asText().isEmpty() ? new SecretText(value.asText()) : null;
    }
}
