package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.result.ResultJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;

/**
 * Triggers with {@code cancelSuperseded} (run-triggers.json's {@code cancel-app} on CodeBuild, {@code cancel-ecs} on
 * ECS) through the application: signed GitHub pushes of one ref, the second of which stops the first's build as
 * CodeBuild ({@code StopBuild}) and ECS ({@code StopTask}) receive it, the ref's running builds kept in DynamoDB Local.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class SupersededBuildsFlowTest {
    static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";
    static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    static final String RUN_TASK = AwsFake.ECS + "RunTask";
    static final String STOP_TASK = AwsFake.ECS + "StopTask";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    WebhookDeliveries deliveries;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        aws.reply(STOP_BUILD, "{\"build\": {}}");
        aws.stub(STOP_TASK, AwsFake.json("{\"task\": {}}"));
    }

    /** A commit, and the build CodeBuild starts for it. */
    record Commit(String sha, String build) {
        static Commit next() {
            String hex = UUID.randomUUID().toString().replace("-", "");
            return new Commit(hex + hex.substring(0, 8), "ecr-build-push:0b6c5f1e-0000-4000-8000-" + hex.substring(0, 12));
        }

        String task() {
            return "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/" + build.substring(build.length() - 12)
                    + "00000000000000000000";
        }
    }

    /** A branch of its own for one test (cancel-app builds {@code feature-*}), so that its order starts afresh. */
    static String branch() {
        return "feature-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    static byte[] pushBody(String repository, String branch, Commit commit) {
        return ("{\"ref\": \"refs/heads/" + branch + "\", \"after\": \"" + commit.sha() + "\", \"testDelivery\": \""
                + UUID.randomUUID() + "\", \"repository\": {\"full_name\": \"" + repository + "\", \"clone_url\":"
                + " \"https://github.com/" + repository + ".git\"}}").getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, String> headers(byte[] body) {
        return Map.of("Content-Type", "application/json", "X-GitHub-Event", "push", "X-GitHub-Delivery", UUID.randomUUID().toString(),
                "X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body));
    }

    static JsonNode deliver(byte[] body) throws Exception {
        String answer = FromEdge.given().headers(headers(body)).body(body).post("/webhooks/github").then().statusCode(202)
                .extract().asString();
        return Fixtures.JSON.readTree(answer);
    }

    /** A push of {@code branch} of acme/cancel whose cancel-app build is {@code commit.build()}. */
    JsonNode push(String branch, Commit commit) throws Exception {
        // StartBuild only: how each build reads back is the test's to say
        aws.reply(START_BUILD, "{\"build\":{\"id\":\"" + commit.build() + "\"}}");
        return deliver(pushBody("acme/cancel", branch, commit));
    }

    /** CodeBuild reads the build back as {@code status}. */
    void readsBack(Commit commit, String status) {
        aws.replyWhenBodyContains(BATCH_GET_BUILDS, commit.build(), AwsFake.json("{\"builds\":[{\"id\":\"" + commit.build()
                + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":\"" + status + "\",\"currentPhase\":\"BUILD\"}]}"));
    }

    /** The build's state change, as EventBridge delivers it. */
    JsonNode stateChange(Commit commit) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + commit.build());
        return Fixtures.JSON.readTree(FromEdge.given().body(event.toString().getBytes(StandardCharsets.UTF_8))
                .contentType("application/json").post("/internal/events").then().statusCode(200).extract().asString());
    }

    Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    static String sequence(String trigger, String repository, String branch) {
        return "build#running#" + trigger + "/github/" + repository + "/refs/heads/" + branch;
    }

    @Test
    void twoPushesToOneRef_theSecondStartsItsBuild_thenStopsTheFirst() throws Exception {
        // given: a push whose build is still running
        String branch = branch();
        Commit a = Commit.next();
        Commit b = Commit.next();
        JsonNode first = push(branch, a);
        assertEquals(Fixtures.JSON.readTree("{\"push\": 1, \"stopped\": []}"), first.at("/refs/0/builds/0/cancelSuperseded"),
                first::toString);
        readsBack(a, "IN_PROGRESS");
        aws.resetRequests();
        // when: the next push of the ref
        JsonNode second = push(branch, b);
        // then: its build starts, and then the first build is stopped, as CodeBuild receives it
        assertEquals("STARTED", second.at("/refs/0/builds/0/status").asText(), second::toString);
        assertEquals(List.of("StartBuild", "BatchGetBuilds", "StopBuild"), aws.operations().stream()
                .filter(op -> op.endsWith("Build") || op.endsWith("Builds")).toList());
        assertEquals(List.of(Fixtures.JSON.readTree("{\"id\": \"" + a.build() + "\"}")), aws.bodies(STOP_BUILD));
        assertEquals(List.of("StopBuild by " + AwsFake.FUNCTION_ACCESS_KEY),
                aws.calls().stream().filter(call -> call.startsWith("StopBuild")).toList());
        // and its answer says which build it stopped
        assertEquals(Fixtures.JSON.readTree("{\"push\": 2, \"stopped\": [{\"buildId\": \"" + a.build()
                + "\", \"push\": 1, \"result\": \"STOPPED\"}]}"), second.at("/refs/0/builds/0/cancelSuperseded"));
        // and only the second is remembered as running
        assertEquals(Map.of(b.build(), AttributeValue.fromN("2")), item(sequence("cancel-app", "acme/cancel", branch)).get("builds").m());
        assertFalse(item("build#superseding#" + a.build()).containsKey("sequence"));
    }

    @Test
    void aBuildThatHasEndedAlready_isNotStopped() throws Exception {
        String branch = branch();
        Commit a = Commit.next();
        Commit b = Commit.next();
        push(branch, a);
        readsBack(a, "SUCCEEDED");
        JsonNode second = push(branch, b);
        assertEquals(List.of(), aws.requests(STOP_BUILD));
        assertEquals("ENDED", second.at("/refs/0/builds/0/cancelSuperseded/stopped/0/result").asText(), second::toString);
        assertEquals(Map.of(b.build(), AttributeValue.fromN("2")), item(sequence("cancel-app", "acme/cancel", branch)).get("builds").m());
    }

    @Test
    void theEndEventOfABuild_forgetsIt_soTheNextPushReadsNothingBackForIt() throws Exception {
        // given: a build that has been stopped by someone, and its state change
        String branch = branch();
        Commit a = Commit.next();
        Commit b = Commit.next();
        push(branch, a);
        readsBack(a, "STOPPED");
        stateChange(a);
        // then: it is forgotten
        assertEquals(Map.of(), item(sequence("cancel-app", "acme/cancel", branch)).get("builds").m());
        assertFalse(item("build#superseding#" + a.build()).containsKey("sequence"));
        // and the next push neither reads it back nor stops it
        aws.resetRequests();
        JsonNode second = push(branch, b);
        assertTrue(aws.bodies(BATCH_GET_BUILDS).stream().noneMatch(get -> get.toString().contains(a.build())), aws.calls()::toString);
        assertEquals(List.of(), aws.requests(STOP_BUILD));
        assertNull(second.at("/refs/0/builds/0/cancelSuperseded/stopped").get(0), second::toString);
    }

    @Test
    void anotherRefsBuild_andAnotherTriggersBuildOfTheRef_areNeverStopped() throws Exception {
        // given: a push of main, built by cancel-app and by cancel-app-audit (which cancels nothing)
        Commit a = Commit.next();
        Commit audit = Commit.next();
        aws.replyWhenBodyContains(START_BUILD, "acme/cancel-audit", AwsFake.json("{\"build\":{\"id\":\"" + audit.build() + "\"}}"));
        JsonNode main = push("main", a);
        assertEquals(2, main.at("/refs/0/builds").size(), main::toString);
        readsBack(a, "IN_PROGRESS");
        readsBack(audit, "IN_PROGRESS");
        // when: a push of another branch of the same trigger
        push(branch(), Commit.next());
        // then: nothing is stopped
        assertEquals(List.of(), aws.requests(STOP_BUILD));
        // when: the next push of main
        Commit b = Commit.next();
        Commit audit2 = Commit.next();
        aws.replyWhenBodyContains(START_BUILD, "acme/cancel-audit", AwsFake.json("{\"build\":{\"id\":\"" + audit2.build() + "\"}}"));
        JsonNode next = push("main", b);
        // then: cancel-app's earlier build of main is stopped, and the other trigger's is not
        assertEquals(List.of(a.build()), aws.bodies(STOP_BUILD).stream().map(stop -> stop.get("id").asText()).toList());
        assertTrue(next.at("/refs/0/builds/1/cancelSuperseded").isMissingNode(), next::toString);
    }

    /**
     * The late older delivery: push 1 of a ref arrives first, but CodeBuild starts its build slowly, and push 2's build
     * starts meanwhile. Push 2's build is not stopped by the older one; the older one, superseded before it began,
     * is stopped at once and says by which push.
     */
    @Test
    void aLateBuildOfAnOlderDelivery_neverStopsTheNewerBuild_andIsStoppedItself() throws Exception {
        String branch = branch();
        Commit a = Commit.next();
        Commit b = Commit.next();
        aws.replyWhenBodyContains(START_BUILD, a.sha(), AwsFake.json("{\"build\":{\"id\":\"" + a.build() + "\"}}").withFixedDelay(4000));
        aws.replyWhenBodyContains(START_BUILD, b.sha(), AwsFake.json("{\"build\":{\"id\":\"" + b.build() + "\"}}"));
        readsBack(a, "IN_PROGRESS");
        readsBack(b, "IN_PROGRESS");
        ExecutorService background = Executors.newSingleThreadExecutor();
        JsonNode older;
        JsonNode newer;
        try {
            // (the application handles one event at a time, as one Lambda instance does: A's is handed in directly)
            byte[] olderBody = pushBody("acme/cancel", branch, a);
            Future<WebhookDeliveries.Answer> late = background.submit(() -> deliveries.handle("github",
                    new WebhookRequest(headers(olderBody), olderBody)));
            for (int wait = 0; wait < 50 && aws.requests(START_BUILD).isEmpty(); wait++) {
                Thread.sleep(100);
            }
            assertEquals(1, aws.requests(START_BUILD).size(), () -> "push 1 has not asked for its build yet: " + aws.calls());
            newer = deliver(pushBody("acme/cancel", branch, b));
            // (read as the host reads it, from its text)
            older = Fixtures.JSON.readTree(ResultJson.tree(late.get(30, TimeUnit.SECONDS).body(), Fixtures.JSON).toString());
        } finally {
            background.shutdownNow();
        }
        // then: push 2's build stopped nothing (push 1's was not started when it began) and was never stopped
        assertEquals(Fixtures.JSON.readTree("{\"push\": 2, \"stopped\": []}"), newer.at("/refs/0/builds/0/cancelSuperseded"),
                newer::toString);
        assertEquals(List.of(a.build()), aws.bodies(STOP_BUILD).stream().map(stop -> stop.get("id").asText()).toList());
        // and push 1's build, started late, was stopped, naming push 2
        assertEquals("STARTED", older.at("/refs/0/builds/0/status").asText(), older::toString);
        assertEquals(Fixtures.JSON.readTree("{\"push\": 1, \"stopped\": [{\"buildId\": \"" + a.build()
                + "\", \"push\": 1, \"result\": \"STOPPED\"}], \"supersededBy\": {\"push\": 2, \"buildId\": \"" + b.build() + "\"}}"),
                older.at("/refs/0/builds/0/cancelSuperseded"));
        assertEquals(Map.of(b.build(), AttributeValue.fromN("2")), item(sequence("cancel-app", "acme/cancel", branch)).get("builds").m());
    }

    /** DescribeTasks answers with the function's task: running, or stopped by {@code StopTask} with its reason. */
    private void describes(String taskArn, String stoppedReason) {
        ObjectNode task = Fixtures.JSON.createObjectNode().put("taskArn", taskArn)
                .put("lastStatus", stoppedReason == null ? "RUNNING" : "STOPPED")
                .put("desiredStatus", stoppedReason == null ? "RUNNING" : "STOPPED")
                .put("createdAt", Instant.now().getEpochSecond())
                .put("clusterArn", "arn:aws:ecs:us-east-1:111111111111:cluster/ecr-build-push")
                .put("startedBy", "ecr-build-push")
                .put("taskDefinitionArn", "arn:aws:ecs:us-east-1:111111111111:task-definition/ecr-build-push-0f1e2d3c4b5a6978:1");
        if (stoppedReason != null) {
            task.put("stopCode", "UserInitiated").put("stoppedReason", stoppedReason);
        }
        task.putArray("containers").addObject().put("name", "plugin");
        task.putObject("overrides").putArray("containerOverrides").addObject().put("name", "source").putArray("environment")
                .addObject().put("name", "BUILDPUSH_TIMEOUT_SECONDS").put("value", "3600");
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        answer.putArray("tasks").add(task);
        answer.putArray("failures");
        aws.replyWhenBodyContains(AwsFake.ECS + "DescribeTasks", taskArn, AwsFake.json(answer.toString()));
    }

    private JsonNode pushEcs(Commit commit) throws Exception {
        aws.reply(RUN_TASK, "{\"tasks\": [{\"taskArn\": \"" + commit.task() + "\", \"lastStatus\": \"PROVISIONING\"}],"
                + " \"failures\": []}");
        return deliver(pushBody("acme/cancel-ecs", "main", commit));
    }

    @Test
    void onEcs_theSecondPushStopsTheFirstTask_whichThenReadsBackAsStopped_notTimedOut() throws Exception {
        // given: a task of the ref still running
        Commit a = Commit.next();
        Commit b = Commit.next();
        pushEcs(a);
        describes(a.task(), null);
        // when: the next push
        JsonNode second = pushEcs(b);
        // then: the first task is stopped, as ECS receives it, with the reason it keeps
        String reason = "ecr-build-push: superseded by build " + b.task() + " (push "
                + second.at("/refs/0/builds/0/cancelSuperseded/push").asLong() + ")";
        assertEquals(List.of(Fixtures.JSON.readTree(Fixtures.JSON.createObjectNode().put("cluster", "ecr-build-push")
                .put("task", a.task()).put("reason", reason).toString())), aws.bodies(STOP_TASK));
        assertEquals("STOPPED", second.at("/refs/0/builds/0/cancelSuperseded/stopped/0/result").asText(), second::toString);
        // and once ECS has stopped it, it reads back STOPPED, not TIMED_OUT, naming why
        describes(a.task(), reason);
        JsonNode status = Fixtures.JSON.readTree(FromEdge.given().contentType("application/json")
                .body(("{\"buildId\": \"" + a.task() + "\"}").getBytes(StandardCharsets.UTF_8)).post("/internal/events")
                .then().statusCode(200).extract().asString());
        assertEquals("STOPPED", status.get("status").asText(), status::toString);
        assertEquals(reason, status.get("reason").asText());
    }
}
