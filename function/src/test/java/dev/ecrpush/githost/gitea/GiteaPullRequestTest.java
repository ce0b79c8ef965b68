package dev.ecrpush.githost.gitea;

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

/** Gitea's recorded pull_request and issue_comment deliveries, read into pull requests and comments (Forgejo's alike). */
class GiteaPullRequestTest {
    private static final Gitea GITEA = new Gitea();
    private static final String SHA = "2eba238e33607c1fa49253182e9fff42baafa1eb";

    private static ObjectNode recorded(String file) throws IOException {
        return (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded(file));
    }

    private static WebhookEvent read(String header, String event, JsonNode body) {
        return GITEA.read(new WebhookRequest(Map.of(header, event), new byte[0]), body);
    }

    private static WebhookEvent read(String event, JsonNode body) {
        return read("X-Gitea-Event", event, body);
    }

    @ParameterizedTest
    @CsvSource({"gitea-pull-request-opened.json, OPENED, Add License File",
        "gitea-pull-request-synchronized.json, UPDATED, Add License File", "gitea-pull-request-closed.json, CLOSED, Add LICENSE File"})
    void eachAction_readsEveryField(String file, Action action, String title) throws IOException {
        PullRequest pr = new PullRequest("gitea", "jcitizen/my-repo", 1, "jcitizen/my-repo", "https://try.gitea.io/jcitizen/my-repo.git",
                "feature", "master", SHA, "jcitizen", title, "39af58f1eff02aa308e16913e887c8d50362b474");
        assertEquals(new WebhookEvent.PullRequestChange("pull_request", action, pr), read("pull_request", recorded(file)));
        assertFalse(pr.fromFork());
    }

    @Test
    void reopened_isRead_andForgejosHeaderToo() throws IOException {
        ObjectNode body = recorded("gitea-pull-request-opened.json");
        body.put("action", "reopened");
        assertEquals(Action.REOPENED, ((WebhookEvent.PullRequestChange) read("X-Forgejo-Event", "pull_request", body)).action());
    }

    @Test
    void otherAction_isIgnored_namingIt() throws IOException {
        assertEquals(new WebhookEvent.Ignored("pull_request", "the pull_request action edited builds nothing (only opened,"
                + " synchronized, reopened and closed are read)"), read("pull_request", recorded("gitea-pull-request-edited.json")));
    }

    @Test
    void requestFromAFork_namesTheForksRepositoryAndCloneUrl() throws IOException {
        PullRequest pr = ((WebhookEvent.PullRequestChange) read("pull_request", recorded("gitea-pull-request-fork.json"))).pullRequest();
        assertEquals("jcitizen/my-repo", pr.repository());
        assertEquals("contributor/my-repo", pr.headRepository());
        assertEquals("https://try.gitea.io/contributor/my-repo.git", pr.headCloneUrl());
        assertTrue(pr.fromFork());
    }

    @Test
    void deletedHeadRepository_isIgnored() throws IOException {
        ObjectNode body = recorded("gitea-pull-request-synchronized.json");
        ((ObjectNode) body.at("/pull_request/head")).putNull("repo");
        assertTrue(read("pull_request", body) instanceof WebhookEvent.Ignored);
    }

    @ParameterizedTest
    @CsvSource({"/pull_request/head, sha", "/pull_request/head, ref", "/pull_request/base, ref",
        "/pull_request/head/repo, clone_url", "/pull_request/head/repo, full_name", "/pull_request/base/repo, full_name",
        "'', number"})
    void missingField_isAnErrorNamingIt(String parent, String field) throws IOException {
        ObjectNode body = recorded("gitea-pull-request-opened.json");
        ((ObjectNode) (parent.isEmpty() ? body : body.at(parent))).remove(field);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("pull_request", body));
        assertTrue(e.getMessage().startsWith("body" + parent.replace('/', '.') + "." + field + ": is required"), e.getMessage());
    }

    // comments

    @Test
    void commentOnAPullRequest_readsEveryField() throws IOException {
        assertEquals(new WebhookEvent.PullRequestComment("issue_comment", "gitea", "gogits/hello-world", 2, "unknwon", null, null,
                "run gofmt"), read("issue_comment", recorded("gitea-pull-request-comment.json")));
    }

    @Test
    void commentOnAnIssue_isIgnored_byIsPullOrWithoutIt() throws IOException {
        assertEquals(new WebhookEvent.Ignored("issue_comment", "a comment on an issue, not on a pull request"),
                read("issue_comment", recorded("gitea-issue-comment.json")));
        ObjectNode notPull = recorded("gitea-pull-request-comment.json");
        notPull.put("is_pull", false);
        assertTrue(read("issue_comment", notPull) instanceof WebhookEvent.Ignored);
        // an older Gitea, without is_pull: its issue's pull_request says
        ObjectNode older = recorded("gitea-pull-request-comment.json");
        older.remove("is_pull");
        assertTrue(read("issue_comment", older) instanceof WebhookEvent.PullRequestComment);
    }

    @Test
    void editedComment_isIgnored() throws IOException {
        ObjectNode edited = recorded("gitea-pull-request-comment.json");
        edited.put("action", "edited");
        assertEquals(new WebhookEvent.Ignored("issue_comment", "the issue_comment action edited approves nothing (only a created"
                + " comment is read)"), read("issue_comment", edited));
    }

    @Test
    void commentAuthor_fallsBackToTheSender() throws IOException {
        ObjectNode body = recorded("gitea-pull-request-comment.json");
        ((ObjectNode) body.at("/comment")).remove("user");
        assertEquals("unknwon", ((WebhookEvent.PullRequestComment) read("issue_comment", body)).author());
    }

    @ParameterizedTest
    @CsvSource({"/comment, body", "/issue, number", "/repository, full_name"})
    void commentMissingField_isAnErrorNamingIt(String parent, String field) throws IOException {
        ObjectNode body = recorded("gitea-pull-request-comment.json");
        ((ObjectNode) body.at(parent)).remove(field);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("issue_comment", body));
        assertTrue(e.getMessage().startsWith("body" + parent.replace('/', '.') + "." + field + ": is required"), e.getMessage());
    }
}
