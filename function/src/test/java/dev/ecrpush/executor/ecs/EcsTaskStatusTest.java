package dev.ecrpush.executor.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;


import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.executor.ecs.EcsTaskStatus.ContainerState;
import dev.ecrpush.executor.ecs.EcsTaskStatus.Snapshot;
import dev.ecrpush.executor.ecs.EcsTaskStatus.Verdict;

/** The pure judgement of an ECS task, the one a status request and a task completion both get. */
class EcsTaskStatusTest {
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    /** A task the function started 30 minutes before {@code 2026-01-10T12:10:02Z}, with a 30-minute timeout. */
    private static Snapshot task(String lastStatus, String desiredStatus, Integer pluginExit) {
        return new Snapshot(TASK_ARN, lastStatus, desiredStatus, null, null, Instant.parse("2026-01-10T11:40:02.113Z"),
                Duration.ofMinutes(30), List.of(new ContainerState("source", 0, null), new ContainerState("plugin", pluginExit, null)),
                Map.of("PLUGIN_TAGS", "9f1c2d3,latest"));
    }

    @Test
    void judge_stoppedWithPluginExitZero_succeedsAndNeedsNoStop() {
        Verdict verdict = EcsTaskStatus.judge(task("STOPPED", "STOPPED", 0), Instant.parse("2026-01-10T13:00:00Z"));
        assertEquals(new Verdict(Status.SUCCEEDED, "STOPPED", null, false), verdict);
    }

    @Test
    void judge_runningPastTimeout_asksForTheStop_withinIt_doesNot() {
        // given
        Snapshot running = task("RUNNING", "RUNNING", null);
        Instant created = running.createdAt();
        // when
        Verdict late = EcsTaskStatus.judge(running, created.plus(Duration.ofMinutes(30)).plusSeconds(1));
        Verdict inTime = EcsTaskStatus.judge(running, created.plus(Duration.ofMinutes(29)));
        // then
        assertEquals(new Verdict(Status.TIMED_OUT, "RUNNING", "ecr-build-push: step timeout of 30m exceeded", true), late);
        assertEquals(new Verdict(Status.IN_PROGRESS, "RUNNING", null, false), inTime);
    }

    @Test
    void judge_aTaskStoppedAsSuperseded_isStopped_notTimedOut_evenPastItsTimeout() {
        // given: a task the function stopped because a newer push of its ref started (SupersededBuilds)
        String reason = "ecr-build-push: superseded by build arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e (push 7)";
        Snapshot stopped = new Snapshot(TASK_ARN, "STOPPED", "STOPPED", "UserInitiated", reason, Instant.parse("2026-01-10T11:40:02Z"),
                Duration.ofMinutes(30), List.of(new ContainerState("source", 0, null), new ContainerState("plugin", 137, null)), Map.of());
        Snapshot stopping = new Snapshot(TASK_ARN, "DEPROVISIONING", "STOPPED", "UserInitiated", reason,
                Instant.parse("2026-01-10T11:40:02Z"), Duration.ofMinutes(30), List.of(), Map.of());
        // when: read back long after its timeout
        Instant late = Instant.parse("2026-01-10T13:00:00Z");
        // then: STOPPED with the reason, which a waiting task fails with as BuildStopped; nothing to stop again
        assertEquals(new Verdict(Status.STOPPED, "STOPPED", reason, false), EcsTaskStatus.judge(stopped, late));
        assertEquals("BuildStopped", EcsTaskStatus.judge(stopped, late).status().taskError());
        assertEquals(new Verdict(Status.IN_PROGRESS, "DEPROVISIONING", null, false), EcsTaskStatus.judge(stopping, late));
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
    void timeoutReason_fitsStopTasksLimitAndReadsAsADuration() {
        assertEquals("ecr-build-push: step timeout of 1h30m exceeded", EcsTaskStatus.timeoutReason(Duration.ofMinutes(90)));
        assertEquals("ecr-build-push: step timeout of 1m30s exceeded", EcsTaskStatus.timeoutReason(Duration.ofSeconds(90)));
        assertTrue(EcsTaskStatus.timeoutReason(Duration.ofDays(400)).length() <= 255);
    }
}
