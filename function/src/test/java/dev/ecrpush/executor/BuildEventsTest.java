package dev.ecrpush.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/**
 * Issue 11: the executors' end events as EventBridge delivers them: the registry finds the executor an event is
 * for, and the event only names the build, which is then read back (how it ended is judged by the status).
 */
class BuildEventsTest {
    private static final String BUILD = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    private static final String TASK = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/c13b4cb40f1f4fe4a2971f76ae5a47ad";
    private final Executors executors = new Executors(List.of(Fixtures.CODEBUILD, Fixtures.ECS));

    @ParameterizedTest
    @CsvSource({
        "events/codebuild-state-change.json, CODEBUILD, " + BUILD,
        "src/test/resources/state-changes/codebuild-failed.json, CODEBUILD, " + BUILD,
        "src/test/resources/state-changes/codebuild-in-progress.json, CODEBUILD, " + BUILD,
        "events/ecs-task-state-change.json, ECS, " + TASK,
        "src/test/resources/state-changes/ecs-task-failed.json, ECS, " + TASK,
        "src/test/resources/state-changes/ecs-task-failed-to-start.json, ECS, " + TASK,
        "src/test/resources/state-changes/ecs-task-running.json, ECS, " + TASK})
    void buildIdOf_everyEndEvent_namesTheBuildARunReturned(String file, ExecutorType kind, String buildId) {
        // given: the sample events of the repository, or this module's test resources
        JsonNode event = Fixtures.read(file.startsWith("events/") ? Repo.path(file) : Path.of(file));
        // when
        BuildExecutor executor = executors.reading(event.get("source").asText(), event.get("detail-type").asText());
        // then
        assertEquals(kind, executor.kind());
        assertEquals(buildId, executor.buildIdOf(event));
        assertTrue(executor.owns(buildId));
        assertSame(executor, executors.owning(buildId));
    }

    @Test
    void buildIdOf_eventNamingNoBuild_isAnErrorNamingTheField() {
        ObjectNode codeBuild = (ObjectNode) Fixtures.read(Repo.path("events/codebuild-state-change.json"));
        ((ObjectNode) codeBuild.get("detail")).remove("build-id");
        ObjectNode ecs = (ObjectNode) Fixtures.read(Repo.path("events/ecs-task-state-change.json"));
        ((ObjectNode) ecs.get("detail")).put("taskArn", "not-a-task");
        assertEquals("detail.build-id: a CodeBuild state change must name the build's ARN",
                assertThrows(InvalidStepException.class, () -> Fixtures.CODEBUILD.buildIdOf(codeBuild)).getMessage());
        assertEquals("detail.taskArn: an ECS task state change must name the task's ARN",
                assertThrows(InvalidStepException.class, () -> Fixtures.ECS.buildIdOf(ecs)).getMessage());
    }

    @Test
    void reading_anotherEvent_isNoExecutors() {
        assertNull(executors.reading("aws.ecr", "ECR Image Scan"));
        assertNull(executors.owning("not-a-build"));
    }
}
