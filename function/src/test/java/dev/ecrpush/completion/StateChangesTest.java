package dev.ecrpush.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/** CodeBuild and ECS state-change events as EventBridge delivers them, read into how the build ended. */
class StateChangesTest {
    private static final String BUILD = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    private static final String TASK = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/c13b4cb40f1f4fe4a2971f76ae5a47ad";

    private static JsonNode event(String file) {
        return Fixtures.read(Path.of("src/test/resources/state-changes", file));
    }

    @Test
    void codeBuild_succeeded_isNamedByTheBuildIdARunReturns() {
        assertEquals(new StateChange.Ended(BUILD, StateChange.Outcome.SUCCEEDED, "COMPLETED", ""),
                CodeBuildStateChanges.read(Fixtures.read(Repo.path("events/codebuild-state-change.json"))));
    }

    @Test
    void codeBuild_failed_namesTheFailedPhaseAndItsContext() {
        assertEquals(new StateChange.Ended(BUILD, StateChange.Outcome.FAILED, "BUILD",
                "COMMAND_EXECUTION_ERROR: Error while executing command: /kaniko/executor. Reason: exit status 1"),
                CodeBuildStateChanges.read(event("codebuild-failed.json")));
    }

    @Test
    void codeBuild_inProgress_isNotOver() {
        assertEquals(new StateChange.Running(BUILD, "IN_PROGRESS"), CodeBuildStateChanges.read(event("codebuild-in-progress.json")));
    }

    @Test
    void codeBuild_stoppedTimedOutAndFault() {
        for (String[] status : new String[][] {{"STOPPED", "STOPPED"}, {"TIMED_OUT", "TIMED_OUT"}, {"FAULT", "FAILED"}}) {
            ObjectNode event = (ObjectNode) Fixtures.read(Repo.path("events/codebuild-state-change.json"));
            ((ObjectNode) event.get("detail")).put("build-status", status[0]);
            StateChange.Ended ended = (StateChange.Ended) CodeBuildStateChanges.read(event);
            assertEquals(StateChange.Outcome.valueOf(status[1]), ended.outcome(), status[0]);
        }
    }

    @Test
    void codeBuild_withoutBuildArn_isAnErrorNamingTheField() {
        ObjectNode event = (ObjectNode) Fixtures.read(Repo.path("events/codebuild-state-change.json"));
        ((ObjectNode) event.get("detail")).remove("build-id");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> CodeBuildStateChanges.read(event));
        assertEquals("detail.build-id: a CodeBuild state change must name the build's ARN", e.getMessage());
    }

    @Test
    void ecs_everyContainerExitedZero_isSuccess() {
        assertEquals(new StateChange.Ended(TASK, StateChange.Outcome.SUCCEEDED, "COMPLETED", ""),
                EcsTaskStateChanges.read(Fixtures.read(Repo.path("events/ecs-task-state-change.json"))));
    }

    @Test
    void ecs_aContainerExitedNonZero_isItsFailure() {
        assertEquals(new StateChange.Ended(TASK, StateChange.Outcome.FAILED, "kaniko", "exit code 1: kaniko: error building image"),
                EcsTaskStateChanges.read(event("ecs-task-failed.json")));
    }

    @Test
    void ecs_taskThatNeverStarted_failedInProvisioning() {
        assertEquals(new StateChange.Ended(TASK, StateChange.Outcome.FAILED, "PROVISIONING",
                "CannotPullContainerError: pull image manifest has been retried 5 time(s)"),
                EcsTaskStateChanges.read(event("ecs-task-failed-to-start.json")));
    }

    @Test
    void ecs_runningOrStoppedByAPerson() {
        assertEquals(new StateChange.Running(TASK, "RUNNING"), EcsTaskStateChanges.read(event("ecs-task-running.json")));
        ObjectNode stopped = (ObjectNode) Fixtures.read(Repo.path("events/ecs-task-state-change.json"));
        ((ObjectNode) stopped.get("detail")).put("stopCode", "UserInitiated").put("stoppedReason", "Task stopped by user");
        assertEquals(new StateChange.Ended(TASK, StateChange.Outcome.STOPPED, "RUN", "Task stopped by user"),
                EcsTaskStateChanges.read(stopped));
    }
}
