package dev.ecrpush.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.FromEdge;

/**
 * EventBridge's events through the pass-through route: scheduled rebuilds (a bare Scheduled Event, and a rule's
 * constant input), and the build state changes that complete Step Functions tasks through the Step Functions
 * fake, with the task tokens kept in DynamoDB Local.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class ScheduleAndCompletionTest {
    private static final String START_BUILD = "CodeBuild_20161006.StartBuild";
    private static final String SUCCESS = "AWSStepFunctions.SendTaskSuccess";
    private static final String FAILURE = "AWSStepFunctions.SendTaskFailure";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    TaskCompletions completions;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
    }

    private static JsonNode post(Object body, int status) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(body instanceof byte[] bytes ? bytes : body.toString().getBytes())
                .contentType("application/json").post("/internal/events").then().statusCode(status).extract().asString());
    }

    private static byte[] event(Path file) throws Exception {
        return Files.readAllBytes(file);
    }

    /** A run with the function's own role (no connector secrets to fake), under a key and with a task token. */
    private static ObjectNode run(String key, String taskToken) throws Exception {
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                {"mode": "run", "infra": "K8",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""");
        payload.put("idempotencyKey", key);
        if (taskToken != null) {
            payload.put("taskToken", taskToken);
        }
        return payload;
    }

    private static ObjectNode stateChange(Path file, String buildId) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(event(file));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId);
        return event;
    }

    private Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    @Test
    void bareScheduledEvent_rebuildsTheTriggersNamingTheRule_onceForTheEvent() throws Exception {
        // when
        JsonNode first = post(event(Repo.path("events/schedule-rule-event.json")), 200);
        JsonNode again = post(event(Repo.path("events/schedule-rule-event.json")), 200);
        // then
        assertEquals("nightly-app", first.get("schedule").asText());
        assertEquals("STARTED", first.at("/builds/0/status").asText());
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/nightly:nightly",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/nightly:schedule"),
                Fixtures.JSON.convertValue(first.at("/builds/0/result/imageUris"), List.class));
        assertEquals("DUPLICATE", again.at("/builds/0/status").asText());
        List<JsonNode> starts = aws.bodies(START_BUILD);
        assertEquals(1, starts.size());
        assertEquals("main", starts.get(0).get("sourceVersion").asText());
    }

    @Test
    void scheduledEvent_forARuleNoTriggerNames_buildsNothing() throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(event(Repo.path("events/schedule-rule-event.json")));
        event.putArray("resources").add("arn:aws:scheduler:us-east-1:111111111111:schedule/default/weekly-app");
        JsonNode answer = post(event, 200);
        assertEquals("NO_MATCH", answer.get("status").asText());
        assertEquals("no trigger names schedule weekly-app", answer.get("reason").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void schedulerInputShapedAsAScheduledEvent_asTheTemplateSendsIt_rebuildsTheTriggersNamingTheSchedule() throws Exception {
        // when: what template.yaml's EventBridge Scheduler schedule sends, with its placeholders filled in
        JsonNode answer = post(event(Repo.path("events/schedule-scheduler-event.json")), 200);
        // then
        assertEquals("nightly-app", answer.get("schedule").asText(), answer::toString);
        assertTrue(List.of("STARTED", "DUPLICATE").contains(answer.at("/builds/0/status").asText()), answer::toString);
    }

    @Test
    void scheduleInput_runsItsPayload_asATriggerOfTypeSchedule() throws Exception {
        // when: a rule's constant input, a step payload that says it is scheduled
        JsonNode result = post(event(Repo.path("events/schedule-input.json")), 200);
        // then
        assertEquals("STARTED", result.get("status").asText());
        assertEquals(List.of("123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/payments-api:nightly-main",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme/payments-api:schedule"),
                Fixtures.JSON.convertValue(result.get("imageUris"), List.class));
        assertEquals(List.of("GetSecretValue by " + AwsFake.FUNCTION_ACCESS_KEY, "AssumeRole by AKIAEXAMPLE",
                "CreateRepository by ASIATARGETROLE000002", "BatchGetImage by ASIATARGETROLE000002",
                "StartBuild by " + AwsFake.FUNCTION_ACCESS_KEY),
                aws.calls());
    }

    /**
     * Issue 14: the run reports the function's own time to the launch; the status request and the task's completion
     * report where the build's time went (a canned BatchGetBuilds answer), and the completion the function's time too.
     */
    @Test
    void timings_inTheRunsResult_theStatusRequest_andTheTasksCompletion() throws Exception {
        // given: a run that carries a task token, of a build of its own
        String buildId = "ecr-build-push:" + UUID.randomUUID();
        world.startBuildAnswers(buildId);
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        JsonNode started = post(run("exec-" + UUID.randomUUID(), token), 200);
        JsonNode functionMillis = started.at("/timings/functionMillis");
        assertTrue(functionMillis.canConvertToLong() && functionMillis.asLong() >= 0, started::toString);
        assertEquals(functionMillis.asLong(), Long.parseLong(item("build#" + buildId).get("functionMillis").n()));
        String succeeded = Files.readString(Path.of("src/test/resources/timings/codebuild-succeeded.json"))
                .replace("ecr-build-push:0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70", buildId);
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", succeeded);
        JsonNode phases = Fixtures.JSON.readTree("""
                {"queuedSeconds": 2.0, "provisioningSeconds": 186.0, "pullingImageSeconds": null, "fetchingSourceSeconds": 4.0,
                 "buildingSeconds": 95.0, "pushingSeconds": null, "runningSeconds": 99.0, "finalizingSeconds": 2.0,
                 "totalSeconds": 291.4}""");
        // when: a status request
        JsonNode status = post("{\"buildId\": \"" + buildId + "\"}", 200);
        // then: the phases, and no function time (a status request reads the build alone)
        assertEquals(phases, status.get("timings"), status::toString);
        // when: CodeBuild reports the build succeeded
        JsonNode answer = post(stateChange(Repo.path("events/codebuild-state-change.json"), buildId), 200);
        assertEquals("TASK_SUCCEEDED", answer.get("status").asText(), answer::toString);
        // then
        JsonNode output = Fixtures.JSON.readTree(aws.bodies(SUCCESS).get(0).get("output").asText());
        ObjectNode expected = phases.deepCopy();
        expected.put("functionMillis", functionMillis.asLong());
        assertEquals(expected.toString(), output.get("timings").toString());
    }

    @Test
    void taskToken_isCompletedByTheBuildsStateChange_withImagesAndDigest() throws Exception {
        // given: a run that carries a task token
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        JsonNode started = post(run("exec-" + UUID.randomUUID(), token), 200);
        assertEquals(TriggerWorld.BUILD_ID, started.get("buildId").asText());
        assertFalse(started.toString().contains(token), "the result shows the task token");
        assertEquals(List.of(token), item("build#" + TriggerWorld.BUILD_ID).get("taskTokens").ss());
        // when: CodeBuild reports the build succeeded
        JsonNode answer = post(event(Repo.path("events/codebuild-state-change.json")), 200);
        // then
        assertEquals("TASK_SUCCEEDED", answer.get("status").asText());
        JsonNode success = aws.bodies(SUCCESS).get(0);
        assertEquals(token, success.get("taskToken").asText());
        JsonNode output = Fixtures.JSON.readTree(success.get("output").asText());
        assertEquals(TriggerWorld.BUILD_ID, output.get("buildId").asText());
        assertEquals("SUCCEEDED", output.get("status").asText());
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:9f1c2d3", output.at("/imageUris/0").asText());
        assertEquals(TriggerWorld.DIGEST, output.get("digest").asText());
        // the digest the build exported (issue 10), read back from the build, not from a tag in ECR
        JsonNode read = aws.bodies("CodeBuild_20161006.BatchGetBuilds").get(0);
        assertEquals(TriggerWorld.BUILD_ID, read.at("/ids/0").asText());
        assertTrue(aws.requests("AmazonEC2ContainerRegistry_V20150921.DescribeImages").isEmpty());
        assertFalse(item("build#" + TriggerWorld.BUILD_ID).containsKey("taskTokens"));
        // and the same event delivered again completes nothing twice
        assertEquals("IGNORED", post(event(Repo.path("events/codebuild-state-change.json")), 200).get("status").asText());
        assertEquals(1, aws.requests(SUCCESS).size());
    }

    /**
     * Issue 10: build A pushed {@code latest}, then build B pushed {@code latest} too before A's task was completed
     * and before anyone asked for A's status. A's answers carry A's digest, which A reported itself; what
     * {@code latest} points at by then (B's image) is never asked.
     */
    @Test
    void buildWhoseTagMovedSince_completesAndReportsWithItsOwnDigest() throws Exception {
        // given: two runs of the same image and tags, each with a task token
        String buildA = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000a1";
        String buildB = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000b2";
        String digestA = "sha256:" + "a".repeat(64);
        String digestB = "sha256:" + "b".repeat(64);
        String tokenA = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        world.startBuildAnswers(buildA);
        post(run("exec-" + UUID.randomUUID(), tokenA), 200);
        world.startBuildAnswers(buildB);
        post(run("exec-" + UUID.randomUUID(), "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID()), 200);
        for (String[] build : new String[][] {{buildA, digestA}, {buildB, digestB}}) {
            aws.replyWhenBodyContains("CodeBuild_20161006.BatchGetBuilds", build[0], AwsFake.json(
                    "{\"builds\":[{\"id\":\"" + build[0] + "\",\"buildStatus\":\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\","
                            + "\"exportedEnvironmentVariables\":[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\","
                            + "\"value\":\"" + build[1] + "\"}]}]}"));
        }
        // and latest now names B's image
        aws.reply("AmazonEC2ContainerRegistry_V20150921.DescribeImages",
                "{\"imageDetails\": [{\"imageDigest\": \"" + digestB + "\", \"imageTags\": [\"latest\"]}]}");
        // when: A's build state change arrives, and someone asks for A's status
        JsonNode completed = post(stateChange(Repo.path("events/codebuild-state-change.json"), buildA), 200);
        JsonNode status = post("{\"buildId\": \"" + buildA + "\"}", 200);
        // then
        assertEquals("TASK_SUCCEEDED", completed.get("status").asText());
        JsonNode success = aws.bodies(SUCCESS).get(0);
        assertEquals(tokenA, success.get("taskToken").asText());
        assertEquals(digestA, Fixtures.JSON.readTree(success.get("output").asText()).get("digest").asText());
        assertEquals(digestA, status.get("digest").asText());
        assertTrue(aws.requests("AmazonEC2ContainerRegistry_V20150921.DescribeImages").isEmpty());
    }

    @Test
    void failedBuild_failsTheTask_namingThePhase() throws Exception {
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000f2";
        world.startBuildAnswers(build);
        post(run("exec-" + UUID.randomUUID(), "failing-task-token"), 200);
        // and CodeBuild's answer when the build is read back: the event is never trusted on its own
        aws.reply("CodeBuild_20161006.BatchGetBuilds", """
                {"builds": [{"id": "%s", "buildStatus": "FAILED", "currentPhase": "COMPLETED", "phases": [
                  {"phaseType": "SUBMITTED", "phaseStatus": "SUCCEEDED"},
                  {"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": [{"statusCode": "COMMAND_EXECUTION_ERROR",
                    "message": "Error while executing command: /kaniko/executor. Reason: exit status 1"}]},
                  {"phaseType": "COMPLETED"}]}]}""".formatted(build));
        // when
        JsonNode answer = post(stateChange(Path.of("src/test/resources/state-changes/codebuild-failed.json"), build), 200);
        // then
        assertEquals("TASK_FAILED", answer.get("status").asText());
        JsonNode failure = aws.bodies(FAILURE).get(0);
        assertEquals("failing-task-token", failure.get("taskToken").asText());
        assertEquals("BuildFailed", failure.get("error").asText());
        assertEquals("build " + build + " FAILED in phase BUILD: COMMAND_EXECUTION_ERROR: Error while executing command:"
                + " /kaniko/executor. Reason: exit status 1", failure.get("cause").asText());
        assertEquals(List.of(), aws.requests(SUCCESS));
    }

    @Test
    void stateChangeOfABuildNoTaskWaitsFor_isAcknowledgedAndIgnored() throws Exception {
        JsonNode answer = post(stateChange(Repo.path("events/codebuild-state-change.json"),
                "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000aa"), 200);
        assertEquals("IGNORED", answer.get("status").asText());
        assertEquals("no task token is stored for this build", answer.get("reason").asText());
        assertEquals(List.of(), aws.requests(SUCCESS));
        assertEquals(List.of(), aws.requests(FAILURE));
        JsonNode running = post(stateChange(Path.of("src/test/resources/state-changes/codebuild-in-progress.json"),
                TriggerWorld.BUILD_ID), 200);
        assertEquals("IGNORED", running.get("status").asText());
    }

    @Test
    void ecsTaskStateChange_completesTheTaskOfTheTaskArn() throws Exception {
        // given: a run on ECS left its token under the task ARN
        String task = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/c13b4cb40f1f4fe4a2971f76ae5a47ad";
        completions.await(task, new SecretText("ecs-task-token"), List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:v1"));
        // and ECS's answer when the task is read back, with the digest the plugin container printed last
        world.describeTasksAnswers(task, "STOPPED", "STOPPED", 0, Instant.now().minusSeconds(600), 2400);
        aws.reply("Logs_20140328.GetLogEvents",
                "{\"events\": [{\"timestamp\": 1, \"message\": \"ecr-build-push: pushed " + TriggerWorld.DIGEST + "\"}]}");
        // when
        JsonNode answer = post(event(Repo.path("events/ecs-task-state-change.json")), 200);
        // then
        assertEquals("TASK_SUCCEEDED", answer.get("status").asText());
        JsonNode success = aws.bodies(SUCCESS).get(0);
        assertEquals("ecs-task-token", success.get("taskToken").asText());
        assertEquals(TriggerWorld.DIGEST, Fixtures.JSON.readTree(success.get("output").asText()).get("digest").asText());
        assertEquals(task, aws.bodies("AmazonEC2ContainerServiceV20141113.DescribeTasks").get(0).at("/tasks/0").asText());
    }

    @Test
    void ecsTaskStillRunningPastItsStepTimeout_isStopped_andItsTaskFailsAsTimedOut() throws Exception {
        // given: a task created long ago with a 40-minute step timeout, still running, and a waiting token
        String task = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/d24c5dc51f2f4fe4a2971f76ae5a47ae";
        completions.await(task, new SecretText("overdue-task-token"), List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:v1"));
        aws.stub("AmazonEC2ContainerServiceV20141113.StopTask", AwsFake.json("{\"task\":{}}"));
        world.describeTasksAnswers(task, "RUNNING", "RUNNING", null, Instant.now().minusSeconds(3 * 3600), 2400);
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(event(Path.of("src/test/resources/state-changes/ecs-task-running.json")));
        ((ObjectNode) event.get("detail")).put("taskArn", task);
        // when
        JsonNode answer = post(event, 200);
        // then: the task is stopped, and the waiting task fails with the timeout
        assertEquals("TASK_FAILED", answer.get("status").asText(), answer::toString);
        JsonNode stop = aws.bodies("AmazonEC2ContainerServiceV20141113.StopTask").get(0);
        assertEquals(task, stop.get("task").asText());
        JsonNode failure = aws.bodies(FAILURE).get(0);
        assertEquals("overdue-task-token", failure.get("taskToken").asText());
        assertEquals("BuildTimedOut", failure.get("error").asText());
    }

    @Test
    void stepFunctionsRetry_withANewToken_afterTheBuildEnded_isCompletedAtOnce() throws Exception {
        // given: a build that ran and completed its first task
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000f3";
        String key = "exec-" + UUID.randomUUID();
        world.startBuildAnswers(build);
        post(run(key, "first-token"), 200);
        post(stateChange(Repo.path("events/codebuild-state-change.json"), build), 200);
        // when: Step Functions retries the task state, with a new token and the same key
        JsonNode duplicate = post(run(key, "second-token"), 200);
        // then: no second build, and the new task is completed with the same output
        assertTrue(duplicate.get("duplicate").asBoolean());
        assertEquals(1, aws.requests(START_BUILD).size());
        List<JsonNode> successes = aws.bodies(SUCCESS);
        assertEquals(List.of("first-token", "second-token"),
                successes.stream().map(r -> r.get("taskToken").asText()).toList());
        assertEquals(successes.get(0).get("output"), successes.get(1).get("output"));
    }

    @Test
    void taskThatStepFunctionsNoLongerKnows_isAcknowledged() throws Exception {
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000f4";
        world.startBuildAnswers(build);
        aws.stub(SUCCESS, aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"TaskTimedOut\",\"message\":\"Task Timed Out\"}"));
        post(run("exec-" + UUID.randomUUID(), "timed-out-token"), 200);
        JsonNode answer = post(stateChange(Repo.path("events/codebuild-state-change.json"), build), 200);
        assertEquals("TASK_GONE", answer.get("status").asText());
        assertEquals("DONE", item("build#" + build).get("status").s());
    }

    @Test
    void keyOfARunStillInProgress_isItsOwnErrorType_andStartsNothing() throws Exception {
        // given: another invocation holds the key
        String key = "exec-" + UUID.randomUUID();
        long now = Instant.now().getEpochSecond();
        try (DynamoDbClient client = world.dynamoDb().client()) {
            client.putItem(r -> r.tableName(TriggerWorld.TABLE).item(Map.of("idempotencyKey", AttributeValue.fromS(key),
                    "status", AttributeValue.fromS("IN_PROGRESS"), "startedAt", AttributeValue.fromN(Long.toString(now)),
                    "inProgressUntil", AttributeValue.fromN(Long.toString(now + 120)),
                    "expiresAt", AttributeValue.fromN(Long.toString(now + 86400)))));
        }
        // when
        JsonNode error = post(run(key, null), 409);
        // then: issue 11: not a throttle for a Retry to repeat; the run is underway and a later call gets its result
        assertEquals("RunInProgressException", error.get("errorType").asText());
        assertFalse(error.get("retryable").asBoolean());
        assertTrue(error.get("errorMessage").asText()
                .startsWith("idempotencyKey: a run with key \"" + key + "\" has been in progress since"));
        assertEquals(List.of(), aws.requests(START_BUILD));
    }
}
