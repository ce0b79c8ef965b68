package dev.ecrpush.webhook;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.step.SecretText;

/**
 * Where the webhook secrets come from: the Secrets Manager secret {@code buildpush.webhooks.secret-id} (read with
 * the function's role on the first delivery, then again once {@code secret-ttl} has passed, so a rotation is
 * picked up), or else the {@code buildpush.webhooks.*-secret} values. Never from a request.
 */
@ApplicationScoped
public class WebhookSecretSource {
    private final AwsClients clients;
    private final ObjectMapper json;
    private final String secretId;
    private final Duration ttl;
    private final WebhookSecrets configured;
    private final Clock clock;
    private volatile Read read;
    private volatile SecretsManagerClient secretsManager;

    private record Read(WebhookSecrets secrets, Instant at) {
    }

    @Inject
    public WebhookSecretSource(AwsClients clients, ServiceConfig config, ObjectMapper json) {
        this(clients, json, config.webhooks().secretId().orElse(null), config.webhooks().secretTtl(),
                configured(config.webhooks()), Clock.systemUTC());
    }

    /**
     * @param secretId   the Secrets Manager secret; null to use {@code configured}
     * @param configured the secrets given as configuration values
     */
    WebhookSecretSource(AwsClients clients, ObjectMapper json, String secretId, Duration ttl, WebhookSecrets configured,
            Clock clock) {
        this.clients = clients;
        this.json = json;
        this.secretId = secretId;
        this.ttl = ttl;
        this.configured = configured;
        this.clock = clock;
    }

    private static WebhookSecrets configured(ServiceConfig.Webhooks webhooks) {
        return new WebhookSecrets(webhooks.githubSecret().map(SecretText::new).orElse(null),
                webhooks.gitlabSecret().map(SecretText::new).orElse(null),
                webhooks.gitlabSigningToken().map(SecretText::new).orElse(null),
                webhooks.bitbucketSecret().map(SecretText::new).orElse(null));
    }

    /**
     * @throws InternalErrorException when the secret cannot be read or is not the documented JSON object
     * @throws dev.ecrpush.error.ThrottledException when Secrets Manager still throttles after the SDK's retries
     */
    public WebhookSecrets current() {
        if (secretId == null) {
            return configured;
        }
        Read current = read;
        if (current == null || current.at().plus(ttl).isBefore(clock.instant())) {
            synchronized (this) {
                if (read == current) {
                    read = new Read(fetch(), clock.instant());
                }
                current = read;
            }
        }
        return current.secrets();
    }

    private WebhookSecrets fetch() {
        String value;
        try {
            value = secretsManager().getSecretValue(r -> r.secretId(secretId)).secretString();
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
            throw new InternalErrorException("the webhook secret " + secretId
                    + " must be a JSON object with the keys github, gitlab, gitlabSigningToken and bitbucket");
        }
        return WebhookSecrets.fromJson(secret);
    }

    private SecretsManagerClient secretsManager() {
        SecretsManagerClient current = secretsManager;
        if (current == null) {
            synchronized (this) {
                if (secretsManager == null) {
                    secretsManager = clients.secretsManager(clients.functionRegion(), clients.functionCredentials());
                }
                current = secretsManager;
            }
        }
        return current;
    }

    @PreDestroy
    void close() {
        SecretsManagerClient current = secretsManager;
        if (current != null) {
            current.close();
        }
    }
}
