package dev.ecrpush.githost.bitbucket;

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

/** Bitbucket Cloud's recorded pull request deliveries, read into pull requests and comments. */
class BitbucketPullRequestTest {
    private static final Bitbucket BITBUCKET = new Bitbucket();

    private static ObjectNode recorded(String file) throws IOException {
        return (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded(file));
    }

    private static WebhookEvent read(String event, JsonNode body) {
        return BITBUCKET.read(new WebhookRequest(Map.of("X-Event-Key", event), new byte[0]), body);
    }

    @Test
    void createdRequest_readsEveryField_withTheShortHashBitbucketGives() throws IOException {
        // when
        WebhookEvent event = read("pullrequest:created", recorded("bitbucket-pull-request-created.json"));
        // then
        PullRequest pr = new PullRequest("bitbucket", "cloudbeers/temp", 1, "cloudbeers/temp", "https://bitbucket.org/cloudbeers/temp.git",
                "foo", "main", "a72355f35fde", "stephenc", "README.md edited online with Bitbucket", "f612156eff2c");
        assertEquals(new WebhookEvent.PullRequestChange("pullrequest:created", Action.OPENED, pr), event);
        assertFalse(pr.fromFork());
    }

    @ParameterizedTest
    @CsvSource({"pullrequest:updated, bitbucket-pull-request-updated.json, UPDATED, 63e3d18dca4c",
        "pullrequest:fulfilled, bitbucket-pull-request-fulfilled.json, CLOSED, a72355f35fde",
        "pullrequest:rejected, bitbucket-pull-request-rejected.json, CLOSED, 63e3d18dca4c"})
    void eachAction_isRead(String key, String file, Action action, String head) throws IOException {
        WebhookEvent.PullRequestChange event = (WebhookEvent.PullRequestChange) read(key, recorded(file));
        assertEquals(action, event.action());
        assertEquals(head, event.pullRequest().headSha());
    }

    @Test
    void requestFromAFork_namesTheForksRepositoryAndCloneUrl() throws IOException {
        PullRequest pr = ((WebhookEvent.PullRequestChange) read("pullrequest:created", recorded("bitbucket-pull-request-fork.json")))
                .pullRequest();
        assertEquals("cloudbeers/temp", pr.repository());
        assertEquals("stephenc/temp-fork", pr.headRepository());
        assertEquals("https://bitbucket.org/stephenc/temp-fork.git", pr.headCloneUrl());
        assertEquals(3, pr.number());
        assertTrue(pr.fromFork());
    }

    @Test
    void otherPullRequestEvents_areIgnored_namingThem() throws IOException {
        assertEquals(new WebhookEvent.Ignored("pullrequest:approved", "the event pullrequest:approved builds nothing (only"
                + " pullrequest:created, updated, fulfilled and rejected are read)"),
                read("pullrequest:approved", recorded("bitbucket-pull-request-created.json")));
        assertTrue(read("pullrequest:comment_updated", recorded("bitbucket-pull-request-comment.json"))
                instanceof WebhookEvent.Ignored);
    }

    @ParameterizedTest
    @CsvSource({"/pullrequest/source/commit, hash", "/pullrequest/source/branch, name", "/pullrequest/destination/branch, name",
        "/pullrequest/source/repository, full_name", "/pullrequest/destination/repository, full_name",
        "/pullrequest/source/repository/links/html, href", "/pullrequest, id"})
    void missingField_isAnErrorNamingIt(String parent, String field) throws IOException {
        ObjectNode body = recorded("bitbucket-pull-request-created.json");
        ((ObjectNode) body.at(parent)).remove(field);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("pullrequest:created", body));
        assertTrue(e.getMessage().startsWith("body" + parent.replace('/', '.') + "." + field + ": is required"), e.getMessage());
    }

    @Test
    void comment_readsEveryField_madeOnTheHeadCommit() throws IOException {
        assertEquals(new WebhookEvent.PullRequestComment("pullrequest:comment_created", "bitbucket", "cloudbeers/temp", 1, "stephenc",
                null, "a72355f35fde", "/build"), read("pullrequest:comment_created", recorded("bitbucket-pull-request-comment.json")));
    }

    @Test
    void commentWithoutItsText_isAnErrorNamingIt() throws IOException {
        ObjectNode body = recorded("bitbucket-pull-request-comment.json");
        ((ObjectNode) body.at("/comment/content")).remove("raw");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> read("pullrequest:comment_created", body));
        assertTrue(e.getMessage().startsWith("body.comment.content.raw: is required"), e.getMessage());
    }
}
