package dev.ecrpush.githost.gitlab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.DeliveryId;
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
    /** A hook with a secret token and no signing token, as GitLab hooks were before signing tokens. */
    private static final WebhookSecrets TOKEN_ONLY = WebhookSecrets.of(Map.of("gitlab", WebhookSigning.GITLAB_TOKEN));
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
    void secretToken_rightWrongAndMissing_withoutASigningToken() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        assertEquals(new Verdict.Accepted("X-Gitlab-Token", DeliveryId.ofBody(body)),
                verify(TOKEN_ONLY, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"),
                verify(TOKEN_ONLY, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN + "x"));
        assertEquals(new Verdict.Refused("X-Gitlab-Token does not match"), verify(TOKEN_ONLY, body, "X-Gitlab-Token", ""));
        assertEquals(new Verdict.Refused("X-Gitlab-Token and webhook-signature are both missing"), verify(TOKEN_ONLY, body));
    }

    @Test
    void signingTokenConfigured_theRightSecretTokenAlone_isRefused() {
        // given: both secrets configured, and a delivery that carries the (right) secret token and no signature
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        // when
        Verdict verdict = verify(body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN);
        // then
        assertEquals(new Verdict.Refused("webhook-signature is missing: a GitLab signing token is configured,"
                + " so X-Gitlab-Token alone is not accepted"), verdict);
        // and so with the signing token alone configured
        WebhookSecrets signingOnly = WebhookSecrets.of(Map.of("gitlabSigningToken", WebhookSigning.GITLAB_SIGNING_TOKEN));
        assertInstanceOf(Verdict.Refused.class, verify(signingOnly, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN));
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
        assertEquals(new Verdict.Accepted("webhook-signature", DeliveryId.ofSignedId("msg_p5jXN8AQM9LWM0D4loKWxJek")), verdict);
    }

    @Test
    void standardSignature_signedTamperedAndStale() {
        byte[] body = WebhookSigning.recorded("gitlab-tag-push.json");
        long now = NOW.getEpochSecond();
        String id = "d0b3f4c5-0000-4000-8000-000000000001";
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body);

        assertEquals(new Verdict.Accepted("webhook-signature", DeliveryId.ofSignedId(id)), verify(body,
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
    void timestampThatIsNoSaneNumberOfSeconds_isRefused_beforeAnyArithmetic() {
        // given: a body signed over each timestamp with the right signing token, so only the timestamp is wrong
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        String id = "d0b3f4c5-0000-4000-8000-000000000002";
        for (String timestamp : List.of("9223372036854775807", "9223372036854775808", "-1", "-9223372036854775808", "1.5e9",
                "abc", "", " " + NOW.getEpochSecond(), "+" + NOW.getEpochSecond(), "\u0661\u0667\u0664\u0668")) {
            // when
            Verdict verdict = GITLAB.verify(request(body, "webhook-id", id, "webhook-timestamp", timestamp,
                    "webhook-signature", signature(id, timestamp, body)), SECRETS, NOW, TOLERANCE);
            // then
            assertEquals(new Verdict.Refused("webhook-timestamp is not a number of seconds since 1970"), verdict, timestamp);
        }
        // far in the future or the past: a number, but outside the tolerance
        for (long seconds : List.of(9_999_999_999L, 0L, NOW.getEpochSecond() + 301)) {
            String timestamp = Long.toString(seconds);
            Verdict verdict = GITLAB.verify(request(body, "webhook-id", id, "webhook-timestamp", timestamp,
                    "webhook-signature", signature(id, timestamp, body)), SECRETS, NOW, TOLERANCE);
            assertTrue(verdict instanceof Verdict.Refused refused && refused.reason().startsWith("webhook-timestamp is more than 300s"),
                    timestamp + ": " + verdict);
        }
    }

    private static String signature(String id, String timestamp, byte[] body) {
        return WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, timestamp, body);
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
                "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", new ChangedFiles.Unknown("GitLab lists 2 of the push's 4 commits"),
                "jsmith", "fixed readme", "95790bf891e76fee5e1747ab589903a6a1f80f22"))),
                read("gitlab-push.json", "X-Gitlab-Event", "Push Hook"));
        Push tag = ((WebhookEvent.Pushes) read("gitlab-tag-push.json", "X-Gitlab-Event", "Tag Push Hook")).pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"), tag.ref());
        assertEquals("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", tag.commitSha());
        assertEquals("jsmith/example", tag.repository());
    }

    @Test
    void push_everyCommitListed_givesTheirFiles_andWithoutACountCannotTell() throws IOException {
        // given: the recorded push, as if its two listed commits were all of it
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("gitlab-push.json"));
        body.put("total_commits_count", 2);
        Push push = ((WebhookEvent.Pushes) read(body, "X-Gitlab-Event", "Push Hook")).pushes().get(0);
        assertEquals(new ChangedFiles.Listed(List.of("CHANGELOG", "app/controller/application.rb")), push.files());
        // and: a count that is not one
        body.put("total_commits_count", "many");
        push = ((WebhookEvent.Pushes) read(body, "X-Gitlab-Event", "Push Hook")).pushes().get(0);
        assertEquals(new ChangedFiles.Unknown("GitLab did not say how many commits the push has (total_commits_count)"), push.files());
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
    void signedDelivery_isItsSignedWebhookId_whateverTheUnsignedHeadersSay() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        long now = NOW.getEpochSecond();
        String id = "d0b3f4c5-0000-4000-8000-000000000003";
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body);
        Verdict expected = new Verdict.Accepted("webhook-signature", DeliveryId.ofSignedId(id));
        for (List<String> unsigned : List.of(List.of("Idempotency-Key", "idem-1", "X-Gitlab-Event-UUID", "uuid-1"),
                List.of("Idempotency-Key", "idem-2"), List.of("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN), List.<String>of())) {
            List<String> headers = new ArrayList<>(List.of("webhook-id", id, "webhook-timestamp", Long.toString(now),
                    "webhook-signature", signature));
            headers.addAll(unsigned);
            assertEquals(expected, verify(body, headers.toArray(String[]::new)), unsigned.toString());
        }
        assertEquals("webhook-id-" + id, DeliveryId.ofSignedId(id).value());
    }

    @Test
    void tokenOnlyDelivery_isTheBodysHash_whateverTheUnsignedHeadersSay() {
        byte[] body = WebhookSigning.recorded("gitlab-push.json");
        Verdict expected = new Verdict.Accepted("X-Gitlab-Token", DeliveryId.ofBody(body));
        assertEquals(expected, verify(TOKEN_ONLY, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN, "Idempotency-Key", "idem-1"));
        assertEquals(expected, verify(TOKEN_ONLY, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN,
                "X-Gitlab-Event-UUID", "uuid-1"));
        assertEquals(expected, verify(TOKEN_ONLY, body, "X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN));
    }

    @Test
    void hostDeliveryId_isIdempotencyKey_elseTheEventUuid_forTheLogOnly() {
        byte[] body = "{}".getBytes();
        assertEquals("idem-1", GITLAB.hostDeliveryId(request(body, "Idempotency-Key", "idem-1", "X-Gitlab-Event-UUID", "uuid-1")));
        assertEquals("uuid-1", GITLAB.hostDeliveryId(request(body, "X-Gitlab-Event-UUID", "uuid-1")));
        assertNull(GITLAB.hostDeliveryId(request(body)));
    }
}
