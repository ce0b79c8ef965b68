package dev.ecrpush.completion;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.InvalidStepException;

/**
 * Reads an ECS "Task State Change" EventBridge event. Only a {@code STOPPED} task has ended; how it ended is
 * read from {@code stopCode} and the containers' exit codes: every container exited 0 is success, a container
 * that exited otherwise is the failed phase (named after the container), a task that never started failed in
 * {@code PROVISIONING}, and a task someone stopped is {@code STOPPED}.
 *
 * <p>Kept apart from the CodeBuild mapping on purpose: it is the one place to change if the ECS executor's
 * containers or their meaning change.
 */
public final class EcsTaskStateChanges {
    private EcsTaskStateChanges() {
    }

    public static StateChange read(JsonNode event) {
        JsonNode detail = event.path("detail");
        String taskArn = detail.path("taskArn").asText("");
        if (!taskArn.startsWith("arn:")) {
            throw new InvalidStepException("detail.taskArn: an ECS task state change must name the task's ARN");
        }
        String lastStatus = detail.path("lastStatus").asText("");
        if (!lastStatus.equals("STOPPED")) {
            return new StateChange.Running(taskArn, lastStatus.isEmpty() ? "UNKNOWN" : lastStatus);
        }
        String stopCode = detail.path("stopCode").asText("");
        String stoppedReason = detail.path("stoppedReason").asText("");
        if (stopCode.equals("UserInitiated")) {
            return new StateChange.Ended(taskArn, StateChange.Outcome.STOPPED, "RUN", stoppedReason);
        }
        if (stopCode.equals("TaskFailedToStart")) {
            return new StateChange.Ended(taskArn, StateChange.Outcome.FAILED, "PROVISIONING", stoppedReason);
        }
        boolean allZero = detail.path("containers").size() > 0;
        for (JsonNode container : detail.path("containers")) {
            JsonNode exit = container.path("exitCode");
            if (exit.isInt() && exit.asInt() != 0) {
                String reason = "exit code " + exit.asInt()
                        + (container.path("reason").isTextual() ? ": " + container.path("reason").asText() : "");
                return new StateChange.Ended(taskArn, StateChange.Outcome.FAILED, container.path("name").asText("UNKNOWN"), reason);
            }
            allZero &= exit.isInt();
        }
        if (allZero) {
            return new StateChange.Ended(taskArn, StateChange.Outcome.SUCCEEDED, "COMPLETED", "");
        }
        return new StateChange.Ended(taskArn, StateChange.Outcome.FAILED, stopCode.isEmpty() ? "UNKNOWN" : stopCode, stoppedReason);
    }
}
