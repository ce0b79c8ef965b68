package dev.ecrpush.githost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.MutableClock;

/** The webhook secret read from Secrets Manager (a fake of its JSON API), kept, and read again after its TTL. */
class WebhookSecretSourceTest {
    private static final String SECRET_ID = "ecr-build-push/webhooks";
    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));

    @AfterEach
    void close() {
        clients.close();
        aws.close();
    }

    private WebhookSecretSource source(String secretId, WebhookSecrets configured) {
        return new WebhookSecretSource(clients, Fixtures.JSON, secretId, Duration.ofMinutes(15), Duration.ofSeconds(30),
                new GitHostRegistry().secretFields(), configured, clock);
    }

    @Test
    void secret_isReadWithTheFunctionsRole_keptForItsTtl_thenReadAgain() {
        // given
        aws.stub("secretsmanager.GetSecretValue", AwsFake.secretString("{\"github\": \"gh-1\", \"bitbucket\": \"bb-1\"}"));
        WebhookSecretSource source = source(SECRET_ID, WebhookSecrets.NONE);
        // when
        WebhookSecrets first = source.current();
        clock.advance(Duration.ofMinutes(14));
        WebhookSecrets warm = source.current();
        clock.advance(Duration.ofMinutes(2));
        source.current();
        // then
        assertEquals(WebhookSecrets.of(Map.of("github", "gh-1", "bitbucket", "bb-1")), first);
        assertSame(first, warm);
        assertEquals(2, aws.requests("secretsmanager.GetSecretValue").size());
        AwsFake.AwsRequest request = aws.requests("secretsmanager.GetSecretValue").get(0);
        assertEquals(SECRET_ID, request.params().get("SecretId"));
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, request.signedBy());
    }

    @Test
    void withoutSecretId_theConfiguredValuesAreUsed_andNothingIsCalled() {
        WebhookSecrets configured = WebhookSecrets.of(Map.of("github", "local"));
        assertSame(configured, source(null, configured).current());
        assertEquals(0, aws.requests().size());
    }

    @Test
    void secretThatIsNotTheDocumentedJson_isAnInternalError_thatDoesNotQuoteIt() {
        aws.stub("secretsmanager.GetSecretValue", AwsFake.secretString("plain-secret-value"));
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> source(SECRET_ID, WebhookSecrets.NONE).current());
        // every registered host's keys (GitHostRegistryTest pins which, and their order)
        assertEquals("the webhook secret ecr-build-push/webhooks must be a JSON object with the keys "
                + GitHostRegistry.enumerate(new GitHostRegistry().secretFields().stream().map(SecretField::key).toList(), "and"),
                e.getMessage());
        assertFalse(e.getMessage().contains("plain-secret-value"));
    }

    @Test
    void accessDenied_isAnInternalError_namingThePermissionFailureTheSecretAndTheCode() {
        // the function's role lacks the permission: a deployment to fix, not a delivery to refuse, and not the
        // sender's fault either, so the delivery gets a 5xx rather than a 403
        aws.stub("secretsmanager.GetSecretValue", AwsFake.jsonError(400, "AccessDeniedException"));
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> source(SECRET_ID, WebhookSecrets.NONE).current());
        assertTrue(e.getMessage().startsWith("PermissionDeniedException: secretsmanager:GetSecretValue for the webhook secret"
                + " ecr-build-push/webhooks failed: AccessDeniedException"), e.getMessage());
        assertEquals(500, e.httpStatus());
    }

    @Test
    void aFailedRead_isAnsweredAgainWithoutReading_forTheFailureTtl_thenReadAgain() {
        // given: Secrets Manager refuses (a code the SDK does not retry, so each read is one request)
        aws.stub("secretsmanager.GetSecretValue", AwsFake.jsonError(400, "ResourceNotFoundException"));
        WebhookSecretSource source = source(SECRET_ID, WebhookSecrets.NONE);
        // when: twenty deliveries within the 30 s
        InternalErrorException first = assertThrows(InternalErrorException.class, source::current);
        for (int i = 0; i < 19; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertSame(first, assertThrows(InternalErrorException.class, source::current));
        }
        // then: one call
        assertEquals(1, aws.requests("secretsmanager.GetSecretValue").size());
        // and after the failure TTL, a read that succeeds is used at once
        aws.stub("secretsmanager.GetSecretValue", AwsFake.secretString("{\"github\": \"gh-1\"}"));
        clock.advance(Duration.ofSeconds(12));
        assertEquals(WebhookSecrets.of(Map.of("github", "gh-1")), source.current());
        assertEquals(2, aws.requests("secretsmanager.GetSecretValue").size());
    }

    @Test
    void configuredValues_areTheHostsConfigurationKeys_asLambdasEnvironmentGivesThem() {
        // given: environment variables, as a local run or the packaged function gets its secrets
        var environment = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(Map.of(
                "BUILDPUSH_WEBHOOKS_GITHUB_SECRET", "gh-local", "BUILDPUSH_WEBHOOKS_GITLAB_SIGNING_TOKEN", "whsec_bG9jYWw=",
                "BUILDPUSH_WEBHOOKS_UNKNOWN_SECRET", "ignored"), 300)).build();
        // when
        WebhookSecrets configured = WebhookSecretSource.configured(environment, new GitHostRegistry().secretFields());
        // then
        assertEquals(WebhookSecrets.of(Map.of("github", "gh-local", "gitlabSigningToken", "whsec_bG9jYWw=")), configured);
    }
}
