package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.support.Repo;

/**
 * Forged state-change events through the packaged zip, as EventBridge (or anyone who may invoke the function) would
 * send them: the runs and their task tokens in DynamoDB Local, every AWS API in the fake. An event only names a
 * build; what it says about the build is not believed. A "SUCCEEDED" for a build that is still running completes
 * nothing, an event for another project's build or another cluster's task makes no AWS call, and a task in the
 * function's cluster that the function did not start is never stopped. The controls show the same events do act
 * on the function's own builds.
 */
class EventAbuseZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    private static final String SEND_SUCCESS = AwsFake.STEP_FUNCTIONS + "SendTaskSuccess";
    private static final String SEND_FAILURE = AwsFake.STEP_FUNCTIONS + "SendTaskFailure";
    private static final String DESCRIBE_TASKS = AwsFake.ECS + "DescribeTasks";
    private static final String STOP_TASK = AwsFake.ECS + "StopTask";

    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.started();
    private static AwsFake aws;

    @BeforeAll
    static void fake() {
        aws = ZIP.world().aws();
    }

    @BeforeEach
    void stub() {
        KnownTargetScenario.stub(aws, true);
        aws.reply(SEND_SUCCESS, "{}");
        aws.reply(SEND_FAILURE, "{}");
        aws.reply(STOP_TASK, "{\"task\":{}}");
    }

    private static JsonNode invoke(JsonNode event) throws IOException {
        return JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
    }

    private static ObjectNode codeBuildEvent(String buildId, String status) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        String arn = "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId;
        ((ObjectNode) event.get("detail")).put("build-id", arn).put("build-status", status)
                .put("project-name", buildId.substring(0, buildId.indexOf(':')));
        event.putArray("resources").add(arn);
        return event;
    }

    private static ObjectNode ecsRunning(String taskArn, Instant createdAt) throws IOException {
        Path recorded = Path.of("src/test/resources/state-changes/ecs-task-running.json");
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(recorded));
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("taskArn", taskArn).put("createdAt", createdAt.toString());
        detail.put("clusterArn", taskArn.substring(0, taskArn.indexOf(":task/")) + ":cluster/"
                + taskArn.substring(taskArn.indexOf(":task/") + ":task/".length(), taskArn.lastIndexOf('/')));
        event.putArray("resources").add(taskArn);
        return event;
    }

    private static void batchGetBuildsAnswers(String status, String phase) {
        aws.reply(BATCH_GET_BUILDS, "{\"builds\":[{\"id\":\"" + KnownTargetScenario.BUILD_ID + "\",\"projectName\":\"ecr-build-push\","
                + "\"buildStatus\":\"" + status + "\",\"currentPhase\":\"" + phase + "\"}]}");
    }

    @Test
    void forgedSucceeded_forTheFunctionsBuildStillRunning_completesNothing_untilCodeBuildSaysSo() throws IOException {
        // given: a run that waits for its build under a Step Functions task token
        ObjectNode run = KnownTargetScenario.payload("run", "app", "events-abuse").put("taskToken", "token-of-the-waiting-execution");
        JsonNode started = JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(run), TIMEOUT).success().payload());
        assertEquals("STARTED", started.path("status").asText(), started::toString);
        batchGetBuildsAnswers("IN_PROGRESS", "BUILD");
        aws.resetRequests();
        // when: a hand-made "SUCCEEDED" arrives while CodeBuild says the build is still building
        JsonNode forged = invoke(codeBuildEvent(KnownTargetScenario.BUILD_ID, "SUCCEEDED"));
        // then: the build was read back, and nothing was completed
        assertEquals("IGNORED", forged.path("status").asText(), forged::toString);
        assertEquals(1, aws.requests(BATCH_GET_BUILDS).size(), aws.calls()::toString);
        assertEquals(List.of(), aws.requests(SEND_SUCCESS));
        assertEquals(List.of(), aws.requests(SEND_FAILURE));
        // control: once CodeBuild reports it succeeded, the same event completes the waiting task
        batchGetBuildsAnswers("SUCCEEDED", "COMPLETED");
        JsonNode genuine = invoke(codeBuildEvent(KnownTargetScenario.BUILD_ID, "SUCCEEDED"));
        assertEquals("TASK_SUCCEEDED", genuine.path("status").asText(), genuine::toString);
        assertEquals(1, aws.requests(SEND_SUCCESS).size());
        assertEquals("token-of-the-waiting-execution", aws.bodies(SEND_SUCCESS).get(0).path("taskToken").asText());
    }

    @Test
    void forgedSucceeded_forABuildOfAnotherProject_isIgnored_withNoAwsCall() throws IOException {
        aws.resetRequests();
        JsonNode answer = invoke(codeBuildEvent("someone-elses-project:0b6c5f1e-0000-4000-8000-0000000000f1", "SUCCEEDED"));
        assertEquals("IGNORED", answer.path("status").asText(), answer::toString);
        assertTrue(answer.path("reason").asText().contains("not of the function's"), answer::toString);
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void forgedRunningEvent_withAnOldCreatedAt_forATaskOfAnotherCluster_isIgnored_withNoAwsCall() throws IOException {
        aws.resetRequests();
        String task = "arn:aws:ecs:us-east-1:111111111111:task/production-services/e35d6ed62f3f4fe4a2971f76ae5a47f1";
        JsonNode answer = invoke(ecsRunning(task, Instant.now().minusSeconds(5 * 3600)));
        assertEquals("IGNORED", answer.path("status").asText(), answer::toString);
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void forgedRunningEvent_withAnOldCreatedAt_forATaskTheFunctionDidNotStart_stopsNothing() throws IOException {
        // given: a task in the function's cluster, running for hours, started by another service
        String task = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/f46e7fe73f4f4fe4a2971f76ae5a47f2";
        Instant longAgo = Instant.now().minusSeconds(5 * 3600);
        ZIP.world().describeTasksAnswers(task, "RUNNING", "RUNNING", null, longAgo, 2400, "ecs-svc/1234", "billing-batch");
        aws.resetRequests();
        // when
        JsonNode answer = invoke(ecsRunning(task, longAgo));
        // then: read back, judged not the function's, and left running
        assertEquals("IGNORED", answer.path("status").asText(), answer::toString);
        assertEquals(1, aws.requests(DESCRIBE_TASKS).size(), aws.calls()::toString);
        assertEquals(List.of(), aws.requests(STOP_TASK));
    }

    /** The control: the same event for the function's own task past its timeout stops it. */
    @Test
    void runningEvent_withAnOldCreatedAt_forTheFunctionsOwnTask_stopsIt() throws IOException {
        String task = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/d80cbdcb7f8f4fe4a2971f76ae5a47f3";
        Instant longAgo = Instant.now().minusSeconds(5 * 3600);
        ZIP.world().describeTasksAnswers(task, "RUNNING", "RUNNING", null, longAgo, 2400);
        aws.resetRequests();
        invoke(ecsRunning(task, longAgo));
        assertEquals(1, aws.requests(STOP_TASK).size(), aws.calls()::toString);
    }
}
