package dev.ecrpush.completion;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.InvalidStepException;

/**
 * Reads a CodeBuild "Build State Change" EventBridge event. The build is named by its ARN
 * ({@code detail.build-id}); the failed phase is the first of {@code detail.additional-information.phases}
 * whose status is not {@code SUCCEEDED}, with its {@code phase-context} messages as the reason.
 */
public final class CodeBuildStateChanges {
    private static final String BUILD_ARN_MARKER = ":build/";

    private CodeBuildStateChanges() {
    }

    public static StateChange read(JsonNode event) {
        JsonNode detail = event.path("detail");
        String arn = detail.path("build-id").asText("");
        int at = arn.indexOf(BUILD_ARN_MARKER);
        if (at < 0 || at + BUILD_ARN_MARKER.length() >= arn.length()) {
            throw new InvalidStepException("detail.build-id: a CodeBuild state change must name the build's ARN");
        }
        String buildId = arn.substring(at + BUILD_ARN_MARKER.length());
        String status = detail.path("build-status").asText("");
        StateChange.Outcome outcome = switch (status) {
            case "SUCCEEDED" -> StateChange.Outcome.SUCCEEDED;
            case "FAILED", "FAULT" -> StateChange.Outcome.FAILED;
            case "STOPPED" -> StateChange.Outcome.STOPPED;
            case "TIMED_OUT" -> StateChange.Outcome.TIMED_OUT;
            default -> null;
        };
        if (outcome == null) {
            return new StateChange.Running(buildId, status.isEmpty() ? "UNKNOWN" : status);
        }
        for (JsonNode phase : detail.path("additional-information").path("phases")) {
            String phaseStatus = phase.path("phase-status").asText("");
            if (!phaseStatus.isEmpty() && !phaseStatus.equals("SUCCEEDED")) {
                return new StateChange.Ended(buildId, outcome, phase.path("phase-type").asText("UNKNOWN"),
                        context(phase.path("phase-context")));
            }
        }
        return new StateChange.Ended(buildId, outcome, detail.path("current-phase").asText("COMPLETED"),
                bracketed(detail.path("current-phase-context").asText("")));
    }

    /** {@code current-phase-context} is a list printed as text, e.g. {@code "[: ]"} when empty. */
    private static String bracketed(String text) {
        String inner = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        inner = inner.trim();
        return inner.equals(":") ? "" : inner;
    }

    private static String context(JsonNode messages) {
        List<String> lines = new ArrayList<>();
        for (JsonNode message : messages) {
            String text = message.asText("").trim();
            if (!text.isEmpty() && !text.equals(":")) {
                lines.add(text);
            }
        }
        return String.join("; ", lines);
    }
}
