package dev.ecrpush.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.step.SecretText;
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
        return new WebhookSecretSource(clients, Fixtures.JSON, secretId, Duration.ofMinutes(15), configured, clock);
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
        assertEquals(new WebhookSecrets(new SecretText("gh-1"), null, null, new SecretText("bb-1")), first);
        assertSame(first, warm);
        assertEquals(2, aws.requests("secretsmanager.GetSecretValue").size());
        AwsFake.AwsRequest request = aws.requests("secretsmanager.GetSecretValue").get(0);
        assertEquals(SECRET_ID, request.params().get("SecretId"));
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, request.signedBy());
    }

    @Test
    void withoutSecretId_theConfiguredValuesAreUsed_andNothingIsCalled() {
        WebhookSecrets configured = new WebhookSecrets(new SecretText("local"), null, null, null);
        assertSame(configured, source(null, configured).current());
        assertEquals(0, aws.requests().size());
    }

    @Test
    void secretThatIsNotTheDocumentedJson_isAnInternalError_thatDoesNotQuoteIt() {
        aws.stub("secretsmanager.GetSecretValue", AwsFake.secretString("plain-secret-value"));
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> source(SECRET_ID, WebhookSecrets.NONE).current());
        assertEquals("the webhook secret ecr-build-push/webhooks must be a JSON object with the keys github, gitlab,"
                + " gitlabSigningToken and bitbucket", e.getMessage());
        assertFalse(e.getMessage().contains("plain-secret-value"));
    }

    @Test
    void accessDenied_isTheFunctionsOwnFailure_namingTheSecretAndTheCode() {
        // the function's role lacks the permission: a deployment to fix, not a delivery to refuse
        aws.stub("secretsmanager.GetSecretValue", AwsFake.jsonError(400, "AccessDeniedException"));
        InternalErrorException e = assertThrows(InternalErrorException.class,
                () -> source(SECRET_ID, WebhookSecrets.NONE).current());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("secretsmanager:GetSecretValue for the webhook secret ecr-build-push/webhooks failed: AccessDeniedException"), e.getMessage());
    }
}
