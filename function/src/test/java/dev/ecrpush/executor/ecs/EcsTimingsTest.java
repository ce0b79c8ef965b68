package dev.ecrpush.executor.ecs;

import static dev.ecrpush.support.AwsFake.ECS;
import static dev.ecrpush.support.AwsFake.LOGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.PhaseTimings;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/**
 * Where an ECS build's time went, from canned {@code DescribeTasks} answers ({@code timings/ecs-*.json}) read
 * through the real SDK client from the fake: the task's timestamps, the time so far of the phase a running task is
 * in (a fixed clock), and nothing made up for a timestamp a stopped task lacks.
 */
class EcsTimingsTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(LOGS + "GetLogEvents", "{\"events\": [{\"timestamp\": 1768046300000, \"message\": \"ecr-build-push: pushed sha256:"
                + "b".repeat(64) + "\", \"ingestionTime\": 1768046300001}]}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    private static BuildStatusResult status(String fixture) {
        AWS.reply(ECS + "DescribeTasks", Fixtures.read(Path.of("src/test/resources/timings", fixture)).toString());
        return new EcsBuildStatus(region -> AWS.ecs(Region.of(region)),
                new EcsPluginLogs(region -> AWS.logs(Region.of(region)), "/ecr-build-push/ecs"), Clock.fixed(NOW, ZoneOffset.UTC),
                new EcsOwnTasks("ci-builds", "eu-west-1", "ecr-build-push")).status(TASK_ARN);
    }

    @Test
    void stopped_reportsEachSpanBetweenTheTasksTimestamps_toTheMillisecond() {
        // when: 31.25 s to the pull, 21.25 s pulling, 100.75 s running, 13.25 s from the containers' exit to the stop
        BuildStatusResult result = status("ecs-stopped.json");
        // then: queueing, the clone, the build and the push are not told apart by ECS
        assertEquals(BuildStatusResult.Status.SUCCEEDED, result.status());
        assertEquals(new PhaseTimings(null, 31.25, 21.25, null, null, null, 100.75, 13.25, 168.0), result.timings());
    }

    @Test
    void running_countsTheRunningSpan_untilNow() {
        // when: started 78.5 s before the request, created 120 s before it
        BuildStatusResult result = status("ecs-running.json");
        // then
        assertEquals(BuildStatusResult.Status.IN_PROGRESS, result.status());
        assertEquals(new PhaseTimings(null, 20.0, 20.0, null, null, null, 78.5, null, 120.0), result.timings());
        assertFalse(AWS.operations().contains("StopTask"));
    }

    @Test
    void failedToStart_leavesThePhasesItNeverReachedNull_notCountedToTheStop() {
        // when: the pull began and never ended (CannotPullContainerError); the task never started
        BuildStatusResult result = status("ecs-failed-to-start.json");
        // then
        assertEquals(BuildStatusResult.Status.FAILED, result.status());
        assertEquals(new PhaseTimings(null, 12.5, null, null, null, null, null, null, 110.25), result.timings());
    }
}
