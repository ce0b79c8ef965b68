package dev.ecrpush.executor.codebuild;

import java.time.Duration;

import dev.ecrpush.step.ExecutorSpec;
import dev.ecrpush.step.StepCheck;

/**
 * {@code "executor": {"type": "CodeBuild", "project": ...}}: the configured project the step's infra builds on.
 *
 * @param project    the project as configured (a payload naming it by ARN still gets the configured value)
 * @param privileged whether it is the configured privileged project, the only one a request may carry {@code
 *                   privilegedModeOverride} for
 */
public record CodeBuildSpec(String project, boolean privileged) implements ExecutorSpec {
    /** CodeBuild's shortest {@code timeoutInMinutesOverride}. */
    static final Duration MINIMUM_TIMEOUT = Duration.ofMinutes(CodeBuildRequests.MIN_TIMEOUT_MINUTES);

    @Override
    public String type() {
        return CodeBuildExecutor.KIND.wire();
    }

    @Override
    public Duration minimumTimeout() {
        return MINIMUM_TIMEOUT;
    }

    @Override
    public void check(StepCheck step) {
        if (step.codebase().repoUrl() == null) {
            // Not an error: a project of the caller's own may have a source. This stack's projects have none.
            step.problems().warn("codebase.repoUrl", "is not set, so the build has no source unless its CodeBuild project"
                    + " has one of its own (the projects of this function's stack have none)");
        }
    }
}
