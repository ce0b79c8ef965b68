package dev.ecrpush.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.launch.EcsTaskStatus.ContainerState;
import dev.ecrpush.launch.EcsTaskStatus.Snapshot;
import dev.ecrpush.launch.EcsTaskStatus.Verdict;
import dev.ecrpush.support.Fixtures;

/** The pure judgement of an ECS task, and the reading of an "ECS Task State Change" event's detail. */
class EcsTaskStatusTest {
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private static JsonNode stoppedDetail() {
        return Fixtures.read(Path.of("src/test/resources/ecs/task-state-change-stopped.json")).get("detail");
    }

    @Test
    void ofEvent_readsTheTaskTheContainersTheTimeoutAndThePluginEnvironment() {
        // when
        Snapshot task = Snapshot.ofEvent(stoppedDetail());
        // then
        assertEquals(TASK_ARN, task.taskArn());
        assertEquals("STOPPED", task.lastStatus());
        assertEquals("EssentialContainerExited", task.stopCode());
        assertEquals(Instant.parse("2026-01-10T11:40:02.113Z"), task.createdAt());
        assertEquals(Duration.ofMinutes(30), task.timeout());
        assertEquals(List.of(new ContainerState("source", 0, null), new ContainerState("plugin", 0, null)), task.containers());
        assertEquals(Map.of("PLUGIN_REGISTRY", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "PLUGIN_REPO", "app",
                "PLUGIN_TAGS", "9f1c2d3,latest"), task.pluginEnv());
    }

    @Test
    void ofStateChange_stoppedWithPluginExitZero_succeedsAndNeedsNoStop() {
        Verdict verdict = EcsTaskStatus.ofStateChange(stoppedDetail(), Instant.parse("2026-01-10T13:00:00Z"));
        assertEquals(new Verdict(Status.SUCCEEDED, "STOPPED", null, false), verdict);
    }

    @Test
    void ofStateChange_runningPastTimeout_asksForTheStop_withinIt_doesNot() {
        // given
        ObjectNode detail = stoppedDetail().deepCopy();
        detail.put("lastStatus", "RUNNING").put("desiredStatus", "RUNNING").remove(List.of("stopCode", "stoppedReason"));
        Instant created = Instant.parse("2026-01-10T11:40:02.113Z");
        // when
        Verdict late = EcsTaskStatus.ofStateChange(detail, created.plus(Duration.ofMinutes(30)).plusSeconds(1));
        Verdict inTime = EcsTaskStatus.ofStateChange(detail, created.plus(Duration.ofMinutes(29)));
        // then
        assertEquals(new Verdict(Status.TIMED_OUT, "RUNNING", "ecr-build-push: step timeout of 30m exceeded", true), late);
        assertEquals(new Verdict(Status.IN_PROGRESS, "RUNNING", null, false), inTime);
    }

    @Test
    void judge_taskWithoutATimeout_isNeverTimedOut() {
        // a task the function did not start carries no timeout override
        Snapshot task = new Snapshot(TASK_ARN, "RUNNING", "RUNNING", null, null, Instant.EPOCH, null, List.of(), Map.of());
        Verdict verdict = EcsTaskStatus.judge(task, Instant.parse("2030-01-01T00:00:00Z"));
        assertEquals(Status.IN_PROGRESS, verdict.status());
        assertFalse(verdict.stopForTimeout());
    }

    @Test
    void ofStateChange_detailOfAnotherEvent_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EcsTaskStatus.ofStateChange(Fixtures.JSON.createObjectNode().put("build-id", "x"), Instant.EPOCH));
        assertTrue(e.getMessage().contains("taskArn"), e.getMessage());
    }

    @Test
    void timeoutReason_fitsStopTasksLimitAndReadsAsADuration() {
        assertEquals("ecr-build-push: step timeout of 1h30m exceeded", EcsTaskStatus.timeoutReason(Duration.ofMinutes(90)));
        assertEquals("ecr-build-push: step timeout of 1m30s exceeded", EcsTaskStatus.timeoutReason(Duration.ofSeconds(90)));
        assertTrue(EcsTaskStatus.timeoutReason(Duration.ofDays(400)).length() <= 255);
    }
}
