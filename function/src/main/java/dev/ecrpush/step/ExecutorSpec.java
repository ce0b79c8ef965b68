package dev.ecrpush.step;

import java.time.Duration;

/**
 * Where the build runs: the payload's {@code executor}, its unset parts filled from the function's
 * configuration. One implementation per executor ({@code dev.ecrpush.executor.*}), read by that executor's
 * {@link ExecutorParser}; what the rest of the payload must be on it is said here, so that the step's parser
 * asks the executor instead of knowing each one.
 */
public interface ExecutorSpec {
    /** {@code executor.type}: {@code CodeBuild}, {@code ECS}. */
    String type();

    /** Whether the build clones {@code codebase.repoUrl} itself, which is then required. */
    default boolean clonesTheRepository() {
        return false;
    }

    /** Whether {@code spec.runAsUser} is applied to the plugin; otherwise it is reported as not applied. */
    default boolean appliesRunAsUser() {
        return false;
    }

    /** The shortest timeout the executor enforces, a shorter {@code step.timeout} being raised with a warning; null for none. */
    default Duration minimumTimeout() {
        return null;
    }

    /** The executor's own rules over the rest of the payload (which infra it can run, which secret references). */
    default void check(StepCheck step) {
    }
}
