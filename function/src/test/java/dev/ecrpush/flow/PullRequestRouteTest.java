package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;
import dev.ecrpush.trigger.Trigger;

/**
 * Pull request deliveries through the application: each host's recorded, signed event, the trigger set of the
 * SSM fake ({@code run-triggers.json}: a pull request trigger per host, next to the push triggers of the same
 * repositories), runs remembered in DynamoDB Local, and the builds as CodeBuild's and ECS's fakes received them. The
 * fork approvals and the pull request images are mocked: what they are asked, and what the delivery does with
 * their answers, is what is asserted here.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class PullRequestRouteTest {
    private static final String START_BUILD = "CodeBuild_20161006.StartBuild";
    private static final String RUN_TASK = AwsFake.ECS + "RunTask";
    private static final String GITHUB_HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    private ForkApprovals forkApprovals;
    private PullRequestImages images;

    @BeforeEach
    void setUp() {
        world.stubDefaults();
        forkApprovals = mock(ForkApprovals.class);
        images = mock(PullRequestImages.class);
        QuarkusMock.installMockForType(forkApprovals, ForkApprovals.class);
        QuarkusMock.installMockForType(images, PullRequestImages.class);
    }

    /** A recorded payload made unique (a field no host reads, first), since a delivery is keyed by its signed body. */
    private static byte[] fresh(String file) {
        String body = new String(WebhookSigning.recorded(file), StandardCharsets.UTF_8);
        int brace = body.indexOf('{');
        return (body.substring(0, brace + 1) + "\"testDelivery\": \"" + UUID.randomUUID() + "\", " + body.substring(brace + 1))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static RequestSpecification github(String event, byte[] body) {
        return FromEdge.given().contentType("application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)).body(body);
    }

    /** Signed as GitLab signs a delivery when it sends it, with the world's signing token. */
    private static RequestSpecification gitlab(String event, byte[] body) {
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        return FromEdge.given().contentType("application/json").header("X-Gitlab-Event", event)
                .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body))
                .body(body);
    }

    private static RequestSpecification bitbucket(String event, byte[] body) {
        return FromEdge.given().contentType("application/json").header("X-Event-Key", event)
                .header("X-Request-UUID", UUID.randomUUID().toString())
                .header("X-Hub-Signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body)).body(body);
    }

    private static RequestSpecification gitea(String event, byte[] body) {
        return FromEdge.given().contentType("application/json").header("X-Gitea-Event", event)
                .header("X-Gitea-Delivery", UUID.randomUUID().toString())
                .header("X-Gitea-Signature", WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body)).body(body);
    }

    private static JsonNode post(RequestSpecification request, String host, int status) throws Exception {
        return Fixtures.JSON.readTree(request.post("/webhooks/" + host).then().statusCode(status).extract().asString());
    }

    /** The plugin's environment as CodeBuild's StartBuild received it. */
    private static Map<String, String> pluginEnvironment(JsonNode startBuild) {
        Map<String, String> env = new HashMap<>();
        startBuild.get("environmentVariablesOverride").forEach(v -> env.put(v.get("name").asText(), v.get("value").asText()));
        return env;
    }

    /** A container's environment as ECS's RunTask received it. */
    private static Map<String, String> containerEnvironment(JsonNode runTask, int container) {
        Map<String, String> env = new HashMap<>();
        runTask.at("/overrides/containerOverrides/" + container + "/environment")
                .forEach(v -> env.put(v.get("name").asText(), v.get("value").asText()));
        return env;
    }

    @Test
    void githubPullRequestOpened_buildsTheHeadCommit_withThePullRequestTags_andOnlyThePullRequestTrigger() throws Exception {
        // when
        JsonNode answer = post(github("pull_request", fresh("github-pull-request-opened.json")), "github", 202);
        // then: hello-world-prs alone (hello-world, on the same repository and branch, builds pushes only)
        assertEquals("ACCEPTED", answer.get("status").asText(), answer::toString);
        assertEquals("pull/2", answer.at("/refs/0/ref").asText());
        assertEquals(1, answer.at("/refs/0/builds").size(), answer::toString);
        assertEquals("hello-world-prs", answer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText());
        List<JsonNode> starts = aws.bodies(START_BUILD);
        assertEquals(1, starts.size());
        assertEquals("pr-2,pr-2-ec26c3e", pluginEnvironment(starts.get(0)).get("PLUGIN_TAGS"));
        assertEquals(GITHUB_HEAD, starts.get(0).get("sourceVersion").asText());
        assertEquals("https://github.com/Codertocat/Hello-World.git", starts.get(0).get("sourceLocationOverride").asText());
        // and the started build's images are remembered for the request's closing
        ArgumentCaptor<StepResult> result = ArgumentCaptor.forClass(StepResult.class);
        verify(images).built(any(Trigger.class), eq(new PullRequest("github", "Codertocat/Hello-World", 2, "Codertocat/Hello-World",
                "https://github.com/Codertocat/Hello-World.git", "changes", "master", GITHUB_HEAD, "Codertocat",
                "Update the README with new information.", "f95f852bd8fca8fcc58a9a2d6c842781e32a215e")), result.capture());
        assertEquals(TriggerWorld.BUILD_ID, result.getValue().buildId());
        verifyNoInteractions(forkApprovals);
    }

    @Test
    void githubPush_isNotBuiltByThePullRequestTrigger() throws Exception {
        JsonNode answer = post(github("push", fresh("github-push-branch.json")), "github", 202);
        assertEquals(1, answer.at("/refs/0/builds").size(), answer::toString);
        assertEquals("hello-world", answer.at("/refs/0/builds/0/trigger").asText());
        assertEquals(List.of("<+codebase.shortCommitSha>", "<+trigger.type>").size(),
                pluginEnvironment(aws.bodies(START_BUILD).get(0)).get("PLUGIN_TAGS").split(",").length);
        verifyNoInteractions(images, forkApprovals);
    }

    @Test
    void gitlabMergeRequestOpened_buildsTheLastCommit_withThePullRequestTags() throws Exception {
        JsonNode answer = post(gitlab("Merge Request Hook", fresh("gitlab-merge-request.json")), "gitlab", 202);
        assertEquals("awesome-project-mrs", answer.at("/refs/0/builds/0/trigger").asText(), answer::toString);
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        JsonNode start = aws.bodies(START_BUILD).get(0);
        assertEquals(1, aws.bodies(START_BUILD).size());
        assertEquals("pr-1,pr-1-da15608", pluginEnvironment(start).get("PLUGIN_TAGS"));
        assertEquals("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", start.get("sourceVersion").asText());
        assertEquals("http://example.com/awesome_space/awesome_project.git", start.get("sourceLocationOverride").asText());
    }

    @Test
    void bitbucketPullRequestCreated_buildsTheShortHeadHash_withThePullRequestTags() throws Exception {
        JsonNode answer = post(bitbucket("pullrequest:created", fresh("bitbucket-pull-request-created.json")), "bitbucket", 202);
        assertEquals("temp-prs", answer.at("/refs/0/builds/0/trigger").asText(), answer::toString);
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        JsonNode start = aws.bodies(START_BUILD).get(0);
        assertEquals(1, aws.bodies(START_BUILD).size());
        assertEquals("pr-1,pr-1-a72355f", pluginEnvironment(start).get("PLUGIN_TAGS"));
        assertEquals("a72355f35fde", start.get("sourceVersion").asText());
        assertEquals("https://bitbucket.org/cloudbeers/temp.git", start.get("sourceLocationOverride").asText());
    }

    /**
     * The recorded Gitea delivery is from try.gitea.io, which this world's policy does not allow to be cloned
     * ({@code buildpush.policy.repo-hosts}); served from the allowed http://localhost:3000 instead, as the push
     * events of a local Gitea are.
     */
    private static byte[] giteaOnLocalhost(String file) {
        return new String(fresh(file), StandardCharsets.UTF_8).replace("https://try.gitea.io/", "http://localhost:3000/")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void giteaPullRequestOpened_buildsTheHeadCommitOnEcs_withThePullRequestTags() throws Exception {
        JsonNode answer = post(gitea("pull_request", giteaOnLocalhost("gitea-pull-request-opened.json")), "gitea", 202);
        assertEquals("my-repo-prs", answer.at("/refs/0/builds/0/trigger").asText(), answer::toString);
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        JsonNode runTask = aws.bodies(RUN_TASK).get(0);
        assertEquals(1, aws.bodies(RUN_TASK).size());
        assertEquals("pr-1,pr-1-2eba238", containerEnvironment(runTask, 1).get("PLUGIN_TAGS"));
        Map<String, String> source = containerEnvironment(runTask, 0);
        assertEquals("http://localhost:3000/jcitizen/my-repo.git", source.get("GIT_REPO_URL"));
        assertEquals("2eba238e33607c1fa49253182e9fff42baafa1eb", source.get("GIT_COMMIT"));
        assertEquals("feature", source.get("GIT_BRANCH"));
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void pullRequestWhoseHeadIsOnAHostThePolicyDoesNotAllow_isRefused_beforeAnyAwsCall() throws Exception {
        // given: the head repository's clone URL is the request's, whoever opened it
        aws.resetRequests();
        // when
        JsonNode answer = post(gitea("pull_request", fresh("gitea-pull-request-opened.json")), "gitea", 403);
        // then
        assertEquals("NotAllowedException", answer.at("/refs/0/builds/0/error/errorType").asText(), answer::toString);
        // nothing but reading the webhook secret and the trigger set, which came before
        assertEquals(List.of(), aws.operations().stream().filter(op -> !op.equals("GetSecretValue") && !op.equals("GetParameter"))
                .toList());
        verifyNoInteractions(images);
    }

    @Test
    void githubPullRequestFromAFork_isHeld_andStartsNothing() throws Exception {
        // given
        when(forkApprovals.hold(any(), any(), eq("pull/2"))).thenAnswer(call -> new TriggeredBuild(
                ((Trigger) call.getArgument(0)).name(), "pull/2", TriggeredBuild.HELD, "held until /build", null, null, null, null));
        // when
        JsonNode answer = post(github("pull_request", fresh("github-pull-request-fork.json")), "github", 202);
        // then
        assertEquals("HELD", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        ArgumentCaptor<PullRequest> held = ArgumentCaptor.forClass(PullRequest.class);
        verify(forkApprovals).hold(any(Trigger.class), held.capture(), eq("pull/2"));
        assertEquals("https://github.com/Octocoders/Hello-World.git", held.getValue().headCloneUrl());
        assertEquals(List.of(), aws.requests(START_BUILD));
        verifyNoInteractions(images);
    }

    @Test
    void githubApprovalComment_buildsTheHeldForkRequest_fromTheFork() throws Exception {
        // given: the approvals say this comment approves the fork's request for hello-world-prs
        PullRequest fork = new PullRequest("github", "Codertocat/Hello-World", 2, "Octocoders/Hello-World",
                "https://github.com/Octocoders/Hello-World.git", "changes", "master", GITHUB_HEAD, "Octocoders", null);
        when(forkApprovals.approve(any())).thenReturn(new ForkApprovals.Approval.Approved(fork, List.of("hello-world-prs")));
        // when
        JsonNode answer = post(github("issue_comment", fresh("github-pull-request-comment.json")), "github", 202);
        // then
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        verify(forkApprovals).approve(new WebhookEvent.PullRequestComment("issue_comment", "github", "Codertocat/Hello-World", 1,
                "Codertocat", "OWNER", null, "/build"));
        JsonNode start = aws.bodies(START_BUILD).get(0);
        assertEquals("https://github.com/Octocoders/Hello-World.git", start.get("sourceLocationOverride").asText());
        assertEquals("pr-2,pr-2-ec26c3e", pluginEnvironment(start).get("PLUGIN_TAGS"));
    }

    @Test
    void refusedApprovalComment_isNotApproved_andStartsNothing() throws Exception {
        when(forkApprovals.approve(any())).thenReturn(new ForkApprovals.Approval.Refused("Codertocat may not approve builds"));
        JsonNode answer = post(github("issue_comment", fresh("github-pull-request-comment.json")), "github", 202);
        assertEquals("NOT_APPROVED", answer.get("status").asText(), answer::toString);
        assertEquals("Codertocat may not approve builds", answer.get("reason").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void githubPullRequestClosed_deletesItsImages_andStartsNothing() throws Exception {
        // given
        when(images.closed(any(), any())).thenReturn(new PullRequestImages.Cleanup(List.of("codertocat/hello-world:pr-2"), List.of()));
        // when
        JsonNode answer = post(github("pull_request", fresh("github-pull-request-closed.json")), "github", 202);
        // then
        assertEquals("CLEANED_UP", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertEquals("codertocat/hello-world:pr-2", answer.at("/refs/0/builds/0/result/deleted/0").asText());
        verify(images).closed(any(Trigger.class), any(PullRequest.class));
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    // the events folder

    /** The GitLab events carry the secret token only; GitLab signs each delivery as it sends it, with this world's token. */
    private static byte[] signedAsGitLabWouldSignItNow(byte[] apiGatewayEvent) throws Exception {
        com.fasterxml.jackson.databind.node.ObjectNode event = (com.fasterxml.jackson.databind.node.ObjectNode)
                Fixtures.JSON.readTree(apiGatewayEvent);
        byte[] body = event.get("body").asText().getBytes(StandardCharsets.UTF_8);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        ((com.fasterxml.jackson.databind.node.ObjectNode) event.get("headers")).put("webhook-id", id)
                .put("webhook-timestamp", Long.toString(now))
                .put("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body));
        return Fixtures.JSON.writeValueAsBytes(event);
    }

    /** The application's answer to one of the events folder's API Gateway events, as Lambda receives it. */
    private static JsonNode replay(String file) throws Exception {
        byte[] event = java.nio.file.Files.readAllBytes(dev.ecrpush.support.Repo.path("events", file));
        if (file.contains("gitlab")) {
            event = signedAsGitLabWouldSignItNow(event);
        }
        JsonNode response = Fixtures.JSON.readTree(FromEdge.given().body(event).post("/_lambda_").then().statusCode(200)
                .extract().asString());
        assertEquals(202, response.get("statusCode").asInt(), file + ": " + response);
        return Fixtures.JSON.readTree(response.get("body").asText());
    }

    @Test
    void pullRequestEventsInTheEventsFolder_replayAsApiGatewayDeliversThem_oneOfEachPerHost() throws Exception {
        // given: what the fork approvals hold is what an approval comment of the same host then approves
        Map<String, PullRequest> held = new HashMap<>();
        Map<String, String> heldFor = new HashMap<>();
        when(forkApprovals.hold(any(), any(), any())).thenAnswer(call -> {
            PullRequest pr = call.getArgument(1);
            held.put(pr.host(), pr);
            heldFor.put(pr.host(), ((Trigger) call.getArgument(0)).name());
            return new TriggeredBuild(heldFor.get(pr.host()), call.getArgument(2), TriggeredBuild.HELD, "held", null, null, null, null);
        });
        when(forkApprovals.approve(any())).thenAnswer(call -> {
            WebhookEvent.PullRequestComment comment = call.getArgument(0);
            return new ForkApprovals.Approval.Approved(held.get(comment.host()), List.of(heldFor.get(comment.host())));
        });
        when(images.closed(any(), any())).thenReturn(new PullRequestImages.Cleanup(List.of(), List.of()));
        List<String> hosts = new dev.ecrpush.githost.GitHostRegistry().names();
        for (String host : hosts) {
            // when
            JsonNode opened = replay("webhook-" + host + "-pr-opened.json");
            JsonNode fork = replay("webhook-" + host + "-pr-fork.json");
            JsonNode comment = replay("webhook-" + host + "-pr-comment.json");
            JsonNode closed = replay("webhook-" + host + "-pr-closed.json");
            // then
            assertEquals(true, List.of("STARTED", "DUPLICATE").contains(opened.at("/refs/0/builds/0/status").asText()), host + ": "
                    + opened);
            assertEquals("HELD", fork.at("/refs/0/builds/0/status").asText(), host + ": " + fork);
            assertEquals(true, List.of("STARTED", "DUPLICATE").contains(comment.at("/refs/0/builds/0/status").asText()), host + ": "
                    + comment);
            assertEquals(true, comment.at("/refs/0/commitSha").asText().length() >= 12, host + ": " + comment);
            assertEquals("CLEANED_UP", closed.at("/refs/0/builds/0/status").asText(), host + ": " + closed);
        }
        // and each comment was a /build naming the held request's head commit
        ArgumentCaptor<WebhookEvent.PullRequestComment> comments = ArgumentCaptor.forClass(WebhookEvent.PullRequestComment.class);
        verify(forkApprovals, org.mockito.Mockito.times(hosts.size())).approve(comments.capture());
        for (WebhookEvent.PullRequestComment comment : comments.getAllValues()) {
            PullRequest pr = held.get(comment.host());
            assertEquals(pr.repository(), comment.repository(), comment.toString());
            assertEquals(pr.number(), comment.number(), comment.toString());
            assertEquals(true, pr.headSha().startsWith(comment.body().substring("/build ".length())), comment.toString());
        }
    }
}
