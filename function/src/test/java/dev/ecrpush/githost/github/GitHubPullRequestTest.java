package dev.ecrpush.githost.github;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;

/** GitHub's recorded pull_request and issue_comment payloads (octokit/webhooks), read into pull requests and comments. */
class GitHubPullRequestTest {
    private static final GitHub GITHUB = new GitHub();
    private static final String HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private static final PullRequest OPENED = new PullRequest("github", "Codertocat/Hello-World", 2, "Codertocat/Hello-World",
            "https://github.com/Codertocat/Hello-World.git", "changes", "master", HEAD, "Codertocat",
            "Update the README with new information.", "f95f852bd8fca8fcc58a9a2d6c842781e32a215e");

    private static JsonNode recorded(String file) throws IOException {
        return Fixtures.JSON.readTree(WebhookSigning.recorded(file));
    }

    private static WebhookEvent read(String event, JsonNode body) {
        return GITHUB.read(new WebhookRequest(Map.of("X-GitHub-Event", event), new byte[0]), body);
    }

    @ParameterizedTest
    @CsvSource({"github-pull-request-opened.json, OPENED", "github-pull-request-synchronize.json, UPDATED",
        "github-pull-request-reopened.json, REOPENED", "github-pull-request-closed.json, CLOSED"})
    void eachAction_readsEveryField(String file, WebhookEvent.PullRequestChange.Action action) throws IOException {
        // when
        WebhookEvent event = read("pull_request", recorded(file));
        // then: the base repository and branch, the head's repository, clone URL, branch and commit, the sender
        assertEquals(new WebhookEvent.PullRequestChange("pull_request", action, OPENED), event);
        assertFalse(((WebhookEvent.PullRequestChange) event).pullRequest().fromFork());
    }

    @Test
    void requestFromAFork_namesTheForksRepositoryAndCloneUrl() throws IOException {
        // when
        WebhookEvent.PullRequestChange event = (WebhookEvent.PullRequestChange) read("pull_request",
                recorded("github-pull-request-fork.json"));
        // then
        PullRequest pr = event.pullRequest();
        assertEquals("Codertocat/Hello-World", pr.repository());
        assertEquals("Octocoders/Hello-World", pr.headRepository());
        assertEquals("https://github.com/Octocoders/Hello-World.git", pr.headCloneUrl());
        assertTrue(pr.fromFork());
    }

    @Test
    void otherAction_isIgnored_namingIt() throws IOException {
        assertEquals(new WebhookEvent.Ignored("pull_request",
                "the pull_request action labeled builds nothing (only opened, synchronize, reopened and closed are read)"),
                read("pull_request", recorded("github-pull-request-labeled.json")));
    }

    @Test
    void deletedHeadRepository_isIgnored_withTheReason() throws IOException {
        // given: the fork the request came from was deleted
        ObjectNode body = (ObjectNode) recorded("github-pull-request-synchronize.json");
        ((ObjectNode) body.at("/pull_request/head")).putNull("repo");
        // then
        assertEquals(new WebhookEvent.Ignored("pull_request",
                "the pull request's head repository was deleted: there is nothing to build"), read("pull_request", body));
    }

    @ParameterizedTest
    @CsvSource({"/pull_request/head/sha, body.pull_request.head.sha", "/pull_request/head/ref, body.pull_request.head.ref",
        "/pull_request/head/repo/clone_url, body.pull_request.head.repo.clone_url",
        "/pull_request/head/repo/full_name, body.pull_request.head.repo.full_name",
        "/pull_request/base/ref, body.pull_request.base.ref", "/pull_request/base/repo/full_name, body.pull_request.base.repo.full_name",
        "/number, body.number", "/action, body.action"})
    void missingRequiredField_isAnErrorNamingIt(String pointer, String field) throws IOException {
        // given
        ObjectNode body = (ObjectNode) recorded("github-pull-request-opened.json");
        String parent = pointer.substring(0, pointer.lastIndexOf('/'));
        ((ObjectNode) (parent.isEmpty() ? body : body.at(parent))).remove(pointer.substring(pointer.lastIndexOf('/') + 1));
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("pull_request", body));
        // then
        assertTrue(e.getMessage().startsWith(field + ": is required in a pull request event"), e.getMessage());
    }

    @Test
    void numberThatIsNoWholeNumber_isAnErrorNamingIt() throws IOException {
        ObjectNode body = (ObjectNode) recorded("github-pull-request-opened.json");
        body.put("number", "2; rm -rf /");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("pull_request", body));
        assertEquals("body.number: is required in a pull request event, as the request's number (a whole number from 1)",
                e.getMessage());
    }

    @Test
    void senderNameWithAControlCharacter_isNoOne() throws IOException {
        ObjectNode body = (ObjectNode) recorded("github-pull-request-opened.json");
        ((ObjectNode) body.get("sender")).put("login", "Codertocat\nINFO forged");
        assertEquals(null, ((WebhookEvent.PullRequestChange) read("pull_request", body)).pullRequest().actor());
    }

    // comments

    @Test
    void commentOnAPullRequest_readsEveryField() throws IOException {
        assertEquals(new WebhookEvent.PullRequestComment("issue_comment", "github", "Codertocat/Hello-World", 1, "Codertocat",
                "OWNER", null, "/build"), read("issue_comment", recorded("github-pull-request-comment.json")));
    }

    @Test
    void commentOnAPlainIssue_isIgnored() throws IOException {
        assertEquals(new WebhookEvent.Ignored("issue_comment", "a comment on an issue, not on a pull request"),
                read("issue_comment", recorded("github-issue-comment.json")));
    }

    @Test
    void editedOrDeletedComment_isIgnored() throws IOException {
        assertEquals(new WebhookEvent.Ignored("issue_comment",
                "the issue_comment action edited approves nothing (only a created comment is read)"),
                read("issue_comment", recorded("github-issue-comment-edited.json")));
        ObjectNode deleted = (ObjectNode) recorded("github-pull-request-comment.json");
        deleted.put("action", "deleted");
        assertTrue(read("issue_comment", deleted) instanceof WebhookEvent.Ignored);
    }

    @ParameterizedTest
    @CsvSource({"/comment/body, body.comment.body", "/issue/number, body.issue.number",
        "/repository/full_name, body.repository.full_name"})
    void commentMissingRequiredField_isAnErrorNamingIt(String pointer, String field) throws IOException {
        ObjectNode body = (ObjectNode) recorded("github-pull-request-comment.json");
        String parent = pointer.substring(0, pointer.lastIndexOf('/'));
        ((ObjectNode) body.at(parent)).remove(pointer.substring(pointer.lastIndexOf('/') + 1));
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("issue_comment", body));
        assertTrue(e.getMessage().startsWith(field + ": is required in a pull request event"), e.getMessage());
    }
}
