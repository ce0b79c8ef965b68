package dev.ecrpush.githost;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.Refreshing;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.InternalErrorException;

/**
 * Where the webhook secrets come from: the Secrets Manager secret {@code buildpush.webhooks.secret-id} (read with
 * the function's role on the first delivery, then again once {@code secret-ttl} has passed, so a rotation is
 * picked up), or else the configuration keys of the Git hosts' {@link SecretField}s
 * ({@code buildpush.webhooks.github-secret}, ...). Never from a request.
 */
@ApplicationScoped
public class WebhookSecretSource {
    private final AwsClients clients;
    private final ObjectMapper json;
    private final String secretId;
    private final List<SecretField> fields;
    private final Refreshing<WebhookSecrets> secrets;

    @Inject
    public WebhookSecretSource(AwsClients clients, ServiceConfig config, Config values, GitHostRegistry hosts, ObjectMapper json) {
        this(clients, json, config.webhooks().secretId().orElse(null), config.webhooks().secretTtl(), hosts.secretFields(),
                configured(values, hosts.secretFields()), Clock.systemUTC());
    }

    /**
     * @param secretId   the Secrets Manager secret; null to use {@code configured}
     * @param fields     the keys the secret's JSON object is read for
     * @param configured the secrets given as configuration values
     */
    WebhookSecretSource(AwsClients clients, ObjectMapper json, String secretId, Duration ttl, List<SecretField> fields,
            WebhookSecrets configured, Clock clock) {
        this.clients = clients;
        this.json = json;
        this.secretId = secretId;
        this.fields = List.copyOf(fields);
        this.secrets = secretId == null ? new Refreshing<>(() -> configured, null, clock) : new Refreshing<>(this::fetch, ttl, clock);
    }

    /**
     * Read by key rather than mapped in {@link ServiceConfig}, so that a Git host brings its own keys: the
     * environment variable {@code BUILDPUSH_WEBHOOKS_GITHUB_SECRET} is found as {@code buildpush.webhooks.github-secret}.
     */
    static WebhookSecrets configured(Config values, List<SecretField> fields) {
        Map<String, String> secrets = new HashMap<>();
        for (SecretField field : fields) {
            values.getOptionalValue(field.configKey(), String.class).ifPresent(value -> secrets.put(field.key(), value));
        }
        return WebhookSecrets.of(secrets);
    }

    /**
     * @throws InternalErrorException when the secret cannot be read or is not the documented JSON object
     * @throws dev.ecrpush.error.ThrottledException when Secrets Manager still throttles after the SDK's retries
     */
    public WebhookSecrets current() {
        return secrets.get();
    }

    private WebhookSecrets fetch() {
        String value;
        try {
            value = clients.secretsManager(clients.functionRegion(), clients.functionCredentials())
                    .getSecretValue(r -> r.secretId(secretId)).secretString();
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "secretsmanager:GetSecretValue for the webhook secret " + secretId,
                    InternalErrorException::new);
        }
        JsonNode secret = null;
        try {
            secret = value == null ? null : json.readTree(value);
        } catch (IOException e) {
            // reported below, without quoting the value
        }
        if (secret == null || !secret.isObject()) {
            throw new InternalErrorException("the webhook secret " + secretId + " must be a JSON object with the keys "
                    + GitHostRegistry.enumerate(fields.stream().map(SecretField::key).toList(), "and"));
        }
        return WebhookSecrets.fromJson(secret, fields);
    }
}
