package dev.ecrpush.executor.codebuild;

import static dev.ecrpush.support.AwsFake.CODEBUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.PhaseTimings;
import dev.ecrpush.result.ResultJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/**
 * Where a CodeBuild build's time went, from canned {@code BatchGetBuilds} answers ({@code timings/codebuild-*.json})
 * read through the real SDK client from the fake: each phase's {@code durationInSeconds}, the time so far of the
 * phase a running build is in (a fixed clock), and nothing made up for a phase CodeBuild lists without a time.
 */
class CodeBuildTimingsTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String BUILD_ID = "ecr-build-push:0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70";
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");

    @BeforeEach
    void reset() {
        AWS.reset();
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    private static BuildStatusResult status(String fixture) {
        AWS.reply(CODEBUILD + "BatchGetBuilds", Fixtures.read(Path.of("src/test/resources/timings", fixture)).toString());
        return new CodeBuildStatus(AWS.codeBuild(Region.EU_WEST_1), Set.of("ecr-build-push"), Clock.fixed(NOW, ZoneOffset.UTC))
                .status(BUILD_ID);
    }

    @Test
    void succeeded_reportsEachPhasesDuration_andTheTotalFromTheBuildsOwnTimes() {
        // when: 2 s queued, 186 s provisioning (the plugin image pulled as the build image), 4 s cloning, 95 s building
        BuildStatusResult result = status("codebuild-succeeded.json");
        // then: no pull or push of its own: CodeBuild pulls in PROVISIONING, the plugin pushes from the build's process
        assertEquals(new PhaseTimings(2.0, 186.0, null, 4.0, 95.0, null, 99.0, 2.0, 291.4), result.timings());
    }

    @Test
    void running_countsThePhaseItIsIn_untilNow() {
        // when: in BUILD since 106.5 s before the request, 300 s after the build started
        BuildStatusResult result = status("codebuild-running.json");
        // then: the phases not yet begun are unknown, not zero
        assertEquals(BuildStatusResult.Status.IN_PROGRESS, result.status());
        assertEquals(new PhaseTimings(2.0, 186.0, null, 4.0, 106.5, null, 110.5, null, 300.0), result.timings());
    }

    @Test
    void missingPhases_areNull_andAPhaseListedWithoutATimeIsNotMadeUp() {
        // when: failed in PROVISIONING, which CodeBuild lists with its start only; no later phase is listed
        BuildStatusResult result = status("codebuild-missing-phases.json");
        // then
        assertEquals(BuildStatusResult.Status.FAILED, result.status());
        assertEquals(new PhaseTimings(1.0, null, null, null, null, null, null, null, 62.5), result.timings());
    }

    @Test
    void statusAnswer_namesEveryPhase_withNullForThoseNotToldApart() {
        // when
        JsonNode answer = ResultJson.tree(status("codebuild-succeeded.json"), Fixtures.JSON);
        // then
        JsonNode timings = answer.get("timings");
        List<String> names = new ArrayList<>();
        timings.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of("queuedSeconds", "provisioningSeconds", "pullingImageSeconds", "fetchingSourceSeconds",
                "buildingSeconds", "pushingSeconds", "runningSeconds", "finalizingSeconds", "totalSeconds"), names);
        assertEquals(186.0, timings.get("provisioningSeconds").asDouble());
        assertTrue(timings.get("pushingSeconds").isNull(), timings::toString);
        assertEquals(291.4, timings.get("totalSeconds").asDouble());
    }
}
