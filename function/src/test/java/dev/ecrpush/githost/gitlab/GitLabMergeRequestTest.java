package dev.ecrpush.githost.gitlab;

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
import dev.ecrpush.githost.WebhookEvent.PullRequestChange.Action;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;

/**
 * GitLab's merge request and comment events (the documentation's examples, "Webhook events"), read into pull
 * requests and comments. The example is an opened request; the other actions are that example with
 * {@code object_attributes.action} (and for an update, {@code oldrev}) as GitLab sends them.
 */
class GitLabMergeRequestTest {
    private static final GitLab GITLAB = new GitLab();
    private static final PullRequest OPENED = new PullRequest("gitlab", "awesome_space/awesome_project", 1,
            "awesome_space/awesome_project", "http://example.com/awesome_space/awesome_project.git", "ms-viewport", "master",
            "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", "root", "MS-Viewport");

    private static ObjectNode recorded(String file) throws IOException {
        return (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded(file));
    }

    private static WebhookEvent read(String event, JsonNode body) {
        return GITLAB.read(new WebhookRequest(Map.of("X-Gitlab-Event", event), new byte[0]), body);
    }

    private static ObjectNode withAction(String action) throws IOException {
        ObjectNode body = recorded("gitlab-merge-request.json");
        ((ObjectNode) body.get("object_attributes")).put("action", action);
        return body;
    }

    @Test
    void openedRequest_readsEveryField() throws IOException {
        WebhookEvent event = read("Merge Request Hook", recorded("gitlab-merge-request.json"));
        assertEquals(new WebhookEvent.PullRequestChange("Merge Request Hook", Action.OPENED, OPENED), event);
        assertFalse(OPENED.fromFork());
    }

    @ParameterizedTest
    @CsvSource({"reopen, REOPENED", "close, CLOSED", "merge, CLOSED"})
    void otherActions_areRead(String action, Action expected) throws IOException {
        assertEquals(new WebhookEvent.PullRequestChange("Merge Request Hook", expected, OPENED),
                read("Merge Request Hook", withAction(action)));
    }

    @Test
    void updateWithNewCommits_isAnUpdate() throws IOException {
        // given: GitLab sends oldrev only when the update brought commits
        ObjectNode body = withAction("update");
        ((ObjectNode) body.get("object_attributes")).put("oldrev", "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327");
        // then
        assertEquals(new WebhookEvent.PullRequestChange("Merge Request Hook", Action.UPDATED, OPENED),
                read("Merge Request Hook", body));
    }

    /** The documentation's example has no diff_refs; GitLab sends them (base, start and head) with current versions. */
    @Test
    void diffRefsBaseSha_isTheBaseCommit() throws IOException {
        ObjectNode body = recorded("gitlab-merge-request.json");
        ((ObjectNode) body.get("object_attributes")).putObject("diff_refs").put("base_sha", "ae73cb07c9eeaf35924a10f713b364d32b2dd34f")
                .put("head_sha", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7").put("start_sha", "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327");
        assertEquals("ae73cb07c9eeaf35924a10f713b364d32b2dd34f",
                ((WebhookEvent.PullRequestChange) read("Merge Request Hook", body)).pullRequest().baseSha());
    }

    @Test
    void updateWithoutNewCommits_isIgnored() throws IOException {
        assertEquals(new WebhookEvent.Ignored("Merge Request Hook",
                "a merge request update without new commits (no object_attributes.oldrev) builds nothing"),
                read("Merge Request Hook", withAction("update")));
    }

    @Test
    void approval_isIgnored_namingTheAction() throws IOException {
        assertEquals(new WebhookEvent.Ignored("Merge Request Hook", "the merge request action approved builds nothing (only open,"
                + " update with new commits, reopen, close and merge are read)"), read("Merge Request Hook", withAction("approved")));
    }

    @Test
    void requestFromAFork_namesTheSourceProject() throws IOException {
        PullRequest pr = ((WebhookEvent.PullRequestChange) read("Merge Request Hook", recorded("gitlab-merge-request-fork.json")))
                .pullRequest();
        assertEquals("awesome_space/awesome_project", pr.repository());
        assertEquals("contributor/awesome_project", pr.headRepository());
        assertEquals("http://example.com/contributor/awesome_project.git", pr.headCloneUrl());
        assertTrue(pr.fromFork());
    }

    @ParameterizedTest
    @CsvSource({"last_commit, id", "source, git_http_url", "source, path_with_namespace", "target, path_with_namespace"})
    void missingNestedField_isAnErrorNamingIt(String object, String field) throws IOException {
        ObjectNode body = recorded("gitlab-merge-request.json");
        ((ObjectNode) body.at("/object_attributes/" + object)).remove(field);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("Merge Request Hook", body));
        assertTrue(e.getMessage().startsWith("body.object_attributes." + object + "." + field + ": is required"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"source_branch", "target_branch", "iid", "action"})
    void missingField_isAnErrorNamingIt(String field) throws IOException {
        ObjectNode body = recorded("gitlab-merge-request.json");
        ((ObjectNode) body.get("object_attributes")).remove(field);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("Merge Request Hook", body));
        assertTrue(e.getMessage().startsWith("body.object_attributes." + field + ": is required"), e.getMessage());
    }

    // comments

    @Test
    void commentOnAMergeRequest_readsEveryField_madeOnItsLastCommit() throws IOException {
        assertEquals(new WebhookEvent.PullRequestComment("Note Hook", "gitlab", "gitlab-org/gitlab-test", 1, "root", null,
                "562e173be03b8ff2efb05345d12df18815438a4b", "This MR needs work."),
                read("Note Hook", recorded("gitlab-merge-request-note.json")));
    }

    @Test
    void commentOnAnIssue_isIgnored() throws IOException {
        ObjectNode body = recorded("gitlab-merge-request-note.json");
        ((ObjectNode) body.get("object_attributes")).put("noteable_type", "Issue");
        assertEquals(new WebhookEvent.Ignored("Note Hook", "a comment on a Issue, not on a merge request"), read("Note Hook", body));
    }

    @Test
    void editedComment_isIgnored_andOneWithoutAnActionIsNew() throws IOException {
        ObjectNode edited = recorded("gitlab-merge-request-note.json");
        ((ObjectNode) edited.get("object_attributes")).put("action", "update");
        assertEquals(new WebhookEvent.Ignored("Note Hook", "the comment action update approves nothing (only a created comment is"
                + " read)"), read("Note Hook", edited));
        ObjectNode older = recorded("gitlab-merge-request-note.json");
        ((ObjectNode) older.get("object_attributes")).remove("action");
        assertTrue(read("Note Hook", older) instanceof WebhookEvent.PullRequestComment);
    }

    @ParameterizedTest
    @CsvSource({"/object_attributes, note, body.object_attributes.note", "/merge_request, iid, body.merge_request.iid",
        "/project, path_with_namespace, body.project.path_with_namespace"})
    void commentMissingField_isAnErrorNamingIt(String parent, String field, String path) throws IOException {
        ObjectNode body = recorded("gitlab-merge-request-note.json");
        ((ObjectNode) body.at(parent)).remove(field);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("Note Hook", body));
        assertTrue(e.getMessage().startsWith(path + ": is required"), e.getMessage());
    }
}
