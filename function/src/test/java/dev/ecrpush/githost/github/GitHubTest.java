package dev.ecrpush.githost.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
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

/** GitHub's signature on its recorded payloads, and those payloads read into pushes. */
class GitHubTest {
    private static final ChangedFiles NO_COMMITS =
            new ChangedFiles.Unknown("the push lists no commits (its commits were already in the repository)");
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final WebhookSecrets SECRETS = WebhookSigning.secrets();
    private static final GitHub GITHUB = new GitHub();

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
        return GITHUB.verify(request(body, headers), secrets, NOW, TOLERANCE);
    }

    private static WebhookEvent read(String file, String... headers) throws IOException {
        return read(Fixtures.JSON.readTree(WebhookSigning.recorded(file)), headers);
    }

    private static WebhookEvent read(JsonNode body, String... headers) {
        return GITHUB.read(request(new byte[0], headers), body);
    }

    // signature

    @Test
    void publishedTestVector_isAccepted() {
        // given: the example in GitHub's "Validating webhook deliveries"
        byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
        WebhookSecrets secrets = WebhookSecrets.of(Map.of("github", "It's a Secret to Everybody"));
        // when
        Verdict verdict = verify(secrets, body,
                "X-Hub-Signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
        // then
        assertEquals(new Verdict.Accepted("X-Hub-Signature-256", DeliveryId.ofBody(body)), verdict);
    }

    @Test
    void signedRecordedPush_isAccepted_tamperedOrWrongSecretIsNot() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);

        assertInstanceOf(Verdict.Accepted.class, verify(body, "x-hub-signature-256", signature));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 does not match the body"),
                verify(WebhookSigning.tampered(body), "X-Hub-Signature-256", signature));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 does not match the body"),
                verify(body, "X-Hub-Signature-256", WebhookSigning.hubSignature("another secret", body)));
    }

    @Test
    void missingMalformedOrSha1OnlySignature_isRefused() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is missing"), verify(body));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is missing"),
                verify(body, "X-Hub-Signature", "sha1=0123456789abcdef0123456789abcdef01234567"));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is not hexadecimal"),
                verify(body, "X-Hub-Signature-256", "sha256=not-hex"));
        assertEquals(new Verdict.Refused("X-Hub-Signature-256 is not a sha256= signature"),
                verify(body, "X-Hub-Signature-256", "md5=abc"));
    }

    @Test
    void withoutConfiguredSecret_refusesEvenACorrectlyShapedSignature() {
        byte[] body = WebhookSigning.recorded("github-ping.json");
        Verdict verdict = verify(WebhookSecrets.NONE, body,
                "X-Hub-Signature-256", WebhookSigning.hubSignature("a guess", body));
        assertEquals(new Verdict.Refused("no github webhook secret is configured"), verdict);
    }

    @Test
    void refusals_neverQuoteTheSecretsOrTheExpectedSignature() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String expected = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        Verdict.Refused refused = (Verdict.Refused) verify(body, "X-Hub-Signature-256", "sha256=00");
        assertFalse(refused.reason().contains(WebhookSigning.GITHUB_SECRET));
        assertFalse(refused.reason().contains(expected.substring(7, 20)));
    }

    @Test
    void carriesCredentials_onlyWithTheSha256Header() {
        byte[] body = new byte[0];
        assertFalse(GITHUB.carriesCredentials(request(body, "X-Hub-Signature", "sha1=ab")));
        assertTrue(GITHUB.carriesCredentials(request(body, "X-Hub-Signature-256", "x")));
    }

    // events

    @Test
    void branchPush() throws IOException {
        WebhookEvent event = read("github-push-branch.json", "X-GitHub-Event", "push");
        assertEquals(new WebhookEvent.Pushes("push", List.of(new Push("github", "Codertocat/Hello-World",
                "https://github.com/Codertocat/Hello-World.git", new Push.Ref(Push.Ref.Kind.BRANCH, "master"),
                "6113728f27ae82c7b1a177c8d03f9e96e0adf246", new ChangedFiles.Listed(List.of("README.md")), "Codertocat",
                "Initial commit", "0000000000000000000000000000000000000000"))), event);
    }

    private static Push push(JsonNode body) {
        return ((WebhookEvent.Pushes) read(body, "X-GitHub-Event", "push")).pushes().get(0);
    }

    private static ObjectNode commit(String id, List<String> added, List<String> modified, List<String> removed) {
        ObjectNode commit = Fixtures.JSON.createObjectNode().put("id", id);
        added.forEach(commit.putArray("added")::add);
        modified.forEach(commit.putArray("modified")::add);
        removed.forEach(commit.putArray("removed")::add);
        return commit;
    }

    @Test
    void branchPush_changedFilesOfEveryListedCommit_eachOnce() throws IOException {
        // given: the recorded push with a second commit that modifies the README and removes a file
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ((ArrayNode) body.get("commits"))
                .add(commit("b".repeat(40), List.of("src/App.java"), List.of("README.md"), List.of("old.txt")));
        // then
        assertEquals(new ChangedFiles.Listed(List.of("README.md", "src/App.java", "old.txt")), push(body).files());
    }

    @Test
    void aSenderLoginThatCouldForgeALogLine_orTooLong_isNoOne() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ((ObjectNode) body.get("sender")).put("login", "octo\nINFO forged line");
        assertNull(push(body).actor());
        ((ObjectNode) body.get("sender")).put("login", "o".repeat(256));
        assertNull(push(body).actor());
        ((ObjectNode) body.get("sender")).put("login", "o".repeat(255));
        assertEquals("o".repeat(255), push(body).actor());
        ((ObjectNode) body.get("sender")).remove("login");
        assertNull(push(body).actor());
    }

    @Test
    void twentyCommits_orACommitOf3000Files_orNoCommits_cannotTell() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ArrayNode commits = body.putArray("commits");
        for (int i = 0; i < 20; i++) {
            commits.add(commit(String.valueOf(i).repeat(40).substring(0, 40), List.of("f" + i), List.of(), List.of()));
        }
        assertEquals(new ChangedFiles.Unknown("GitHub lists at most 20 commits of a push, and this one lists 20"),
                push(body).files());

        List<String> many = IntStream.range(0, 3000).mapToObj(i -> "gen/" + i).toList();
        body.putArray("commits").add(commit("c".repeat(40), many, List.of(), List.of()));
        assertEquals(new ChangedFiles.Unknown("GitHub lists at most 3000 files of a commit, and commits[0] lists 3000"),
                push(body).files());

        body.putArray("commits");
        assertEquals(NO_COMMITS, push(body).files());
        body.remove("commits");
        assertEquals(new ChangedFiles.Unknown("GitHub sent no list of commits"), push(body).files());
        body.putArray("commits").add(commit("d".repeat(40), List.of(), List.of(), List.of()));
        ((ObjectNode) body.get("commits").get(0)).putArray("added").add(7);
        assertEquals(new ChangedFiles.Unknown("GitHub lists something other than a path in commits[0].added"), push(body).files());
    }

    @Test
    void annotatedTagPush_buildsTheTaggedCommit_notTheTagObject() throws IOException {
        // given: after is the tag object, head_commit the commit it points to
        JsonNode body = Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-annotated-tag.json"));
        assertEquals("37413f4676a163a6c7cf8ea335dca2f947281462", body.get("after").asText());
        // when
        WebhookEvent event = read(body, "X-GitHub-Event", "push");
        // then
        assertEquals(new WebhookEvent.Pushes("push", List.of(new Push("github", "Codertocat/Hello-World",
                "https://github.com/Codertocat/Hello-World.git", new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"),
                "6113728f27ae82c7b1a177c8d03f9e96e0adf246", NO_COMMITS, "Codertocat",
                "Initial commit", "0000000000000000000000000000000000000000"))), event);
    }

    @Test
    void tagPushWithoutHeadCommit_fallsBackToAfter() throws IOException {
        // given: a host that sends no head_commit (after is then all there is; for a lightweight tag, the commit)
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-annotated-tag.json"));
        body.putNull("head_commit");
        body.put("after", "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
        // when
        Push push = ((WebhookEvent.Pushes) read(body, "X-GitHub-Event", "push")).pushes().get(0);
        // then
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.commitSha());
    }

    @Test
    void branchPush_keepsAfter_evenWhenHeadCommitDiffers() throws IOException {
        // given: for a branch, after is the new head commit by definition
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ((ObjectNode) body.get("head_commit")).put("id", "0123456789abcdef0123456789abcdef01234567");
        // when
        Push push = ((WebhookEvent.Pushes) read(body, "X-GitHub-Event", "push")).pushes().get(0);
        // then
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.commitSha());
    }

    @Test
    void tagPushWithHeadCommitWithoutId_isAnErrorNamingTheField() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-annotated-tag.json"));
        ((ObjectNode) body.get("head_commit")).remove("id");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read(body, "X-GitHub-Event", "push"));
        assertEquals("body.head_commit.id: is required in a push event", e.getMessage());
    }

    @Test
    void tagDeletion_isAPushWithoutCommit() throws IOException {
        WebhookEvent.Pushes event = (WebhookEvent.Pushes) read("github-push-tag-deleted.json", "X-GitHub-Event", "push");
        Push push = event.pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.TAG, "simple-tag"), push.ref());
        assertTrue(push.deleted());
    }

    @Test
    void pingAndOtherEvents() throws IOException {
        assertEquals(new WebhookEvent.Ping("ping"), read("github-ping.json", "X-GitHub-Event", "ping"));
        assertEquals(new WebhookEvent.Ignored("issues", "only push, pull_request and issue_comment events are read"),
                read("github-ping.json", "X-GitHub-Event", "issues"));
    }

    @Test
    void pushWithoutCloneUrl_isAnErrorNamingTheField() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ((ObjectNode) body.get("repository")).remove("clone_url");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read(body, "X-GitHub-Event", "push"));
        assertEquals("body.repository.clone_url: is required in a push event", e.getMessage());
    }

    // delivery

    @Test
    void delivery_isTheSignedBodysHash_whateverXGitHubDeliverySays() {
        // given: one signed body, delivered under a new, a changed and no delivery header
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        // when
        List<Verdict> verdicts = List.of(
                verify(body, "X-Hub-Signature-256", signature, "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
                verify(body, "X-Hub-Signature-256", signature, "X-GitHub-Delivery", "0b1c2d3e-0000-4000-8000-000000000002"),
                verify(body, "X-Hub-Signature-256", signature));
        // then: one delivery, the body's
        DeliveryId bodyHash = DeliveryId.ofBody(body);
        verdicts.forEach(verdict -> assertEquals(new Verdict.Accepted("X-Hub-Signature-256", bodyHash), verdict));
        assertTrue(bodyHash.value().matches("sha256-[0-9a-f]{64}"), bodyHash.value());
    }

    @Test
    void hostDeliveryId_isXGitHubDelivery_forTheLogOnly() {
        assertEquals("72d3162e-cc78-11e3-81ab-4c9367dc0958", GITHUB.hostDeliveryId(request("{}".getBytes(),
                "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")));
        assertNull(GITHUB.hostDeliveryId(request("{}".getBytes(), "X-GitHub-Delivery", "forged\nlog line")));
        assertNull(GITHUB.hostDeliveryId(request("{}".getBytes())));
    }
}
