package dev.ecrpush.githost.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.Push;
import dev.ecrpush.githost.Verdict;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecrets;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;

/** GitLab's secret token and Standard Webhooks signature on its documented payloads, and those payloads read. */
class GitLabTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final WebhookSecrets SECRETS = WebhookSigning.secrets();
    private static final GitLab GITLAB = new GitLab();

    private static WebhookRequest request(byte[] body, String... headers) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], headers[i + 1]);
        }
        return new WebhookRequest(map, body);
    }

    private static Verdict verify(byte[] body, String... headers) {
        return verify(SECRETS, body, headers);
    }

    private static Verdict verify(WebhookSecrets secrets, byte[] body, String... headers) {
        return GITLAB.verify(request(body, headers), secrets, NOW, TOLERANCE);
    }

    private static WebhookEvent read(String file, String... headers) throws IOException {
        return read(Fixtures.JSON.readTree(WebhookSigning.recorded(file)), headers);
    }

    private static WebhookEvent read(JsonNode body, String... headers) {
        return GITLAB.read(request(new byte[0], headers), body);
    }

    // signature

    @Test
    void secretToken_rightWrongAndMissing() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        assertEquals(new Verdict.Accepted("X-Gitlab-Token"), verify(body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"),
                verify(body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN + "x"));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"), verify(body, "X-Gitlab-Token", ""));
        assertEquals(new Verdict.Refused("X-Gitlab-Token and webhook-signature are both missing"), verify(body));
    }

    @Test
    void standardWebhooks_publishedTestVector_isAccepted() {
        // given: the Standard Webhooks specification's reference vector
        WebhookSecrets secrets = WebhookSecrets.of(Map.of("gitlabSigningToken", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
        byte[] body = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek", "webhook-timestamp", "1614265330",
                "webhook-signature", "v1,bm9wZQ== v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        // when: at the vector's own time, one of two signatures matching
        Verdict verdict = GITLAB.verify(new WebhookRequest(headers, body), secrets, Instant.ofEpochSecond(1614265330), TOLERANCE);
        // then
        assertEquals(new Verdict.Accepted("webhook-signature"), verdict);
    }

    @Test
    void standardSignature_signedTamperedAndStale() {
        byte[] body = WebhookSigning.recorded("gitlab-tag-push.json");
        long now = NOW.getEpochSecond();
        String id = "d0b3f4c5-0000-4000-8000-000000000001";
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body);

        assertEquals(new Verdict.Accepted("webhook-signature"), verify(body,
                "webhook-id", id, "webhook-timestamp", Long.toString(now), "webhook-signature", signature));
        assertEquals(new Verdict.Refused("webhook-signature has no v1 signature that matches the body"),
                verify(WebhookSigning.tampered(body),
                        "webhook-id", id, "webhook-timestamp", Long.toString(now), "webhook-signature", signature));
        // a replay ten minutes later carries a timestamp outside the tolerance
        long stale = now - 600;
        Verdict replay = verify(body, "webhook-id", id, "webhook-timestamp", Long.toString(stale),
                "webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, stale, body));
        assertInstanceOf(Verdict.Refused.class, replay);
        assertTrue(((Verdict.Refused) replay).reason().startsWith("webhook-timestamp is more than 300s"));
        // the timestamp is signed: moving it forward breaks the signature
        assertInstanceOf(Verdict.Refused.class, verify(body,
                "webhook-id", id, "webhook-timestamp", Long.toString(now + 1), "webhook-signature", signature));
    }

    @Test
    void tokenAndSignature_bothChecked_eitherWrongRefuses() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        long now = NOW.getEpochSecond();
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, "id-1", now, body);

        assertInstanceOf(Verdict.Accepted.class, verify(body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN,
                "webhook-id", "id-1", "webhook-timestamp", Long.toString(now), "webhook-signature", signature));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"), verify(body,
                "X-Gitlab-Token", "wrong", "webhook-id", "id-1", "webhook-timestamp", Long.toString(now),
                "webhook-signature", signature));
    }

    @Test
    void credentialNoSecretCanCheck_isRefused() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        WebhookSecrets signingOnly = WebhookSecrets.of(Map.of("gitlabSigningToken", WebhookSigning.GITLAB_SIGNING_TOKEN));
        assertInstanceOf(Verdict.Refused.class, verify(signingOnly, body, "X-Gitlab-Token", "anything"));
    }

    @Test
    void carriesCredentials_withTheTokenOrTheSignature() {
        assertTrue(GITLAB.carriesCredentials(request(new byte[0], "webhook-signature", "x")));
    }

    // events

    @Test
    void pushAndTagPush() throws IOException {
        assertEquals(new WebhookEvent.Pushes("Push Hook", List.of(new Push("gitlab", "mike/diaspora",
                "http://example.com/mike/diaspora.git", new Push.Ref(Push.Ref.Kind.BRANCH, "master"),
                "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"))),
                read("gitlab-push.json", "X-Gitlab-Event", "Push Hook"));
        Push tag = ((WebhookEvent.Pushes) read("gitlab-tag-push.json", "X-Gitlab-Event", "Tag Push Hook")).pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"), tag.ref());
        assertEquals("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", tag.commitSha());
        assertEquals("jsmith/example", tag.repository());
    }

    @Test
    void branchDeletion_hasNoCheckoutSha() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("gitlab-push.json"));
        body.putNull("checkout_sha");
        body.put("after", "0000000000000000000000000000000000000000");
        Push push = ((WebhookEvent.Pushes) read(body, "X-Gitlab-Event", "Push Hook")).pushes().get(0);
        assertTrue(push.deleted());
    }

    // delivery

    @Test
    void deliveryId_isIdempotencyKey_elseTheEventUuid_elseTheBodyHash() {
        byte[] body = "{}".getBytes();
        assertEquals("idem-1", GITLAB.deliveryId(request(body, "Idempotency-Key", "idem-1", "X-Gitlab-Event-UUID", "uuid-1")));
        assertEquals("uuid-1", GITLAB.deliveryId(request(body, "X-Gitlab-Event-UUID", "uuid-1")));
        assertEquals("sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", GITLAB.deliveryId(request(body)));
    }
}
