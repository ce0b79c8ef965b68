package dev.ecrpush.launch;

import static dev.ecrpush.support.AwsFake.ECR;
import static dev.ecrpush.support.AwsFake.ECS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/**
 * The status of an ECS build with the real SDK against a fake ECS and ECR: every task state mapped to the
 * SPEC §7 statuses with the stopped reason, the step timeout enforced with {@code StopTask}, and the same
 * verdict from a task state-change event.
 */
class EcsBuildStatusTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final Instant NOW = Instant.parse("2026-01-10T12:00:00Z");
    private static final String DIGEST = "sha256:" + "b".repeat(64);

    private final List<String> regionsAsked = new ArrayList<>();

    @BeforeEach
    void reset() {
        AWS.reset();
        regionsAsked.clear();
        AWS.reply(ECS + "StopTask", "{\"task\": {\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"RUNNING\", \"desiredStatus\": \"STOPPED\"}}");
        AWS.reply(ECR + "DescribeImages", "{\"imageDetails\": [{\"imageDigest\": \"" + DIGEST + "\"}]}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    private EcsBuildStatus status() {
        return new EcsBuildStatus(region -> {
            regionsAsked.add(region);
            return AWS.ecs(Region.of(region));
        }, (account, region) -> AWS.ecr(Region.of(region)), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /**
     * DescribeTasks' answer for the task, created {@code minutesAgo} with a 30-minute timeout; an exit code or
     * reason of "-" is left out.
     */
    private static String task(String lastStatus, String desiredStatus, String stopCode, String stoppedReason, String sourceExit,
            String pluginExit, long minutesAgo) {
        ObjectNode task = Fixtures.JSON.createObjectNode().put("taskArn", TASK_ARN)
                .put("clusterArn", "arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds")
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
        "STOPPED | STOPPED | EssentialContainerExited | Essential container in task exited | 0 | 1 | FAILED | Essential container in task exited; plugin container exited with 1",
        "STOPPED | STOPPED | TaskFailedToStart | Task failed to start | 128 | - | FAILED | Task failed to start; source container exited with 128 (the checkout failed)",
        "STOPPED | STOPPED | TaskFailedToStart | CannotPullContainerError: pull image manifest has been retried 5 time(s) | - | - | FAILED | CannotPullContainerError: pull image manifest has been retried 5 time(s)",
        "STOPPED | STOPPED | UserInitiated | Stopped by the release manager | 0 | 137 | STOPPED | Stopped by the release manager",
        "STOPPED | STOPPED | UserInitiated | ecr-build-push: step timeout of 30m exceeded | 0 | 137 | TIMED_OUT | ecr-build-push: step timeout of 30m exceeded",
        "STOPPING | STOPPED | UserInitiated | ecr-build-push: step timeout of 30m exceeded | 0 | - | TIMED_OUT | ecr-build-push: step timeout of 30m exceeded"})
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
    void status_succeeded_readsTheFirstTagsDigestFromTheRegistry() {
        // given
        AWS.reply(ECS + "DescribeTasks", task("STOPPED", "STOPPED", "EssentialContainerExited", "Essential container in task exited",
                "0", "0", 20));
        // when
        BuildStatusResult result = status().status(TASK_ARN);
        // then
        assertEquals(DIGEST, result.digest());
        JsonNode describeImages = AWS.bodies(ECR + "DescribeImages").get(0);
        assertEquals("123456789012", describeImages.get("registryId").asText());
        assertEquals("app", describeImages.get("repositoryName").asText());
        assertEquals("9f1c2d3", describeImages.at("/imageIds/0/imageTag").asText());
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
    void status_stopRefused_isALaunchFailureNamingTheTask() {
        // given
        AWS.reply(ECS + "DescribeTasks", task("RUNNING", "RUNNING", "-", "-", "0", "-", 45));
        AWS.fail(ECS + "StopTask", 400, "AccessDeniedException", "not allowed to stop");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> status().status(TASK_ARN));
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

    @Test
    void stateChange_stoppedEvent_isTheSameVerdictAsAStatusRequest_withTheDigest() {
        // given
        JsonNode event = Fixtures.read(Path.of("src/test/resources/ecs/task-state-change-stopped.json"));
        // when
        BuildStatusResult result = status().stateChange(event.get("detail"));
        // then
        assertEquals(new BuildStatusResult(TASK_ARN, Status.SUCCEEDED, "STOPPED", List.of(
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:9f1c2d3", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:latest"),
                DIGEST, null), result);
        assertTrue(result.status().terminal());
        assertEquals(List.of("DescribeImages"), AWS.operations());
    }

    @Test
    void stateChange_runningEventPastTheTimeout_stopsTheTask() {
        // given: the build's task reported RUNNING 31 minutes after it was created, with a 30-minute timeout
        ObjectNode detail = (ObjectNode) Fixtures.read(Path.of("src/test/resources/ecs/task-state-change-stopped.json")).get("detail").deepCopy();
        detail.put("lastStatus", "RUNNING").put("desiredStatus", "RUNNING").remove(List.of("stopCode", "stoppedReason"));
        ((ObjectNode) detail.at("/containers/1")).remove("exitCode");
        detail.put("createdAt", NOW.minusSeconds(31 * 60).toString());
        // when
        BuildStatusResult result = status().stateChange(detail);
        // then
        assertEquals(Status.TIMED_OUT, result.status());
        assertEquals(List.of("StopTask"), AWS.operations());
        assertEquals(TASK_ARN, AWS.bodies(ECS + "StopTask").get(0).get("task").asText());
    }
}
