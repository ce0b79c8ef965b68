package dev.ecrpush.executor.ecs;

import static dev.ecrpush.support.AwsFake.LOGS;
import static dev.ecrpush.support.AwsFake.ECS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.launch.BuildStatusResult;

/**
 * The status of an ECS build with the real SDK against a fake ECS and CloudWatch Logs: every task state mapped to the
 * SPEC §7 statuses with the stopped reason, the step timeout enforced with {@code StopTask}, and the same
 * verdict from a task state-change event.
 */
class EcsBuildStatusTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    private static final String DIGEST = "sha256:" + "b".repeat(64);
    private static final String OTHER_DIGEST = "sha256:" + "c".repeat(64);

    private final List<String> regionsAsked = new ArrayList<>();

    @BeforeEach
    void reset() {
        AWS.reset();
        regionsAsked.clear();
        AWS.reply(ECS + "StopTask",
                "{\"task\": {\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"RUNNING\", \"desiredStatus\": \"STOPPED\"}}");
        AWS.reply(LOGS + "GetLogEvents", logEvents("INFO[0031] Pushed 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@" + OTHER_DIGEST,
                "ecr-build-push: pushed " + DIGEST));
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    private EcsBuildStatus status() {
        return new EcsBuildStatus(region -> {
            regionsAsked.add(region);
            return AWS.ecs(Region.of(region));
        }, new EcsPluginLogs(region -> AWS.logs(Region.of(region)), "/ecr-build-push/ecs"), Clock.fixed(NOW, ZoneOffset.UTC),
                new EcsOwnTasks("ci-builds", "eu-west-1", "ecr-build-push"));
    }

    /** GetLogEvents' answer, oldest first. */
    private static String logEvents(String... messages) {
        ObjectNode response = Fixtures.JSON.createObjectNode();
        var events = response.putArray("events");
        long time = NOW.toEpochMilli() - 60_000;
        for (String message : messages) {
            events.addObject().put("timestamp", time++).put("message", message).put("ingestionTime", time);
        }
        return response.toString();
    }

    /**
     * DescribeTasks' answer for the task, created {@code minutesAgo} with a 30-minute timeout; an exit code or
     * reason of "-" is left out.
     */
    private static String task(String lastStatus, String desiredStatus, String stopCode, String stoppedReason, String sourceExit,
            String pluginExit, long minutesAgo) {
        ObjectNode task = Fixtures.JSON.createObjectNode().put("taskArn", TASK_ARN)
                .put("clusterArn", "arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds")
                .put("startedBy", "ecr-build-push")
                .put("taskDefinitionArn", "arn:aws:ecs:eu-west-1:111111111111:task-definition/ecr-build-push-0f1e2d3c4b5a6978:3")
                .put("lastStatus", lastStatus).put("desiredStatus", desiredStatus)
                .put("createdAt", NOW.minusSeconds(minutesAgo * 60).getEpochSecond());
        if (!"-".equals(stopCode)) {
            task.put("stopCode", stopCode);
        }
        if (!"-".equals(stoppedReason)) {
            task.put("stoppedReason", stoppedReason);
        }
        var containers = task.putArray("containers");
        ObjectNode source = containers.addObject().put("name", "source");
        ObjectNode plugin = containers.addObject().put("name", "plugin");
        if (!"-".equals(sourceExit)) {
            source.put("exitCode", Integer.parseInt(sourceExit));
        }
        if (!"-".equals(pluginExit)) {
            plugin.put("exitCode", Integer.parseInt(pluginExit));
        }
        var overrides = task.putObject("overrides").putArray("containerOverrides");
        var sourceEnv = overrides.addObject().put("name", "source").putArray("environment");
        sourceEnv.addObject().put("name", "GIT_REPO_URL").put("value", "https://github.com/acme/app.git");
        sourceEnv.addObject().put("name", "BUILDPUSH_TIMEOUT_SECONDS").put("value", "1800");
        var pluginEnv = overrides.addObject().put("name", "plugin").putArray("environment");
        pluginEnv.addObject().put("name", "PLUGIN_REGISTRY").put("value", "123456789012.dkr.ecr.eu-west-1.amazonaws.com");
        pluginEnv.addObject().put("name", "PLUGIN_REPO").put("value", "app");
        pluginEnv.addObject().put("name", "PLUGIN_TAGS").put("value", "9f1c2d3,latest");
        ObjectNode response = Fixtures.JSON.createObjectNode();
        response.putArray("tasks").add(task);
        response.putArray("failures");
        return response.toString();
    }

    @ParameterizedTest(name = "{0}/{1} {2} source={4} plugin={5} -> {6}")
    @CsvSource(delimiter = '|', value = {
        "PROVISIONING | RUNNING | - | - | - | - | QUEUED | -",
        "PENDING | RUNNING | - | - | - | - | QUEUED | -",
        "ACTIVATING | RUNNING | - | - | - | - | QUEUED | -",
        "RUNNING | RUNNING | - | - | 0 | - | IN_PROGRESS | -",
        "DEACTIVATING | STOPPED | EssentialContainerExited | Essential container in task exited | 0 | 0 | IN_PROGRESS | -",
        "STOPPED | STOPPED | EssentialContainerExited | Essential container in task exited | 0 | 0 | SUCCEEDED | -",
        "STOPPED | STOPPED | EssentialContainerExited | Essential container in task exited | 0 | 1 | FAILED"
                + " | Essential container in task exited; plugin container exited with 1",
        "STOPPED | STOPPED | TaskFailedToStart | Task failed to start | 128 | - | FAILED"
                + " | Task failed to start; source container exited with 128 (the checkout failed)",
        "STOPPED | STOPPED | TaskFailedToStart | CannotPullContainerError: pull image manifest has been retried 5 time(s) | - | - | FAILED"
                + " | CannotPullContainerError: pull image manifest has been retried 5 time(s)",
        "STOPPED | STOPPED | UserInitiated | Stopped by the release manager | 0 | 137 | STOPPED | Stopped by the release manager",
        "STOPPED | STOPPED | UserInitiated | ecr-build-push: step timeout of 30m exceeded | 0 | 137 | TIMED_OUT"
                + " | ecr-build-push: step timeout of 30m exceeded",
        "STOPPING | STOPPED | UserInitiated | ecr-build-push: step timeout of 30m exceeded | 0 | - | TIMED_OUT"
                + " | ecr-build-push: step timeout of 30m exceeded"})
    void status_taskStates_mapToTheCallersStatuses(String lastStatus, String desiredStatus, String stopCode, String stoppedReason,
            String sourceExit, String pluginExit, Status expected, String reason) {
        // given: a task well within its timeout
        AWS.reply(ECS + "DescribeTasks", task(lastStatus, desiredStatus, stopCode, stoppedReason, sourceExit, pluginExit, 5));
        // when
        BuildStatusResult result = status().status(TASK_ARN);
        // then
        assertEquals(expected, result.status());
        assertEquals(lastStatus, result.phase());
        assertEquals("-".equals(reason) ? null : reason, result.reason());
        assertEquals(List.of("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:9f1c2d3",
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest"), result.imageUris());
        assertEquals(expected == Status.SUCCEEDED ? DIGEST : null, result.digest());
        assertFalse(AWS.operations().contains("StopTask"));
    }

    @Test
    void status_asksTheTasksRegionForTheTaskInItsCluster() {
        // given
        AWS.reply(ECS + "DescribeTasks", task("RUNNING", "RUNNING", "-", "-", "0", "-", 5));
        // when
        status().status(TASK_ARN);
        // then
        assertEquals(List.of("eu-west-1"), regionsAsked);
        JsonNode describe = AWS.bodies(ECS + "DescribeTasks").get(0);
        assertEquals("ci-builds", describe.get("cluster").asText());
        assertEquals(TASK_ARN, describe.at("/tasks/0").asText());
    }

    @Test
    void status_succeeded_reportsTheDigestThePluginContainerPrintedLast() {
        // given: issue 10: the build's own report, not what a tag points at when someone asks
        AWS.reply(ECS + "DescribeTasks", task("STOPPED", "STOPPED", "EssentialContainerExited", "Essential container in task exited",
                "0", "0", 20));
        // when
        BuildStatusResult result = status().status(TASK_ARN);
        // then
        assertEquals(DIGEST, result.digest());
        assertEquals(List.of("DescribeTasks", "GetLogEvents"), AWS.operations());
        JsonNode read = AWS.bodies(LOGS + "GetLogEvents").get(0);
        assertEquals("/ecr-build-push/ecs", read.get("logGroupName").asText());
        assertEquals("build/plugin/0f1e2d3c4b5a69788796a5b4c3d2e1f0", read.get("logStreamName").asText());
        assertFalse(read.get("startFromHead").asBoolean());
    }

    @ParameterizedTest
    @ValueSource(strings = {"digest-line-not-last", "no-digest-line", "malformed-digest", "no-stream"})
    void status_succeededWithoutTheDigestLineLast_hasNoDigest(String log) {
        // given: a Dockerfile's RUN may print anything, but never after the plugin has exited
        AWS.reply(ECS + "DescribeTasks", task("STOPPED", "STOPPED", "EssentialContainerExited", "Essential container in task exited",
                "0", "0", 20));
        switch (log) {
            case "digest-line-not-last" -> AWS.reply(LOGS + "GetLogEvents", logEvents("ecr-build-push: pushed " + DIGEST, "done"));
            case "no-digest-line" -> AWS.reply(LOGS + "GetLogEvents", logEvents("INFO[0031] Pushed image"));
            case "malformed-digest" -> AWS.reply(LOGS + "GetLogEvents", logEvents("ecr-build-push: pushed sha256:zz"));
            default -> AWS.fail(LOGS + "GetLogEvents", 400, "ResourceNotFoundException", "The specified log stream does not exist.");
        }
        // when
        BuildStatusResult result = status().status(TASK_ARN);
        // then
        assertEquals(Status.SUCCEEDED, result.status());
        assertNull(result.digest());
    }

    @Test
    void status_logThatCannotBeRead_leavesTheDigestOut() {
        // given
        AWS.reply(ECS + "DescribeTasks", task("STOPPED", "STOPPED", "EssentialContainerExited", "Essential container in task exited",
                "0", "0", 20));
        AWS.fail(LOGS + "GetLogEvents", 400, "AccessDeniedException", "not authorized to perform: logs:GetLogEvents");
        // when
        BuildStatusResult result = status().status(TASK_ARN);
        // then
        assertEquals(Status.SUCCEEDED, result.status());
        assertNull(result.digest());
    }

    @Test
    void status_runningPastItsTimeout_isStoppedAndTimedOut() {
        // given: a 30-minute step, running for 45
        AWS.reply(ECS + "DescribeTasks", task("RUNNING", "RUNNING", "-", "-", "0", "-", 45));
        // when
        BuildStatusResult result = status().status(TASK_ARN);
        // then
        assertEquals(Status.TIMED_OUT, result.status());
        assertEquals("ecr-build-push: step timeout of 30m exceeded", result.reason());
        assertEquals(List.of("DescribeTasks", "StopTask"), AWS.operations());
        JsonNode stop = AWS.bodies(ECS + "StopTask").get(0);
        assertEquals("ci-builds", stop.get("cluster").asText());
        assertEquals(TASK_ARN, stop.get("task").asText());
        assertEquals("ecr-build-push: step timeout of 30m exceeded", stop.get("reason").asText());
        assertNull(result.digest());
    }

    @Test
    void status_stillWaitingForCapacityPastItsTimeout_isStoppedToo() {
        AWS.reply(ECS + "DescribeTasks", task("PROVISIONING", "RUNNING", "-", "-", "-", "-", 31));
        assertEquals(Status.TIMED_OUT, status().status(TASK_ARN).status());
        assertTrue(AWS.operations().contains("StopTask"));
    }

    @Test
    void status_alreadyStoppingPastItsTimeout_isNotStoppedAgain() {
        AWS.reply(ECS + "DescribeTasks", task("DEACTIVATING", "STOPPED", "EssentialContainerExited", "Essential container in task exited",
                "0", "0", 45));
        assertEquals(Status.IN_PROGRESS, status().status(TASK_ARN).status());
        assertFalse(AWS.operations().contains("StopTask"));
    }

    @Test
    void status_stopRefused_isAPermissionFailureNamingTheTask() {
        // given
        AWS.reply(ECS + "DescribeTasks", task("RUNNING", "RUNNING", "-", "-", "0", "-", 45));
        AWS.fail(ECS + "StopTask", 400, "AccessDeniedException", "not allowed to stop");
        // when
        dev.ecrpush.error.PermissionDeniedException e = assertThrows(dev.ecrpush.error.PermissionDeniedException.class,
                () -> status().status(TASK_ARN));
        // then
        assertEquals("ecs.StopTask failed for task " + TASK_ARN + ": AccessDeniedException: not allowed to stop", e.getMessage());
    }

    @Test
    void status_taskEcsNoLongerKnows_isALaunchFailure() {
        // given
        AWS.reply(ECS + "DescribeTasks", "{\"tasks\": [], \"failures\": [{\"arn\": \"" + TASK_ARN + "\", \"reason\": \"MISSING\"}]}");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> status().status(TASK_ARN));
        // then
        assertEquals("ecs task " + TASK_ARN + " was not found in cluster ci-builds (MISSING); ECS keeps a stopped task for about an hour",
                e.getMessage());
    }
}
