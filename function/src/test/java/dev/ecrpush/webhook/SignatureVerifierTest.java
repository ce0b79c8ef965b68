package dev.ecrpush.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.WebhookSigning;

/** Each host's scheme on its own recorded payload: signed, tampered, unsigned, signed with another secret. */
class SignatureVerifierTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final WebhookSecrets SECRETS = new WebhookSecrets(new SecretText(WebhookSigning.GITHUB_SECRET),
            new SecretText(WebhookSigning.GITLAB_TOKEN), new SecretText(WebhookSigning.GITLAB_SIGNING_TOKEN),
            new SecretText(WebhookSigning.BITBUCKET_SECRET));

    private static Verdict verify(Provider provider, byte[] body, String... headers) {
        return verify(SECRETS, provider, body, headers);
    }

    private static Verdict verify(WebhookSecrets secrets, Provider provider, byte[] body, String... headers) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], headers[i + 1]);
        }
        return SignatureVerifier.verify(new WebhookRequest(provider, map, body), secrets, NOW, TOLERANCE);
    }

    @Test
    void github_publishedTestVector_isAccepted() {
        // given: the example in GitHub's "Validating webhook deliveries"
        byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        WebhookSecrets secrets = new WebhookSecrets(new SecretText("It's a Secret to Everybody"), null, null, null);
        // when
        Verdict verdict = verify(secrets, Provider.GITHUB, body,
                "X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        // then
        assertEquals(new Verdict.Accepted("X-Hub-Signature-256"), verdict);
    }

    @Test
    void github_signedRecordedPush_isAccepted_tamperedOrWrongSecretIsNot() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);

        assertInstanceOf(Verdict.Accepted.class, verify(Provider.GITHUB, body, "x-hub-signature-256", signature));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 does not match the body"),
                verify(Provider.GITHUB, WebhookSigning.tampered(body), "X-Hub-Signature-256", signature));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 does not match the body"),
                verify(Provider.GITHUB, body, "X-Hub-Signature-256", WebhookSigning.hubSignature("another secret", body)));
    }

    @Test
    void github_missingMalformedOrSha1OnlySignature_isRefused() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is missing"), verify(Provider.GITHUB, body));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is missing"),
                verify(Provider.GITHUB, body, "X-Hub-Signature", "sha1=0123456789abcdef0123456789abcdef01234567"));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is not hexadecimal"),
                verify(Provider.GITHUB, body, "X-Hub-Signature-256", "sha256=not-hex"));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is not a sha256= signature"),
                verify(Provider.GITHUB, body, "X-Hub-Signature-256", "md5=abc"));
    }

    @Test
    void github_withoutConfiguredSecret_refusesEvenACorrectlyShapedSignature() {
        byte[] body = WebhookSigning.recorded("github-ping.json");
        Verdict verdict = verify(WebhookSecrets.NONE, Provider.GITHUB, body,
                "X-Hub-Signature-256", WebhookSigning.hubSignature("a guess", body));
        assertEquals(new Verdict.Refused("no github webhook secret is configured"), verdict);
    }

    @Test
    void bitbucket_signedRecordedPush_isAccepted_tamperedIsNot() {
        byte[] body = WebhookSigning.recorded("bitbucket-push.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body);

        assertEquals(new Verdict.Accepted("X-Hub-Signature"), verify(Provider.BITBUCKET, body, "X-Hub-Signature", signature));
        assertInstanceOf(Verdict.Refused.class, verify(Provider.BITBUCKET, WebhookSigning.tampered(body), "X-Hub-Signature", signature));
        // GitHub's secret does not sign for Bitbucket
        assertInstanceOf(Verdict.Refused.class, verify(Provider.BITBUCKET, body, "X-Hub-Signature",
                WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)));
    }

    @Test
    void gitlab_secretToken_rightWrongAndMissing() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        assertEquals(new Verdict.Accepted("X-Gitlab-Token"), verify(Provider.GITLAB, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"),
                verify(Provider.GITLAB, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN + "x"));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"), verify(Provider.GITLAB, body, "X-Gitlab-Token", ""));
        assertEquals(new Verdict.Refused("X-Gitlab-Token and webhook-signature are both missing"), verify(Provider.GITLAB, body));
    }

    @Test
    void standardWebhooks_publishedTestVector_isAccepted() {
        // given: the Standard Webhooks specification's reference vector
        WebhookSecrets secrets = new WebhookSecrets(null, null, new SecretText("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), null);
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
                "webhook-signature", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        // when: at the vector's own time, one of two signatures matching
        Verdict verdict = SignatureVerifier.verify(new WebhookRequest(Provider.GITLAB, headers, body), secrets,
                Instant.ofEpochSecond(1614265330), TOLERANCE);
        // then
        assertEquals(new Verdict.Accepted("webhook-signature"), verdict);
    }

    @Test
    void gitlab_standardSignature_signedTamperedAndStale() {
        byte[] body = WebhookSigning.recorded("gitlab-tag-push.json");
        long now = NOW.getEpochSecond();
        String id = "d0b3f4c5-0000-4000-8000-000000000001";
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body);

        assertEquals(new Verdict.Accepted("webhook-signature"), verify(Provider.GITLAB, body,
                "webhook-id", id, "webhook-timestamp", Long.toString(now), "webhook-signature", signature));
        assertEquals(new Verdict.Refused("webhook-signature has no v1 signature that matches the body"),
                verify(Provider.GITLAB, WebhookSigning.tampered(body),
                        "webhook-id", id, "webhook-timestamp", Long.toString(now), "webhook-signature", signature));
        // a replay ten minutes later carries a timestamp outside the tolerance
        long stale = now - 600;
        Verdict replay = verify(Provider.GITLAB, body, "webhook-id", id, "webhook-timestamp", Long.toString(stale),
                "webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, stale, body));
        assertInstanceOf(Verdict.Refused.class, replay);
        assertTrue(((Verdict.Refused) replay).reason().startsWith("webhook-timestamp is more than 300s"));
        // the timestamp is signed: moving it forward breaks the signature
        assertInstanceOf(Verdict.Refused.class, verify(Provider.GITLAB, body,
                "webhook-id", id, "webhook-timestamp", Long.toString(now + 1), "webhook-signature", signature));
    }

    @Test
    void gitlab_tokenAndSignature_bothChecked_eitherWrongRefuses() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        long now = NOW.getEpochSecond();
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, "id-1", now, body);

        assertInstanceOf(Verdict.Accepted.class, verify(Provider.GITLAB, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN,
                "webhook-id", "id-1", "webhook-timestamp", Long.toString(now), "webhook-signature", signature));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"), verify(Provider.GITLAB, body,
                "X-Gitlab-Token", "wrong", "webhook-id", "id-1", "webhook-timestamp", Long.toString(now),
                "webhook-signature", signature));
    }

    @Test
    void gitlab_credentialNoSecretCanCheck_isRefused() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        WebhookSecrets signingOnly = new WebhookSecrets(null, null, new SecretText(WebhookSigning.GITLAB_SIGNING_TOKEN), null);
        assertInstanceOf(Verdict.Refused.class, verify(signingOnly, Provider.GITLAB, body, "X-Gitlab-Token", "anything"));
    }

    @Test
    void refusals_neverQuoteTheSecretsOrTheExpectedSignature() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String expected = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        Verdict.Refused refused = (Verdict.Refused) verify(Provider.GITHUB, body, "X-Hub-Signature-256", "sha256=00");
        assertFalse(refused.reason().contains(WebhookSigning.GITHUB_SECRET));
        assertFalse(refused.reason().contains(expected.substring(7, 20)));
    }

    @Test
    void carriesCredentials_isFalseOnlyWithoutAnyOfTheProvidersHeaders() {
        byte[] body = new byte[0];
        assertFalse(SignatureVerifier.carriesCredentials(new WebhookRequest(Provider.GITHUB, Map.of("X-Hub-Signature", "sha1=ab"), body)));
        assertTrue(SignatureVerifier.carriesCredentials(new WebhookRequest(Provider.GITHUB, Map.of("X-Hub-Signature-256", "x"), body)));
        assertTrue(SignatureVerifier.carriesCredentials(new WebhookRequest(Provider.GITLAB, Map.of("webhook-signature", "x"), body)));
        assertFalse(SignatureVerifier.carriesCredentials(new WebhookRequest(Provider.BITBUCKET, Map.of("X-Hub-Signature-256", "x"), body)));
    }
}
