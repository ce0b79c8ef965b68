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
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.Refreshing;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InternalErrorException;

/**
 * Where the webhook secrets come from: the Secrets Manager secret {@code buildpush.webhooks.secret-id} (read with
 * the function's role on the first delivery, then again once {@code secret-ttl} has passed, so a rotation is
 * picked up), or else the configuration keys of the Git hosts' {@link SecretField}s
 * ({@code buildpush.webhooks.github-secret}, ...). Never from a request.
 *
 * <p>A read that fails is kept for {@code secret-failure-ttl}: every delivery before it is checked needs the
 * secret, and anyone can send deliveries, so without it each one would call Secrets Manager again while it fails.
 */
@ApplicationScoped
public class WebhookSecretSource {
    private static final Logger LOG = Logger.getLogger(WebhookSecretSource.class);

    private final AwsClients clients;
    private final ObjectMapper json;
    private final String secretId;
    private final List<SecretField> fields;
    private final Refreshing<WebhookSecrets> secrets;

    @Inject
    public WebhookSecretSource(AwsClients clients, ServiceConfig config, Config values, GitHostRegistry hosts, ObjectMapper json) {
        this(clients, json, config.webhooks().secretId().orElse(null), config.webhooks().secretTtl(),
                config.webhooks().secretFailureTtl(), hosts.secretFields(), configured(values, hosts.secretFields()), Clock.systemUTC());
    }

    /**
     * @param secretId   the Secrets Manager secret; null to use {@code configured}
     * @param failureTtl how long a failed read is answered again without reading
     * @param fields     the keys the secret's JSON object is read for
     * @param configured the secrets given as configuration values
     */
    WebhookSecretSource(AwsClients clients, ObjectMapper json, String secretId, Duration ttl, Duration failureTtl,
            List<SecretField> fields, WebhookSecrets configured, Clock clock) {
        this.clients = clients;
        this.json = json;
        this.secretId = secretId;
        this.fields = List.copyOf(fields);
        this.secrets = secretId == null
                ? new Refreshing<>(() -> configured, null, clock)
                : new Refreshing<>(this::fetch, ttl, failureTtl, clock);
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
     * @throws InternalErrorException when the secret cannot be read (whatever AWS answered: its type and message
     *                                are in this one's) or is not the documented JSON object; the same one for
     *                                {@code secret-failure-ttl} after a failed read
     */
    public WebhookSecrets current() {
        return secrets.get();
    }

    /**
     * Any failure is the function's own as the delivery sees it, so it is an {@link InternalErrorException}
     * (500): the sender can do nothing about the function's role or Secrets Manager, and a 4xx would tell it
     * otherwise (GitLab disables a hook that keeps answering 4xx).
     */
    private WebhookSecrets fetch() {
        try {
            return read();
        } catch (BuildPushException e) {
            InternalErrorException failure = e instanceof InternalErrorException internal ? internal
                    : new InternalErrorException(e.errorType() + ": " + e.getMessage(), e);
            LOG.warnf("the webhook secret could not be read; deliveries are answered with this failure until it is read again: %s",
                    failure.getMessage());
            throw failure;
        }
    }

    private WebhookSecrets read() {
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
