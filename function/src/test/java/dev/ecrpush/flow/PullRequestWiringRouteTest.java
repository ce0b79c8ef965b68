package dev.ecrpush.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

import dev.ecrpush.flow.SupersededBuildsFlowTest.Commit;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.CommitStatusWorldResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.GitHostFake;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.WebhookSigning;

/**
 * A pull request's builds through the application, with the Git hosts' tokens configured and their APIs faked, the
 * fork holds and the running builds in DynamoDB Local: an opened request's build posts {@code pending} on its head
 * commit in its base repository and its state change posts the end, a held fork request posts nothing; and a
 * trigger with {@code cancelSuperseded} ({@code cancel-prs} of run-triggers.json, which builds pushes of master and
 * requests into it) stops a request's earlier build when the request gets new commits, but never a push's build for
 * a request's, nor a request's for a push's; a trigger with a {@code paths} filter ({@code paths-prs}) decides a
 * request by GitHub's comparison of its base and head commits, a fork's too. Every request is asserted as the Git host
 * and CodeBuild received it.
 */
@QuarkusTest
@QuarkusTestResource(value = CommitStatusWorldResource.class, restrictToAnnotatedClass = true)
class PullRequestWiringRouteTest {
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";
    private static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    /** The recorded GitHub requests' head commit. */
    private static final String GITHUB_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private static final String GITLAB_HEAD = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;
    @InjectFake
    GitHostFake host;

    @BeforeEach
    void resetFakes() {
        CommitStatusWorldResource.stubDefaults(world);
        aws.reply(STOP_BUILD, "{\"build\": {}}");
        host.reset();
    }

    /** A recorded payload made unique (a field no host reads, first), since a delivery is keyed by its signed body. */
    private static String fresh(String file) {
        String body = new String(WebhookSigning.recorded(file), StandardCharsets.UTF_8);
        int brace = body.indexOf('{');
        return body.substring(0, brace + 1) + "\"testDelivery\": \"" + UUID.randomUUID() + "\", " + body.substring(brace + 1);
    }

    private static RequestSpecification github(String event, byte[] body) {
        return FromEdge.given().contentType("application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)).body(body);
    }

    private static JsonNode post(RequestSpecification request, String host) throws Exception {
        return Fixtures.JSON.readTree(request.post("/webhooks/" + host).then().statusCode(202).extract().asString());
    }

    /** The build's state change, as EventBridge delivers it, with CodeBuild reading it back as {@code status}. */
    private void stateChange(String buildId, String status) throws Exception {
        aws.reply(BATCH_GET_BUILDS, "{\"builds\":[{\"id\":\"" + buildId + "\",\"buildStatus\":\"" + status
                + "\",\"currentPhase\":\"COMPLETED\"}]}");
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId);
        FromEdge.given().body(event.toString().getBytes(StandardCharsets.UTF_8)).contentType("application/json")
                .post("/internal/events").then().statusCode(200);
    }

    private static JsonNode body(LoggedRequest request) throws Exception {
        return Fixtures.JSON.readTree(request.getBodyAsString());
    }

    @Test
    void githubPullRequestOpened_postsPendingOnItsHeadCommitInTheBaseRepository_andItsStateChangeTheEnd() throws Exception {
        // when: a signed pull request opened into master, which hello-world-prs builds
        JsonNode answer = post(github("pull_request", fresh("github-pull-request-opened.json").getBytes(StandardCharsets.UTF_8)),
                "github");
        // then: built, and GitHub got exactly one pending status on the head commit, in the base repository, with the logs
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("hello-world-prs", build.get("trigger").asText(), answer::toString);
        assertEquals("STARTED", build.get("status").asText(), answer::toString);
        String logs = build.at("/result/logsUrl").asText();
        assertTrue(logs.startsWith("https://console.aws.amazon.com/codesuite/codebuild/projects/"), logs);
        String statuses = "/repos/Codertocat/Hello-World/statuses/" + GITHUB_HEAD;
        assertEquals(List.of("POST " + statuses), host.calls());
        assertEquals("Bearer " + CommitStatusWorldResource.GITHUB_TOKEN, host.requests().get(0).getHeader("Authorization"));
        assertEquals(Fixtures.JSON.readTree("{\"state\":\"pending\",\"target_url\":\"" + logs + "\","
                + "\"description\":\"The image build has started\",\"context\":\"ecr-push/hello-world-prs\"}"),
                body(host.requests().get(0)));
        // when: the build's state change
        stateChange(TriggerWorld.BUILD_ID, "SUCCEEDED");
        // then: its end, on the same commit, context and link
        assertEquals(List.of("POST " + statuses, "POST " + statuses), host.calls());
        assertEquals(Fixtures.JSON.readTree("{\"state\":\"success\",\"target_url\":\"" + logs + "\","
                + "\"description\":\"The image was built and pushed\",\"context\":\"ecr-push/hello-world-prs\"}"),
                body(host.requests().get(1)));
    }

