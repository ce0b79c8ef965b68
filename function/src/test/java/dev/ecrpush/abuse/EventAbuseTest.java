package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;

/**
 * Issue "Nobody gets in where they don't belong", case 5: a state-change event says which build changed, and
 * nothing more is believed. Each event here is forged for a build the function did not start, with a task token
 * waiting under that build's ID (as if a run had stored one) and AWS answering the read-back as the forger would
 * like: the build SUCCEEDED, the task RUNNING for hours. Nothing may be completed or stopped: the function's
 * CodeBuild projects are {@code ecr-build-push} (the stack's default), its ECS cluster {@code ecr-build-push}, its
 * tasks started by {@code ecr-build-push} from a task definition of the family {@code ecr-build-push-<hash>}.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class EventAbuseTest {
    private static final String ECS = "AmazonEC2ContainerServiceV20141113.";
    private static final String SEND_SUCCESS = "AWSStepFunctions.SendTaskSuccess";
    private static final String SEND_FAILURE = "AWSStepFunctions.SendTaskFailure";
    private static final String IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:v1";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    TaskCompletions completions;

    @BeforeEach
    void stub() {
        world.stubDefaults();
        aws.stub(ECS + "StopTask", AwsFake.json("{\"task\":{}}"));
    }

    private static JsonNode post(JsonNode event) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(event.toString()).contentType("application/json")
                .post("/internal/events").then().statusCode(200).extract().asString());
    }

    private void assertNothingCompletedOrStopped(JsonNode answer) {
        assertEquals("IGNORED", answer.get("status").asText(), answer::toString);
        assertEquals(List.of(), aws.requests(SEND_SUCCESS));
        assertEquals(List.of(), aws.requests(SEND_FAILURE));
        assertEquals(List.of(), aws.requests(ECS + "StopTask"));
    }

    // --- CodeBuild ------------------------------------------------------------------------------------------------

    private static ObjectNode codeBuildSucceeded(String buildId) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId)
                .put("project-name", buildId.substring(0, buildId.indexOf(':')));
        return event;
    }

    @Test
    void forgedCodeBuildSucceeded_forABuildOfAnotherProject_completesNothing_andReadsNothing() throws Exception {
        // given: a task waits under a build of another project, and CodeBuild would say that build succeeded
        String build = "someone-elses-project:0b6c5f1e-0000-4000-8000-0000000000e1";
        completions.await(build, new SecretText("forged-codebuild-token"), List.of(IMAGE));
        aws.reply("CodeBuild_20161006.BatchGetBuilds", "{\"builds\": [{\"id\": \"" + build + "\", \"projectName\":"
                + " \"someone-elses-project\", \"buildStatus\": \"SUCCEEDED\", \"currentPhase\": \"COMPLETED\"}]}");
        // when
        JsonNode answer = post(codeBuildSucceeded(build));
        // then
        assertNothingCompletedOrStopped(answer);
        assertTrue(answer.get("reason").asText().contains("someone-elses-project"), answer::toString);
        assertTrue(answer.get("reason").asText().contains("not of the function's (ecr-build-push)"), answer::toString);
        assertEquals(List.of(), aws.requests("CodeBuild_20161006.BatchGetBuilds"));
    }

    @Test
    void statusRequest_forABuildOfAnotherProject_isNotAllowed_andReadsNothing() {
        FromEdge.given().body("{\"buildId\": \"someone-elses-project:0b6c5f1e-0000-4000-8000-0000000000e2\"}")
                .contentType("application/json").post("/internal/events").then().statusCode(403)
                .body("errorType", org.hamcrest.Matchers.equalTo("NotAllowedException"))
                .body("errorMessage", org.hamcrest.Matchers.startsWith("buildId: "));
        assertEquals(List.of(), aws.requests("CodeBuild_20161006.BatchGetBuilds"));
    }

    @Test
    void forgedCodeBuildSucceeded_whoseReadBackIsOfAnotherProject_completesNothing() throws Exception {
        // given: the ID names the function's project, but CodeBuild reports the build as another project's
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000e3";
        completions.await(build, new SecretText("forged-readback-token"), List.of(IMAGE));
        aws.reply("CodeBuild_20161006.BatchGetBuilds", "{\"builds\": [{\"id\": \"" + build + "\", \"projectName\":"
                + " \"someone-elses-project\", \"buildStatus\": \"SUCCEEDED\", \"currentPhase\": \"COMPLETED\"}]}");
        // when
        JsonNode answer = post(codeBuildSucceeded(build));
        // then
        assertNothingCompletedOrStopped(answer);
        assertTrue(answer.get("reason").asText().contains("as CodeBuild reports it is of project someone-elses-project"),
                answer::toString);
    }

    // --- ECS ------------------------------------------------------------------------------------------------------

    private static ObjectNode ecsRunning(String taskArn, Instant createdAt) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(
                Files.readAllBytes(Path.of("src/test/resources/state-changes/ecs-task-running.json")));
        ObjectNode detail = (ObjectNode) event.get("detail");
        detail.put("taskArn", taskArn).put("createdAt", createdAt.toString());
        detail.put("clusterArn", taskArn.substring(0, taskArn.indexOf(":task/")) + ":cluster/"
                + taskArn.substring(taskArn.indexOf(":task/") + 6, taskArn.lastIndexOf('/')));
        event.putArray("resources").add(taskArn);
        return event;
    }

    @Test
    void forgedEcsRunning_withAnOldCreatedAt_forATaskOfAnotherCluster_stopsNothing_andReadsNothing() throws Exception {
        // given: a task of another cluster, created hours ago and still running as ECS would report it
        String task = "arn:aws:ecs:us-east-1:111111111111:task/production-services/e35d6ed62f3f4fe4a2971f76ae5a47b1";
        Instant longAgo = Instant.now().minusSeconds(5 * 3600);
        world.describeTasksAnswers(task, "RUNNING", "RUNNING", null, longAgo, 2400);
        completions.await(task, new SecretText("forged-ecs-token"), List.of(IMAGE));
        // when
        JsonNode answer = post(ecsRunning(task, longAgo));
        // then
        assertNothingCompletedOrStopped(answer);
        assertTrue(answer.get("reason").asText().contains("is in cluster production-services, not in the function's"),
                answer::toString);
        assertEquals(List.of(), aws.requests(ECS + "DescribeTasks"));
    }

    @Test
    void forgedEcsEvent_forATaskInAnotherRegion_callsNoAwsAtAll() throws Exception {
        // given: a region no client is made for (before, the read-back went there and failed as an internal error)
        String task = "arn:aws:ecs:eu-south-9:111111111111:task/ecr-build-push/e35d6ed62f3f4fe4a2971f76ae5a47b9";
        Instant longAgo = Instant.now().minusSeconds(5 * 3600);
        world.describeTasksAnswers(task, "RUNNING", "RUNNING", null, longAgo, 2400);
        // when
        JsonNode answer = post(ecsRunning(task, longAgo));
        // then
        assertNothingCompletedOrStopped(answer);
        assertTrue(answer.get("reason").asText().contains("runs in region eu-south-9, not in the function's (us-east-1)"),
                answer::toString);
        assertEquals(List.of(), aws.requests(ECS + "DescribeTasks"));
    }

    @Test
    void forgedEcsRunning_withAnOldCreatedAt_forATaskWithoutTheFunctionsMark_stopsNothing() throws Exception {
        // given: tasks in the function's cluster that another service started, or from a definition not the function's
        String[][] strangers = {
                {"arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/f46e7fe73f4f4fe4a2971f76ae5a47c2", null,
                        "ecr-build-push-0f1e2d3c4b5a6978"},
                {"arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/a57f8af84f5f4fe4a2971f76ae5a47d3", "ecs-svc/1234",
                        "ecr-build-push-0f1e2d3c4b5a6978"},
                {"arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/b68a9ba95f6f4fe4a2971f76ae5a47e4", "ecr-build-push",
                        "billing-batch"},
                {"arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/c79bacba6f7f4fe4a2971f76ae5a47f5", "ecr-build-push",
                        null},
        };
        Instant longAgo = Instant.now().minusSeconds(5 * 3600);
        for (String[] stranger : strangers) {
            world.describeTasksAnswers(stranger[0], "RUNNING", "RUNNING", null, longAgo, 2400, stranger[1], stranger[2]);
            // when: with no task waiting (ECS reads back every event, to stop what runs past its timeout)
            JsonNode answer = post(ecsRunning(stranger[0], longAgo));
            // then: it was read back, and judged not the function's
            assertNothingCompletedOrStopped(answer);
            assertTrue(answer.get("reason").asText().contains(stranger[1] == null || !stranger[1].equals("ecr-build-push")
                    ? "was not started by the function" : "does not run a task definition of the function's family"),
                    answer::toString);
        }
        assertEquals(strangers.length, aws.requests(ECS + "DescribeTasks").size());
    }

    /** The control: the same forged event for a task with the function's mark stops it, so the cases above are the check's. */
    @Test
    void ecsRunning_withAnOldCreatedAt_forTheFunctionsOwnTask_stopsIt() throws Exception {
        String task = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/d80cbdcb7f8f4fe4a2971f76ae5a4806";
        Instant longAgo = Instant.now().minusSeconds(5 * 3600);
        world.describeTasksAnswers(task, "RUNNING", "RUNNING", null, longAgo, 2400);
        post(ecsRunning(task, longAgo));
        assertEquals(task, aws.bodies(ECS + "StopTask").get(0).get("task").asText());
    }
}
