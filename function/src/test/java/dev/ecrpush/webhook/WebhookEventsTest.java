package dev.ecrpush.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;

/** The recorded payloads read into the pushes triggers match on. */
class WebhookEventsTest {
    private static WebhookEvent read(Provider provider, String file, String... headers) throws IOException {
        return read(provider, Fixtures.JSON.readTree(WebhookSigning.recorded(file)), headers);
    }

    private static WebhookEvent read(Provider provider, JsonNode body, String... headers) {
        Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < headers.length; i += 2) {
            map.put(headers[i], headers[i + 1]);
        }
        return WebhookEvents.read(new WebhookRequest(provider, map, new byte[0]), body);
    }

    @Test
    void github_branchPush() throws IOException {
        WebhookEvent event = read(Provider.GITHUB, "github-push-branch.json", "X-GitHub-Event", "push");
        assertEquals(new WebhookEvent.Pushes("push", List.of(new Push(Provider.GITHUB, "Codertocat/Hello-World",
                "https://github.com/Codertocat/Hello-World.git", new Push.Ref(Push.Ref.Kind.BRANCH, "master"),
                "6113728f27ae82c7b1a177c8d03f9e96e0adf246"))), event);
    }

    @Test
    void github_annotatedTagPush_buildsTheTaggedCommit_notTheTagObject() throws IOException {
        // given: after is the tag object, head_commit the commit it points to
        JsonNode body = Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-annotated-tag.json"));
        assertEquals("37413f4676a163a6c7cf8ea335dca2f947281462", body.get("after").asText());
        // when
        WebhookEvent event = read(Provider.GITHUB, body, "X-GitHub-Event", "push");
        // then
        assertEquals(new WebhookEvent.Pushes("push", List.of(new Push(Provider.GITHUB, "Codertocat/Hello-World",
                "https://github.com/Codertocat/Hello-World.git", new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"),
                "6113728f27ae82c7b1a177c8d03f9e96e0adf246"))), event);
    }

    @Test
    void github_tagPushWithoutHeadCommit_fallsBackToAfter() throws IOException {
        // given: a host that sends no head_commit (after is then all there is; for a lightweight tag, the commit)
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-annotated-tag.json"));
        body.putNull("head_commit");
        body.put("after", "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
        // when
        Push push = ((WebhookEvent.Pushes) read(Provider.GITHUB, body, "X-GitHub-Event", "push")).pushes().get(0);
        // then
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.commitSha());
    }

    @Test
    void github_branchPush_keepsAfter_evenWhenHeadCommitDiffers() throws IOException {
        // given: for a branch, after is the new head commit by definition
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ((ObjectNode) body.get("head_commit")).put("id", "0123456789abcdef0123456789abcdef01234567");
        // when
        Push push = ((WebhookEvent.Pushes) read(Provider.GITHUB, body, "X-GitHub-Event", "push")).pushes().get(0);
        // then
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", push.commitSha());
    }

    @Test
    void github_tagPushWithHeadCommitWithoutId_isAnErrorNamingTheField() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-annotated-tag.json"));
        ((ObjectNode) body.get("head_commit")).remove("id");
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> read(Provider.GITHUB, body, "X-GitHub-Event", "push"));
        assertEquals("body.head_commit.id: is required in a push event", e.getMessage());
    }

    @Test
    void github_tagDeletion_isAPushWithoutCommit() throws IOException {
        WebhookEvent.Pushes event = (WebhookEvent.Pushes) read(Provider.GITHUB, "github-push-tag-deleted.json", "X-GitHub-Event", "push");
        Push push = event.pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.TAG, "simple-tag"), push.ref());
        assertTrue(push.deleted());
    }

    @Test
    void github_pingAndOtherEvents() throws IOException {
        assertEquals(new WebhookEvent.Ping("ping"), read(Provider.GITHUB, "github-ping.json", "X-GitHub-Event", "ping"));
        assertEquals(new WebhookEvent.Ignored("pull_request", "only push events start builds"),
                read(Provider.GITHUB, "github-ping.json", "X-GitHub-Event", "pull_request"));
    }

    @Test
    void gitlab_pushAndTagPush() throws IOException {
        assertEquals(new WebhookEvent.Pushes("Push Hook", List.of(new Push(Provider.GITLAB, "mike/diaspora",
                "http://example.com/mike/diaspora.git", new Push.Ref(Push.Ref.Kind.BRANCH, "master"),
                "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"))),
                read(Provider.GITLAB, "gitlab-push.json", "X-Gitlab-Event", "Push Hook"));
        Push tag = ((WebhookEvent.Pushes) read(Provider.GITLAB, "gitlab-tag-push.json", "X-Gitlab-Event", "Tag Push Hook")).pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.TAG, "v1.0.0"), tag.ref());
        assertEquals("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", tag.commitSha());
        assertEquals("jsmith/example", tag.repository());
    }

    @Test
    void gitlab_branchDeletion_hasNoCheckoutSha() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("gitlab-push.json"));
        body.putNull("checkout_sha");
        body.put("after", "0000000000000000000000000000000000000000");
        Push push = ((WebhookEvent.Pushes) read(Provider.GITLAB, body, "X-Gitlab-Event", "Push Hook")).pushes().get(0);
        assertTrue(push.deleted());
    }

    @Test
    void bitbucket_push_cloneUrlFromTheRepositoryPage() throws IOException {
        assertEquals(new WebhookEvent.Pushes("repo:push", List.of(new Push(Provider.BITBUCKET, "cloudbeers/temp",
                "https://bitbucket.org/cloudbeers/temp.git", new Push.Ref(Push.Ref.Kind.BRANCH, "master"),
                "e42fac24456e4a56f1b7f9358afc3070e3b7ddec"))),
                read(Provider.BITBUCKET, "bitbucket-push.json", "X-Event-Key", "repo:push"));
    }

    @Test
    void bitbucket_closedBranch_isADeletion() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("bitbucket-push.json"));
        ((ObjectNode) body.at("/push/changes/0")).putNull("new");
        Push push = ((WebhookEvent.Pushes) read(Provider.BITBUCKET, body, "X-Event-Key", "repo:push")).pushes().get(0);
        assertEquals(new Push.Ref(Push.Ref.Kind.BRANCH, "master"), push.ref());
        assertTrue(push.deleted());
    }

    @Test
    void bitbucket_otherEventKey_isIgnored() throws IOException {
        assertInstanceOf(WebhookEvent.Ignored.class, read(Provider.BITBUCKET, "bitbucket-push.json", "X-Event-Key", "pullrequest:created"));
    }

    @Test
    void pushWithoutCloneUrl_isAnErrorNamingTheField() throws IOException {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-push-branch.json"));
        ((ObjectNode) body.get("repository")).remove("clone_url");
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> read(Provider.GITHUB, body, "X-GitHub-Event", "push"));
        assertEquals("body.repository.clone_url: is required in a push event", e.getMessage());
    }

    @Test
    void deliveryId_perProvider_andTheBodyHashWhenNoneIsSent() {
        byte[] body = "{}".getBytes();
        assertEquals("72d3162e-cc78-11e3-81ab-4c9367dc0958", DeliveryId.of(new WebhookRequest(Provider.GITHUB,
                Map.of("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"), body)));
        assertEquals("idem-1", DeliveryId.of(new WebhookRequest(Provider.GITLAB,
                Map.of("Idempotency-Key", "idem-1", "X-Gitlab-Event-UUID", "uuid-1"), body)));
        assertEquals("uuid-1", DeliveryId.of(new WebhookRequest(Provider.GITLAB, Map.of("X-Gitlab-Event-UUID", "uuid-1"), body)));
        assertEquals("req-1", DeliveryId.of(new WebhookRequest(Provider.BITBUCKET, Map.of("X-Request-UUID", "req-1"), body)));
        assertEquals("sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                DeliveryId.of(new WebhookRequest(Provider.GITLAB, Map.of(), body)));
    }
}