    @Test
    void gitlabMergeRequestOpened_postsPendingOnItsLastCommitInTheTargetProject() throws Exception {
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        byte[] body = fresh("gitlab-merge-request.json").getBytes(StandardCharsets.UTF_8);
        JsonNode answer = post(FromEdge.given().contentType("application/json").header("X-Gitlab-Event", "Merge Request Hook")
                .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body))
                .body(body), "gitlab");
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        String logs = answer.at("/refs/0/builds/0/result/logsUrl").asText();
        assertEquals(List.of("POST /api/v4/projects/awesome_space%2Fawesome_project/statuses/" + GITLAB_HEAD), host.calls());
        assertEquals(CommitStatusWorldResource.GITLAB_TOKEN, host.requests().get(0).getHeader("PRIVATE-TOKEN"));
        assertEquals(Fixtures.JSON.readTree("{\"state\":\"pending\",\"name\":\"ecr-push/awesome-project-mrs\",\"target_url\":\""
                + logs + "\",\"description\":\"The image build has started\"}"), body(host.requests().get(0)));
    }

    @Test
    void githubPullRequestFromAFork_isHeld_andPostsNoStatus() throws Exception {
        JsonNode answer = post(github("pull_request", fresh("github-pull-request-fork.json").getBytes(StandardCharsets.UTF_8)),
                "github");
        assertEquals("HELD", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of(), host.calls());
    }

    /** A request's number of its own for one test, so that its builds' order starts afresh. */
    private static int number() {
        return ThreadLocalRandom.current().nextInt(100, 1_000_000);
    }

    /**
     * GitHub's recorded {@code synchronize} delivery (new commits on request 2 of Codertocat/Hello-World) as the
     * request {@code number} of acme/cancel-prs whose head is now {@code commit}, which CodeBuild starts as its build.
     */
    private JsonNode synchronize(int number, Commit commit) throws Exception {
        aws.replyWhenBodyContains(START_BUILD, commit.sha(), AwsFake.json("{\"build\":{\"id\":\"" + commit.build() + "\"}}"));
        String body = fresh("github-pull-request-synchronize.json").replace("Codertocat/Hello-World", "acme/cancel-prs")
                .replace(GITHUB_HEAD, commit.sha()).replace("\"number\": 2,", "\"number\": " + number + ",");
        return post(github("pull_request", body.getBytes(StandardCharsets.UTF_8)), "github");
    }

    /** A push of master of acme/cancel-prs whose build is {@code commit.build()}. */
    private JsonNode pushOfMaster(Commit commit) throws Exception {
        aws.replyWhenBodyContains(START_BUILD, commit.sha(), AwsFake.json("{\"build\":{\"id\":\"" + commit.build() + "\"}}"));
        byte[] body = SupersededBuildsFlowTest.pushBody("acme/cancel-prs", "master", commit);
        return post(FromEdge.given().headers(SupersededBuildsFlowTest.headers(body)).body(body), "github");
    }

    /** CodeBuild reads the build back as running. */
    private void running(Commit commit) {
        aws.replyWhenBodyContains(BATCH_GET_BUILDS, commit.build(), AwsFake.json("{\"builds\":[{\"id\":\"" + commit.build()
                + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":\"IN_PROGRESS\",\"currentPhase\":\"BUILD\"}]}"));
    }

    private List<String> stopped() {
        return aws.bodies(STOP_BUILD).stream().map(JsonNode::toString).toList();
    }

    @Test
    void newCommitsOnAPullRequest_startTheirBuild_thenStopTheRequestsEarlierBuild() throws Exception {
        // given: a request's build still running
        int pr = number();
        Commit a = Commit.next();
        Commit b = Commit.next();
        JsonNode first = synchronize(pr, a);
        assertEquals("cancel-prs", first.at("/refs/0/builds/0/trigger").asText(), first::toString);
        assertEquals(Fixtures.JSON.readTree("{\"push\": 1, \"stopped\": []}"), first.at("/refs/0/builds/0/cancelSuperseded"),
                first::toString);
        running(a);
        aws.resetRequests();
        // when: the request's next commits
        JsonNode second = synchronize(pr, b);
        // then: their build starts, then the first is stopped, exactly as CodeBuild receives it
        assertEquals("STARTED", second.at("/refs/0/builds/0/status").asText(), second::toString);
        assertEquals(b.build(), second.at("/refs/0/builds/0/result/buildId").asText(), second::toString);
        assertEquals(List.of("StartBuild", "BatchGetBuilds", "StopBuild"), aws.operations().stream()
                .filter(op -> op.endsWith("Build") || op.endsWith("Builds")).toList());
        assertEquals(List.of(Fixtures.JSON.readTree("{\"id\": \"" + a.build() + "\"}")), aws.bodies(STOP_BUILD));
        assertEquals(Fixtures.JSON.readTree("{\"push\": 2, \"stopped\": [{\"buildId\": \"" + a.build()
                + "\", \"push\": 1, \"result\": \"STOPPED\"}]}"), second.at("/refs/0/builds/0/cancelSuperseded"));
        // and the new head commit got its pending status, in the base repository
        assertTrue(host.calls().contains("POST /repos/acme/cancel-prs/statuses/" + b.sha()), host.calls()::toString);
    }

    @Test
    void aPushOfTheTargetBranch_andAPullRequestIntoIt_neverStopEachOthersBuilds() throws Exception {
        // given: a request into master with a build running
        int pr = number();
        Commit a = Commit.next();
        synchronize(pr, a);
        running(a);
        // when: a push of master, built by the same trigger
        Commit p = Commit.next();
        JsonNode push = pushOfMaster(p);
        // then: it starts its build, first in its own sequence, and stops nothing
        assertEquals("STARTED", push.at("/refs/0/builds/0/status").asText(), push::toString);
        assertEquals(Fixtures.JSON.readTree("{\"push\": 1, \"stopped\": []}"), push.at("/refs/0/builds/0/cancelSuperseded"),
                push::toString);
        assertEquals(List.of(), stopped());
        running(p);
        // when: the request's next commits
        synchronize(pr, Commit.next());
        // then: the request's earlier build is stopped, and the push's is not
        assertEquals(List.of("{\"id\":\"" + a.build() + "\"}"), stopped());
        // when: the next push of master
        pushOfMaster(Commit.next());
        // then: the earlier push's build is stopped, and no request's
        assertEquals(List.of("{\"id\":\"" + a.build() + "\"}", "{\"id\":\"" + p.build() + "\"}"), stopped());
    }

    /** GitHub's comparison of the recorded requests' base commit with their head commit, in acme/paths-prs. */
    private static final String COMPARE = "/repos/acme/paths-prs/compare/f95f852bd8fca8fcc58a9a2d6c842781e32a215e..." + GITHUB_HEAD;

    private void compares(String... files) {
        StringBuilder listed = new StringBuilder();
        for (String file : files) {
            listed.append(listed.length() == 0 ? "" : ",").append("{\"filename\":\"").append(file).append("\",\"status\":\"modified\"}");
        }
        host.stub(get(urlPathEqualTo(COMPARE)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"ahead\",\"files\":[" + listed + "]}")));
    }

    /** A recorded GitHub pull request delivery, into master of acme/paths-prs. */
    private JsonNode intoPathsPrs(String file) throws Exception {
        byte[] body = fresh(file).replace("\"full_name\": \"Codertocat/Hello-World\"", "\"full_name\": \"acme/paths-prs\"")
                .getBytes(StandardCharsets.UTF_8);
        return post(github("pull_request", body), "github");
    }

    @Test
    void pullRequestThatChangesNoWatchedPath_asGitHubComparesIt_isFiltered() throws Exception {
        // given: GitHub's comparison of the request lists no file under src/
        compares("README.md");
        // when
        JsonNode answer = intoPathsPrs("github-pull-request-opened.json");
        // then: filtered, nothing started, GitHub asked once for the comparison, with the token, and no status posted
        assertEquals("FILTERED", answer.get("status").asText(), answer::toString);
        assertEquals("paths-prs", answer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("paths: none of the 1 changed file(s) matches", answer.at("/refs/0/builds/0/reason").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of("GET " + COMPARE), host.calls());
        assertEquals("Bearer " + CommitStatusWorldResource.GITHUB_TOKEN, host.requests().get(0).getHeader("Authorization"));
    }

    @Test
    void pullRequestThatChangesAWatchedPath_isBuilt_withoutANote() throws Exception {
        compares("README.md", "src/app.rb");
        JsonNode answer = intoPathsPrs("github-pull-request-opened.json");
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertTrue(answer.at("/refs/0/builds/0/note").isMissingNode(), answer::toString);
        assertEquals(List.of("GET " + COMPARE, "POST /repos/acme/paths-prs/statuses/" + GITHUB_HEAD), host.calls());
        assertEquals(1, aws.requests(START_BUILD).size());
    }

    /** GitHub keeps a fork request's commits in the base repository: it is compared there, and not held when filtered. */
    @Test
    void forkRequestThatChangesNoWatchedPath_isComparedInTheBaseRepository_andNeitherHeldNorBuilt() throws Exception {
        compares("docs/index.md");
        JsonNode answer = intoPathsPrs("github-pull-request-fork.json");
        assertEquals("FILTERED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertEquals(List.of("GET " + COMPARE), host.calls());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void aComparisonThatFails_buildsTheRequest_withTheNote() throws Exception {
        host.stub(get(urlPathEqualTo(COMPARE)).willReturn(aResponse().withStatus(500)));
        JsonNode answer = intoPathsPrs("github-pull-request-opened.json");
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertEquals("changed files unknown: github's compare API answered HTTP 500; built", answer.at("/refs/0/builds/0/note").asText());
    }

    /**
     * The hold keeps the base commit the fork's event reported: the approval's build is decided by the same
     * comparison, not built blind with a note.
     */
    @Test
    void approvedForkRequest_isComparedAgain_andBuiltWithoutANote() throws Exception {
        // given: a fork's request that changes a file under src/, held
        compares("src/app.rb");
        JsonNode held = intoPathsPrs("github-pull-request-fork.json");
        assertEquals("HELD", held.at("/refs/0/builds/0/status").asText(), held::toString);
        // when: the base repository's owner comments /build <head> (events/webhook-github-pr-comment.json's body)
        host.reset();
        compares("src/app.rb");
        String comment = Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/webhook-github-pr-comment.json")))
                .get("body").asText().replace("\"full_name\": \"Codertocat/Hello-World\"", "\"full_name\": \"acme/paths-prs\"");
        assertTrue(comment.contains("acme/paths-prs"));
        JsonNode approved = post(github("issue_comment", comment.getBytes(StandardCharsets.UTF_8)), "github");
        // then: compared again, from the base commit held, built from the fork with no note, and pending posted
        assertEquals("STARTED", approved.at("/refs/0/builds/0/status").asText(), approved::toString);
        assertTrue(approved.at("/refs/0/builds/0/note").isMissingNode(), approved::toString);
        assertEquals(List.of("GET " + COMPARE, "POST /repos/acme/paths-prs/statuses/" + GITHUB_HEAD), host.calls());
        assertEquals("https://github.com/Octocoders/Hello-World.git",
                aws.bodies(START_BUILD).get(0).get("sourceLocationOverride").asText());
    }
}
