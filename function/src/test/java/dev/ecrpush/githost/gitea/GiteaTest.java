package dev.ecrpush.githost.gitea;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.Push;
import dev.ecrpush.githost.Verdict;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecrets;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;

/**
 * Gitea's and Forgejo's signature on the payload derived from Gitea's documented example, and that payload and
 * its tag-push sibling read into pushes.
 */
class GiteaTest {
    private static final ChangedFiles NO_COMMITS =
            new ChangedFiles.Unknown("the push lists no commits (its commits were already in the repository)");
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final Gitea GITEA = new Gitea();
    private static final String COMMIT = "bffeb74224043ba2feb48d137756c8a9331c449a";

    private static WebhookRequest request(byte[] body, String... headers) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], headers[i + 1]);
        }
        return new WebhookRequest(map, body);
    }

    private static Verdict verify(byte[] body, String... headers) {
        return verify(WebhookSigning.secrets(), body, headers);
    }

    private static Verdict verify(WebhookSecrets secrets, byte[] body, String... headers) {
        return GITEA.verify(request(body, headers), secrets, NOW, TOLERANCE);
    }

    private static JsonNode recorded(String file) throws IOException {
        return Fixtures.JSON.readTree(WebhookSigning.recorded(file));
    }

    private static WebhookEvent read(JsonNode body, String... headers) {
        return GITEA.read(request(new byte[0], headers), body);
    }

    // signature

    @Test
    void signedPush_isAccepted_underEitherSpelling() {
        // given
        byte[] body = WebhookSigning.recorded("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        // when / then: Gitea's header, Forgejo's, and Forgejo's delivery that carries both
        DeliveryId delivery = DeliveryId.ofBody(body);
        assertEquals(new Verdict.Accepted("X-Gitea-Signature", delivery), verify(body, "X-Gitea-Signature", signature));
        assertEquals(new Verdict.Accepted("X-Forgejo-Signature", delivery), verify(body, "x-forgejo-signature", signature));
        assertEquals(new Verdict.Accepted("X-Forgejo-Signature", delivery),
                verify(body, "X-Forgejo-Signature", signature, "X-Gitea-Signature", signature));
    }

    @Test
    void tamperedBody_orAnotherSecret_isRefused() {
        byte[] body = WebhookSigning.recorded("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);

        assertEquals(new Verdict.Refused("X-Gitea-Signature does not match the body"),
                verify(WebhookSigning.tampered(body), "X-Gitea-Signature", signature));
        assertEquals(new Verdict.Refused("X-Forgejo-Signature does not match the body"),
                verify(body, "X-Forgejo-Signature", WebhookSigning.hexSignature("another secret", body)));
        // GitHub's secret does not sign for Gitea, nor does GitHub's sha256= form pass for Gitea's header
        assertInstanceOf(Verdict.Refused.class,
                verify(body, "X-Gitea-Signature", WebhookSigning.hexSignature(WebhookSigning.GITHUB_SECRET, body)));
        assertEquals(new Verdict.Refused("X-Gitea-Signature is not hexadecimal"),
                verify(body, "X-Gitea-Signature", "sha256=" + signature));
    }

    @Test
    void bothSpellingsSent_eachMustMatch() {
        byte[] body = WebhookSigning.recorded("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        assertEquals(new Verdict.Refused("X-Gitea-Signature does not match the body"),
                verify(body, "X-Forgejo-Signature", signature, "X-Gitea-Signature", "00" + signature.substring(2)));
    }

    @Test
    void missingEmptyOrUnconfigured_isRefused_withoutQuotingTheSecret() {
        byte[] body = WebhookSigning.recorded("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);

        assertEquals(new Verdict.Refused("X-Forgejo-Signature and X-Gitea-Signature are both missing"),
                verify(body, "X-Hub-Signature-256", "sha256=" + signature));
        // a webhook without a secret: Gitea still sends the header, empty
        assertEquals(new Verdict.Refused("X-Gitea-Signature is empty: the webhook has no secret set in Gitea or Forgejo"),
                verify(body, "X-Gitea-Signature", ""));
        assertEquals(new Verdict.Refused("no gitea webhook secret is configured"),
                verify(WebhookSecrets.NONE, body, "X-Gitea-Signature", signature));
        Verdict.Refused refused = (Verdict.Refused) verify(body, "X-Gitea-Signature", "00");
        assertFalse(refused.reason().contains(WebhookSigning.GITEA_SECRET) || refused.reason().contains(signature));
    }

    @Test
    void carriesCredentials_withEitherSignatureHeader_only() {
        assertTrue(GITEA.carriesCredentials(request(new byte[0], "X-Gitea-Signature", "")));
        assertTrue(GITEA.carriesCredentials(request(new byte[0], "X-Forgejo-Signature", "ab")));
        // what Gitea also sends for GitHub-compatible receivers is not this host's credential
        assertFalse(GITEA.carriesCredentials(request(new byte[0], "X-Hub-Signature-256", "sha256=ab")));
    }

    // events

    @Test
    void branchPush_buildsAfter_fromTheCloneUrl() throws IOException {
        assertEquals(new WebhookEvent.Pushes("push", List.of(new Push("gitea", "gitea/webhooks",
                "http://localhost:3000/gitea/webhooks.git", new Push.Ref(Push.Ref.Kind.BRANCH, "develop"), COMMIT,
                new ChangedFiles.Unknown("Gitea lists no added files for commits[0]"), "gitea", "Webhooks Yay!",
                "28e1879d029cb852e4844d9c718537df08844e03"))),
                read(recorded("gitea-push.json"), "X-Gitea-Event", "push"));
    }

    @Test
    void branchPush_withTheFileListsGiteaSendsToday_givesThem_unlessMoreCommitsThanListed() throws IOException {
        // given: the recorded push, its commit with the added/removed/modified lists of Gitea's PayloadCommit
        ObjectNode body = (ObjectNode) recorded("gitea-push.json");
        ObjectNode commit = (ObjectNode) body.get("commits").get(0);
        commit.putArray("added").add("Dockerfile");
        commit.putArray("removed");
        commit.putArray("modified").add("README.md");
        Push push = ((WebhookEvent.Pushes) read(body, "X-Gitea-Event", "push")).pushes().get(0);
        assertEquals(new ChangedFiles.Listed(List.of("Dockerfile", "README.md")), push.files());
        // when: Gitea listed fewer commits than were pushed
        body.put("total_commits", 12);
        push = ((WebhookEvent.Pushes) read(body, "X-Gitea-Event", "push")).pushes().get(0);
        assertEquals(new ChangedFiles.Unknown("Gitea lists 1 of the push's 12 commits"), push.files());
    }

    @Test
    void annotatedTagPush_buildsTheTaggedCommit_notTheTagObject() throws IOException {
        // given: after is the tag object, head_commit the commit Gitea resolved it to
        JsonNode body = recorded("gitea-tag-push.json");
        assertEquals("d6c65fc63f6e09c4113d65d7d207287cb83adcff", body.get("after").asText());
        // when: as Forgejo sends it
        WebhookEvent event = read(body, "X-Forgejo-Event", "push", "X-Gitea-Event", "push");
        // then
        assertEquals(new WebhookEvent.Pushes("push", List.of(new Push("gitea", "gitea/webhooks",
                "http://localhost:3000/gitea/webhooks.git", new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"), COMMIT,
                NO_COMMITS, "gitea", "Webhooks Yay!", "0000000000000000000000000000000000000000"))), event);
    }

    @Test
    void tagPushWithoutHeadCommit_buildsAfter() throws IOException {
        ObjectNode body = (ObjectNode) recorded("gitea-tag-push.json");
        body.putNull("head_commit");
        body.put("after", COMMIT);
        Push push = ((WebhookEvent.Pushes) read(body, "X-Gitea-Event", "push")).pushes().get(0);
        assertEquals(COMMIT, push.commitSha());
    }

    @Test
    void tagDeletion_isAPushWithoutCommit_inSha1AndSha256Repositories() throws IOException {
        // given: what Gitea sends for a deleted tag: the old ID before, the all-zero ID after, no commits
        ObjectNode body = (ObjectNode) recorded("gitea-tag-push.json");
        body.put("before", COMMIT).put("after", "0".repeat(40)).putNull("head_commit");
        // when
        Push push = ((WebhookEvent.Pushes) read(body, "X-Gitea-Event", "push")).pushes().get(0);
        // then
        assertEquals(new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"), push.ref());
        assertTrue(push.deleted());
        body.put("after", "0".repeat(64));
        assertTrue(((WebhookEvent.Pushes) read(body, "X-Gitea-Event", "push")).pushes().get(0).deleted());
    }

    @Test
    void testDelivery_beforeEqualToAfter_isAPing() throws IOException {
        // given: the settings page's Test Delivery: a push of the default branch that moves nothing
        ObjectNode body = (ObjectNode) recorded("gitea-push.json");
        body.put("before", COMMIT);
        // then
        assertEquals(new WebhookEvent.Ping("push"), read(body, "X-Gitea-Event", "push"));
        body.put("before", "0".repeat(40)).put("after", "0".repeat(40));
        assertEquals(new WebhookEvent.Ping("push"), read(body, "X-Gitea-Event", "push"));
    }

    @Test
    void otherEvents_areIgnored() throws IOException {
        JsonNode body = recorded("gitea-push.json");
        String reason = "only push, pull_request and issue_comment events are read";
        assertEquals(new WebhookEvent.Ignored("create", reason), read(body, "X-Gitea-Event", "create"));
        assertEquals(new WebhookEvent.Ignored("delete", reason), read(body, "X-Forgejo-Event", "delete"));
        assertEquals(new WebhookEvent.Ignored("?", "X-Forgejo-Event and X-Gitea-Event are both missing"),
                read(body, "X-GitHub-Event", "push"));
    }

    @Test
    void pushWithoutCloneUrl_isAnErrorNamingTheField() throws IOException {
        ObjectNode body = (ObjectNode) recorded("gitea-push.json");
        ((ObjectNode) body.get("repository")).remove("clone_url");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read(body, "X-Gitea-Event", "push"));
        assertEquals("body.repository.clone_url: is required in a push event", e.getMessage());
    }

    // delivery

    @Test
    void delivery_isTheBodysHash_soAReplayUnderANewUuidIsTheSameDelivery() {
        byte[] body = WebhookSigning.recorded("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        Verdict first = verify(body, "X-Gitea-Signature", signature, "X-Gitea-Delivery", "f6266f16-1bf3-46a5-9ea4-602e06ead473");
        Verdict replay = verify(body, "X-Gitea-Signature", signature, "X-Gitea-Delivery", "0b1c2d3e-0000-4000-8000-000000000002");
        assertEquals(first, replay);
        assertEquals(new Verdict.Accepted("X-Gitea-Signature", DeliveryId.ofBody(body)), first);
        byte[] tag = WebhookSigning.recorded("gitea-tag-push.json");
        assertNotEquals(first, verify(tag, "X-Gitea-Signature", WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, tag)));
    }

    @Test
    void hostDeliveryId_isForgejosHeaderElseGiteas_forTheLogOnly() {
        assertEquals("f-1", GITEA.hostDeliveryId(request(new byte[0], "X-Forgejo-Delivery", "f-1", "X-Gitea-Delivery", "f-1")));
        assertEquals("g-1", GITEA.hostDeliveryId(request(new byte[0], "X-Gitea-Delivery", "g-1")));
    }
}
