package dev.ecrpush.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.CommitStatusWorldResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.GitHostFake;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.LogCapture;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.WebhookSigning;

/**
 * Commit statuses and comparisons through the application, with GitHub's and GitLab's tokens configured and their
 * APIs faked: a signed push starts its build and posts {@code pending}, the build's state-change event posts its
 * end; a failing status API changes nothing of the build; a GitLab push whose event lists 2 of its 4 commits is
 * decided by GitLab's compare API. Every request is asserted as the Git host received it.
 */
@QuarkusTest
@QuarkusTestResource(value = CommitStatusWorldResource.class, restrictToAnnotatedClass = true)
class CommitStatusRouteTest {
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String STATUSES = "/repos/Codertocat/Hello-World/statuses/" + SHA;
    private static final String GITLAB_BEFORE = "95790bf891e76fee5e1747ab589903a6a1f80f22";
    private static final String GITLAB_AFTER = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;
    @InjectFake
    GitHostFake host;

    @BeforeEach
    void resetFakes() {
        CommitStatusWorldResource.stubDefaults(world);
        host.reset();
    }

    /** A recorded payload made unique, since every delivery is keyed by its signed body. */
    private static byte[] fresh(String file) {
        String body = new String(WebhookSigning.recorded(file), StandardCharsets.UTF_8);
        int brace = body.indexOf('{');
        return (body.substring(0, brace + 1) + "\"testDelivery\": \"" + UUID.randomUUID() + "\", " + body.substring(brace + 1))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static String githubPush(byte[] body) {
        return FromEdge.given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)).body(body)
                .post("/webhooks/github").then().statusCode(202).extract().asString();
    }

    private static JsonNode gitlabPush(byte[] body) throws Exception {
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        return Fixtures.JSON.readTree(FromEdge.given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body))
                .body(body).post("/webhooks/gitlab").then().statusCode(202).extract().asString());
    }

    /** The build's state change, as EventBridge delivers it, with CodeBuild reading it back as {@code status}. */
    private JsonNode stateChange(String buildId, String status) throws Exception {
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", "{\"builds\":[{\"id\":\"" + buildId + "\",\"buildStatus\":\"" + status
                + "\",\"currentPhase\":\"COMPLETED\"}]}");
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId);
        return Fixtures.JSON.readTree(FromEdge.given().body(event.toString().getBytes(StandardCharsets.UTF_8))
                .contentType("application/json").post("/internal/events").then().statusCode(200).extract().asString());
    }

    private static JsonNode body(LoggedRequest request) throws Exception {
        return Fixtures.JSON.readTree(request.getBodyAsString());
    }

    private Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    @Test
    void signedPush_startsTheBuild_postsPending_andTheStateChangePostsSuccess() throws Exception {
        try (LogCapture log = LogCapture.of("dev.ecrpush")) {
            // when: a signed GitHub push of master, which the trigger hello-world builds
            String text = githubPush(fresh("github-push-branch.json"));
            JsonNode answer = Fixtures.JSON.readTree(text);
            // then: the build started, and GitHub got exactly one pending status, with the build's logs
            JsonNode build = answer.at("/refs/0/builds/0");
            assertEquals("hello-world", build.get("trigger").asText());
            assertEquals("STARTED", build.get("status").asText(), text);
            String logs = build.at("/result/logsUrl").asText();
            assertTrue(logs.startsWith("https://console.aws.amazon.com/codesuite/codebuild/projects/"), logs);
            assertEquals(1, aws.requests(START_BUILD).size());
            assertEquals(List.of("POST " + STATUSES), host.calls());
            LoggedRequest pending = host.requests().get(0);
            assertEquals("Bearer " + CommitStatusWorldResource.GITHUB_TOKEN, pending.getHeader("Authorization"));
            assertEquals(Fixtures.JSON.readTree("{\"state\":\"pending\",\"target_url\":\"" + logs + "\","
                    + "\"description\":\"The image build has started\",\"context\":\"ecr-push/hello-world\"}"), body(pending));
            // and where the end goes is remembered with the build
            Map<String, AttributeValue> remembered = item("build#status#" + TriggerWorld.BUILD_ID);
            assertEquals("github", remembered.get("host").s());
            assertEquals("Codertocat/Hello-World", remembered.get("repository").s());
            assertEquals(SHA, remembered.get("sha").s());
            // when: the build's state change
            stateChange(TriggerWorld.BUILD_ID, "SUCCEEDED");
            // then: success, on the same commit, context and link
            assertEquals(List.of("POST " + STATUSES, "POST " + STATUSES), host.calls());
            LoggedRequest success = host.requests().get(1);
            assertEquals("Bearer " + CommitStatusWorldResource.GITHUB_TOKEN, success.getHeader("Authorization"));
            assertEquals(Fixtures.JSON.readTree("{\"state\":\"success\",\"target_url\":\"" + logs + "\","
                    + "\"description\":\"The image was built and pushed\",\"context\":\"ecr-push/hello-world\"}"), body(success));
            // and the token is in no answer and no log line
            assertFalse(text.contains(CommitStatusWorldResource.GITHUB_TOKEN));
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(CommitStatusWorldResource.GITHUB_TOKEN)), "the token was logged");
        }
    }

    /** The event says SUCCEEDED (events/codebuild-state-change.json); CodeBuild reads the build back as STOPPED. */
    @Test
    void aBuildIsReportedAsReadBack_notAsItsEventSays_aStoppedOneAsAnErrorSayingCancelled() throws Exception {
        githubPush(fresh("github-push-branch.json"));
        stateChange(TriggerWorld.BUILD_ID, "STOPPED");
        JsonNode end = body(host.requests().get(1));
        assertEquals("error", end.get("state").asText());
        assertEquals("The image build was cancelled", end.get("description").asText());
    }

    @Test
    void aFailingStatusApi_isTriedTwice_andTheBuildIsStartedAllTheSame() throws Exception {
        // given: GitHub's status API fails
        host.stub(post(urlPathEqualTo(STATUSES)).willReturn(aResponse().withStatus(502)));
        // when
        JsonNode answer = Fixtures.JSON.readTree(githubPush(fresh("github-push-branch.json")));
        // then: STARTED, answered 202, and the status tried twice
        assertEquals("ACCEPTED", answer.get("status").asText());
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText());
        assertEquals(List.of("POST " + STATUSES, "POST " + STATUSES), host.calls());
        // and the build's event is handled all the same
        assertEquals("IGNORED", stateChange(TriggerWorld.BUILD_ID, "FAILED").get("status").asText());
        assertEquals(4, host.calls().size());
    }

    @Test
    void aBuildWithoutARememberedStatus_postsNothing() throws Exception {
        // a build the function never started has no remembered status
        stateChange("ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000ff", "SUCCEEDED");
        assertEquals(List.of(), host.calls());
    }

    @Test
    void gitlabPushThatListsTooFewCommits_isDecidedByTheComparison() throws Exception {
        // given: GitLab's comparison lists no file under src/, which diaspora-src needs
        String compare = "/api/v4/projects/mike%2Fdiaspora/repository/compare";
        host.stub(get(urlPathEqualTo(compare)).willReturn(aResponse().withStatus(200)
                .withBody("{\"diffs\":[{\"old_path\":\"README.md\",\"new_path\":\"README.md\"}]}")));
        byte[] push = new String(fresh("gitlab-push.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/master", "refs/heads/filtered-x").getBytes(StandardCharsets.UTF_8);
        // when
        JsonNode filtered = gitlabPush(push);
        // then: filtered by the comparison's files, nothing started, GitLab asked once with the token
        assertEquals("FILTERED", filtered.get("status").asText(), filtered::toString);
        assertEquals("paths: none of the 1 changed file(s) matches", filtered.at("/refs/0/builds/0/reason").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of("GET " + compare + "?from=" + GITLAB_BEFORE + "&to=" + GITLAB_AFTER), host.calls());
        assertEquals(CommitStatusWorldResource.GITLAB_TOKEN, host.requests().get(0).getHeader("PRIVATE-TOKEN"));
        // when: the comparison lists a file under src/
        host.reset();
        host.stub(get(urlPathEqualTo(compare)).willReturn(aResponse().withStatus(200)
                .withBody("{\"diffs\":[{\"old_path\":\"src/app.rb\",\"new_path\":\"src/app.rb\"}]}")));
        JsonNode built = gitlabPush(new String(fresh("gitlab-push.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/master", "refs/heads/filtered-x").getBytes(StandardCharsets.UTF_8));
        // then: built, with no note, and its pending status posted to GitLab
        assertEquals("STARTED", built.at("/refs/0/builds/0/status").asText(), built::toString);
        assertTrue(built.at("/refs/0/builds/0/note").isMissingNode(), built::toString);
        assertEquals(List.of("GET " + compare + "?from=" + GITLAB_BEFORE + "&to=" + GITLAB_AFTER,
                "POST /api/v4/projects/mike%2Fdiaspora/statuses/" + GITLAB_AFTER), host.calls());
        JsonNode pending = body(host.requests().get(1));
        assertEquals("pending", pending.get("state").asText());
        assertEquals("ecr-push/diaspora-src", pending.get("name").asText());
    }

    @Test
    void bitbucketPush_whichListsNoFiles_isDecidedByTheDiffstatFromItsOldCommit() throws Exception {
        // given: Bitbucket's diffstat from the change's old commit lists a file under src/, which temp-src needs
        String after = "e42fac24456e4a56f1b7f9358afc3070e3b7ddec";
        String diffstat = "/2.0/repositories/cloudbeers/temp/diffstat/" + after + "..501bf5b99365d1d870882254b9360c17172bda0e";
        host.stub(get(urlPathEqualTo(diffstat)).willReturn(aResponse().withStatus(200)
                .withBody("{\"values\":[{\"old\":null,\"new\":{\"path\":\"src/Jenkinsfile\"}}]}")));
        byte[] push = new String(fresh("bitbucket-push.json"), StandardCharsets.UTF_8)
                .replace("\"name\": \"master\"", "\"name\": \"filtered-x\"").getBytes(StandardCharsets.UTF_8);
        // when
        JsonNode answer = Fixtures.JSON.readTree(FromEdge.given().contentType("application/json").header("X-Event-Key", "repo:push")
                .header("X-Hub-Signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, push)).body(push)
                .post("/webhooks/bitbucket").then().statusCode(202).extract().asString());
        // then: built with no note, after one diffstat request, and reported INPROGRESS with its key
        assertEquals("temp-src", answer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertTrue(answer.at("/refs/0/builds/0/note").isMissingNode(), answer::toString);
        assertEquals(List.of("GET " + diffstat, "POST /2.0/repositories/cloudbeers/temp/commit/" + after + "/statuses/build"),
                host.calls());
        assertTrue(host.requests().stream().allMatch(r -> ("Bearer " + CommitStatusWorldResource.BITBUCKET_TOKEN)
                .equals(r.getHeader("Authorization"))));
        JsonNode status = body(host.requests().get(1));
        assertEquals("INPROGRESS", status.get("state").asText());
        assertEquals("ecr-push/temp-src", status.get("key").asText());
        assertEquals(answer.at("/refs/0/builds/0/result/logsUrl").asText(), status.get("url").asText());
    }

    @Test
    void aComparisonThatFails_buildsWithTheNote() throws Exception {
        host.stub(get(urlPathEqualTo("/api/v4/projects/mike%2Fdiaspora/repository/compare")).willReturn(aResponse().withStatus(500)));
        JsonNode built = gitlabPush(new String(fresh("gitlab-push.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/master", "refs/heads/filtered-x").getBytes(StandardCharsets.UTF_8));
        assertEquals("STARTED", built.at("/refs/0/builds/0/status").asText(), built::toString);
        assertEquals("changed files unknown: GitLab lists 2 of the push's 4 commits; gitlab's compare API answered HTTP 500; built",
                built.at("/refs/0/builds/0/note").asText());
    }
}
