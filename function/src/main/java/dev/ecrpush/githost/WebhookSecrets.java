package dev.ecrpush.githost;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.step.SecretText;

/**
 * The secrets deliveries are checked with, by {@link SecretField#key()}; any may be absent, and a host without
 * one has every delivery refused. Values never print themselves ({@link SecretText}).
 */
public record WebhookSecrets(Map<String, SecretText> byKey) {
    public static final WebhookSecrets NONE = new WebhookSecrets(Map.of());

    public WebhookSecrets {
        byKey = Map.copyOf(byKey);
    }

    /** The given values by JSON key; an empty value counts as absent, as in the secret's JSON. */
    public static WebhookSecrets of(Map<String, String> values) {
        Map<String, SecretText> byKey = new HashMap<>();
        values.forEach((key, value) -> {
            if (value != null && !value.isEmpty()) {
                byKey.put(key, new SecretText(value));
            }
        });
        return new WebhookSecrets(byKey);
    }

    /** The secret's documented keys, {@code fields}, read from its JSON object; any other key is ignored. */
    public static WebhookSecrets fromJson(JsonNode secret, List<SecretField> fields) {
        Map<String, String> values = new HashMap<>();
        for (SecretField field : fields) {
            JsonNode value = secret.path(field.key());
            if (value.isTextual()) {
                values.put(field.key(), value.asText());
            }
        }
        return of(values);
    }

    /** The field's value, or null when it is not set. */
    public SecretText get(SecretField field) {
        return byKey.get(field.key());
    }
}
