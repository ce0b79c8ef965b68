package dev.ecrpush.completion;

import static dev.ecrpush.support.AwsFake.STEP_FUNCTIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.idempotency.IdempotencyTable;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.PhaseTimings;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.MutableClock;

/**
 * Completing the tasks waiting for a build: the tokens in DynamoDB Local, Step Functions answered by the fake
 * through the real SDK client.
 */
class TaskCompletionsTest {
    private static final String TABLE = "completions-test";
    private static final List<String> IMAGES = List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:9f1c2d3");
    private static final AwsFake AWS = new AwsFake();
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static TaskCompletions completions;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        IdempotencyTables tables = mock(IdempotencyTables.class);
        when(tables.configured()).thenReturn(true);
        when(tables.table()).thenReturn(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
        completions = new TaskCompletions(AWS.clients(), tables, Fixtures.JSON);
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
        AWS.close();
    }

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(STEP_FUNCTIONS + "SendTaskSuccess", "{}");
    }

    private static BuildStatusResult succeeded(String buildId) {
        return new BuildStatusResult(buildId, BuildStatusResult.Status.SUCCEEDED, "COMPLETED", IMAGES, null, null);
    }

    private static Set<String> completedTokens() {
        return Set.copyOf(AWS.bodies(STEP_FUNCTIONS + "SendTaskSuccess").stream().map(body -> body.get("taskToken").asText())
                .toList());
    }

    @Test
    void everyWaitingTaskIsCompleted_onceEach() {
        String build = "ecr-build-push:cccc0000-0000-4000-8000-000000000001";
        completions.await(build, new SecretText("token-1"), IMAGES);
        completions.await(build, new SecretText("token-2"), IMAGES);
        // when
        TaskCompletions.Answer answer = completions.onBuildEvent(build, () -> succeeded(build));
        // then
        assertEquals(TaskCompletions.Status.TASK_SUCCEEDED, answer.status());
        assertEquals(Set.of("token-1", "token-2"), completedTokens());
        assertEquals(2, AWS.requests(STEP_FUNCTIONS + "SendTaskSuccess").size());
        assertEquals(TaskCompletions.Status.IGNORED, completions.onBuildEvent(build, () -> succeeded(build)).status());
        assertEquals(2, AWS.requests(STEP_FUNCTIONS + "SendTaskSuccess").size());
    }

    /**
     * The task's output is the build as read back, with its phase timings, and the images the waiting run asked for;
     * the fields it always had keep their values (phase COMPLETED whatever the executor's last phase, no reason).
     */
    @Test
    void success_outputIsTheReadBackBuild_withItsTimings_andTheWaitingImages() throws Exception {
        String build = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/0f1e2d3c4b5a69788776655443322111";
        completions.await(build, new SecretText("token-timed"), IMAGES);
        PhaseTimings timings = new PhaseTimings(null, 31.25, 21.25, null, null, null, 100.75, 13.25, 168.0);
        BuildStatusResult readBack = new BuildStatusResult(build, BuildStatusResult.Status.SUCCEEDED, "STOPPED",
                List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:other"), "sha256:" + "e".repeat(64), null, List.of(),
                timings);
        // when
        completions.onBuildEvent(build, () -> readBack);
        // then
        JsonNode output = Fixtures.JSON.readTree(AWS.bodies(STEP_FUNCTIONS + "SendTaskSuccess").get(0).get("output").asText());
        assertEquals(build, output.get("buildId").asText());
        assertEquals("SUCCEEDED", output.get("status").asText());
        assertEquals("COMPLETED", output.get("phase").asText());
        assertEquals(IMAGES, Fixtures.JSON.convertValue(output.get("imageUris"), List.class));
        assertEquals("sha256:" + "e".repeat(64), output.get("digest").asText());
        assertTrue(output.get("reason").isNull(), output::toString);
        assertEquals(Fixtures.JSON.valueToTree(timings), output.get("timings"));
        assertEquals(100.75, output.at("/timings/runningSeconds").asDouble());
    }

    /**
     * The function's own time to the launch is kept with the first token, as the run that started the build measured
     * it, and reaches every waiting task's output beside the build's phases.
     */
    @Test
    void success_outputCarriesTheFunctionTimeKeptWithTheFirstToken() throws Exception {
        String build = "ecr-build-push:cccc0000-0000-4000-8000-000000000004";
        completions.await(build, new SecretText("token-first"), IMAGES, 612L);
        completions.await(build, new SecretText("token-retry"), IMAGES, 5L);
        PhaseTimings timings = new PhaseTimings(2.0, 186.0, null, 4.0, 95.0, null, 99.0, 2.0, 291.4);
        // when
        completions.onBuildEvent(build, () -> new BuildStatusResult(build, BuildStatusResult.Status.SUCCEEDED, "COMPLETED", IMAGES,
                null, null, List.of(), timings));
        // then
        List<JsonNode> bodies = AWS.bodies(STEP_FUNCTIONS + "SendTaskSuccess");
        assertEquals(2, bodies.size());
        for (JsonNode body : bodies) {
            JsonNode output = Fixtures.JSON.readTree(body.get("output").asText());
            assertEquals(612, output.at("/timings/functionMillis").asLong(), output::toString);
            assertEquals(186.0, output.at("/timings/provisioningSeconds").asDouble(), output::toString);
        }
    }

    /** An item kept before the function's time was: its task is completed all the same, without that time. */
    @Test
    void success_ofATokenKeptBeforeTheFunctionTimeWas_leavesItOut() throws Exception {
        String build = "ecr-build-push:cccc0000-0000-4000-8000-000000000005";
        client.putItem(r -> r.tableName(TABLE).item(Map.of("idempotencyKey", AttributeValue.fromS("build#" + build),
                "status", AttributeValue.fromS("IN_PROGRESS"), "taskTokens", AttributeValue.fromSs(List.of("token-old")),
                "imageUris", AttributeValue.fromL(List.of(AttributeValue.fromS(IMAGES.get(0)))))));
        PhaseTimings timings = new PhaseTimings(2.0, 186.0, null, 4.0, 95.0, null, 99.0, 2.0, 291.4);
        // when
        TaskCompletions.Answer answer = completions.onBuildEvent(build, () -> new BuildStatusResult(build,
                BuildStatusResult.Status.SUCCEEDED, "COMPLETED", IMAGES, null, null, List.of(), timings));
        // then
        assertEquals(TaskCompletions.Status.TASK_SUCCEEDED, answer.status());
        JsonNode output = Fixtures.JSON.readTree(AWS.bodies(STEP_FUNCTIONS + "SendTaskSuccess").get(0).get("output").asText());
        assertEquals(Fixtures.JSON.valueToTree(timings), output.get("timings"));
        assertEquals(IMAGES, Fixtures.JSON.convertValue(output.get("imageUris"), List.class));
    }

    /**
     * A task that stores its token while the build's end is being handled (after its waiting tokens were read,
     * before its outcome was recorded) is completed too: no later event would find it, and no later
     * {@code await} either, since the build's outcome is recorded by then.
     */
    @Test
    void aStoppedBuild_failsItsWaitingTask_asBuildStopped_withWhy() {
        // given: a build a newer push of its ref stopped (SupersededBuilds), and a task waiting for it
        AWS.reply(STEP_FUNCTIONS + "SendTaskFailure", "{}");
        String build = "ecr-build-push:cccc0000-0000-4000-8000-000000000003";
        completions.await(build, new SecretText("token-stopped"), IMAGES);
        // when
        TaskCompletions.Answer answer = completions.onBuildEvent(build, () -> new BuildStatusResult(build,
                BuildStatusResult.Status.STOPPED, "STOPPED", IMAGES, null, "ecr-build-push: superseded by push 2"));
        // then: a typed failure a Catch can match, never a timeout
        assertEquals(TaskCompletions.Status.TASK_FAILED, answer.status());
        JsonNode failure = AWS.bodies(STEP_FUNCTIONS + "SendTaskFailure").get(0);
        assertEquals("BuildStopped", failure.get("error").asText());
        assertEquals("build " + build + " STOPPED in phase STOPPED: ecr-build-push: superseded by push 2", failure.get("cause").asText());
    }

    @Test
    void taskThatBeginsWaitingWhileTheBuildsEndIsHandled_isCompletedToo() {
        String build = "ecr-build-push:cccc0000-0000-4000-8000-000000000002";
        completions.await(build, new SecretText("token-1"), IMAGES);
        // when: a Step Functions retry's token arrives as the build is read back
        TaskCompletions.Answer answer = completions.onBuildEvent(build, () -> {
            completions.await(build, new SecretText("token-late"), IMAGES);
            return succeeded(build);
        });
        // then
        assertEquals(TaskCompletions.Status.TASK_SUCCEEDED, answer.status());
        assertEquals(Set.of("token-1", "token-late"), completedTokens());
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TABLE)
                .key(Map.of("idempotencyKey", AttributeValue.fromS("build#" + build)))).item();
        assertFalse(item.containsKey("taskTokens"));
        assertEquals("DONE", item.get("status").s());
    }
}
