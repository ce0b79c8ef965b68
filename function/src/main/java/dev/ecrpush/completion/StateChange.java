package dev.ecrpush.completion;

/**
 * A build's (or ECS task's) state as an EventBridge state-change event reports it.
 *
 * @see CodeBuildStateChanges
 * @see EcsTaskStateChanges
 */
public sealed interface StateChange {
    /** The build ID ({@code project:uuid}) or the task ARN: what a run returned as {@code buildId}. */
    String buildId();

    /** Not over yet: nothing to complete. */
    record Running(String buildId, String status) implements StateChange {
    }

    /**
     * Over.
     *
     * @param phase  the phase that failed, or the last phase reached
     * @param reason what the service said about it; empty when it said nothing
     */
    record Ended(String buildId, Outcome outcome, String phase, String reason) implements StateChange {
    }

    /** How a build ended, as the Step Functions task reports it. */
    enum Outcome {
        SUCCEEDED("BuildSucceeded"), FAILED("BuildFailed"), STOPPED("BuildStopped"), TIMED_OUT("BuildTimedOut");

        private final String error;

        Outcome(String error) {
            this.error = error;
        }

        /** The {@code error} a failed task carries, for a {@code Catch} to match. */
        public String error() {
            return error;
        }
    }
}
