package dev.ecrpush.githost.bitbucket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
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
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;

/** Bitbucket Cloud's signature on its recorded payload, and that payload read. */
class BitbucketTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final Bitbucket BITBUCKET = new Bitbucket();

    private static WebhookRequest request(byte[] body, String... headers) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], headers[i + 1]);
        }
        return new WebhookRequest(map, body);
    }

    private static Verdict verify(byte[] body, String... headers) {
        return BITBUCKET.verify(request(body, headers), WebhookSigning.secrets(), NOW, TOLERANCE);
    }

    private static WebhookEvent read(String file, String... headers) throws IOException {
        return read(Fixtures.JSON.readTree(WebhookSigning.recorded(file)), headers);
    }

    private static WebhookEvent read(JsonNode body, String... headers) {
        return BITBUCKET.read(request(new byte[0], headers), body);
    }

    @Test
    void signedRecordedPush_isAccepted_tamperedIsNot() {
        byte[] body = WebhookSigning.recorded("bitbucket-push.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body);

        assertEquals(new Verdict.Accepted("X-Hub-Signature", DeliveryId.ofBody(body)), verify(body, "X-Hub-Signature", signature));
        assertInstanceOf(Verdict.Refused.class, verify(WebhookSigning.tampered(body), "X-Hub-Signature", signature));
        // GitHub's secret does not sign for Bitbucket
        assertInstanceOf(Verdict.Refused.class, verify(body, "X-Hub-Signature",
                WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)));
    }

    @Test
    void carriesCredentials_onlyWithItsOwnHeader() {
        assertFalse(BITBUCKET.carriesCredentials(request(new byte[0], "X-Hub-Signature-256", "x")));
    }

    @Test
    void push_cloneUrlFromTheRepositoryPage() throws IOException {
        assertEquals(new WebhookEvent.Pushes("repo:push", List.of(new Push("bitbucket", "cloudbeers/temp",
                "https://bitbucket.org/cloudbeers/temp.git", new Push.Ref(Push.Ref.Kind.BRANCH, "master"),
                "e42fac24456e4a56f1b7f9358afc3070e3b7ddec", new ChangedFiles.Unknown("Bitbucket's push event lists no changed files"),
                "stephenc", "Jenkinsfile created online with Bitbucket", "501bf5b99365d1d870882254b9360c17172bda0e"))),
                read("bitbucket-push.json", "X-Event-Key", "repo:push"));
    }

    @Test
    void truncatedChange_saysSo_andTheNicknameIsTheActorWhenSent() throws IOException {
        // given: the recorded push, truncated, from a user object of today's shape (nickname, no username)
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("bitbucket-push.json"));
        ((ObjectNode) body.at("/push/changes/0")).put("truncated", true);
        ((ObjectNode) body.get("actor")).remove("username");
        ((ObjectNode) body.get("actor")).put("nickname", "stephen.c");
        // when
        Push push = ((WebhookEvent.Pushes) read(body, "X-Event-Key", "repo:push")).pushes().get(0);
        // then
        assertEquals(new ChangedFiles.Unknown("Bitbucket truncated the change's list of commits, and lists no files of them"),
                push.files());
        assertEquals("stephen.c", push.actor());
    }

    @Test
    void closedBranch_isADeletion() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("bitbucket-push.json"));
        ((ObjectNode) body.at("/push/changes/0")).putNull("new");
        Push push = ((WebhookEvent.Pushes) read(body, "X-Event-Key", "repo:push")).pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.BRANCH, "master"), push.ref());
        assertTrue(push.deleted());
    }

    @Test
    void otherEventKey_isIgnored() throws IOException {
        assertInstanceOf(WebhookEvent.Ignored.class, read("bitbucket-push.json", "X-Event-Key", "repo:fork"));
    }

    @Test
    void delivery_isTheSignedBodysHash_whateverXRequestUuidSays() {
        byte[] body = WebhookSigning.recorded("bitbucket-push.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body);
        Verdict expected = new Verdict.Accepted("X-Hub-Signature", DeliveryId.ofBody(body));
        assertEquals(expected, verify(body, "X-Hub-Signature", signature, "X-Request-UUID", "req-1"));
        assertEquals(expected, verify(body, "X-Hub-Signature", signature, "X-Request-UUID", "req-2"));
        assertEquals(expected, verify(body, "X-Hub-Signature", signature));
    }

    @Test
    void hostDeliveryId_isXRequestUuid_forTheLogOnly() {
        assertEquals("req-1", BITBUCKET.hostDeliveryId(request("{}".getBytes(), "X-Request-UUID", "req-1")));
    }
}
