package dev.ecrpush.executor.ecs;

import java.time.Instant;

import software.amazon.awssdk.services.ecs.model.Task;

import dev.ecrpush.launch.PhaseTimings;

/**
 * An ECS task's {@link PhaseTimings}, from the timestamps {@code DescribeTasks} gives (milliseconds): provisioning
 * from {@code createdAt} to {@code pullStartedAt}, pulling the images to {@code pullStoppedAt}, running from
 * {@code startedAt} to {@code executionStoppedAt}, finalizing from there to {@code stoppedAt}, the total from
 * {@code createdAt} to {@code stoppedAt}. Pure: "now" is given, for the phase a task that has not stopped is in.
 *
 * <p>ECS does not tell queueing from provisioning, and its containers carry exit codes but no timestamps: the
 * source container's clone, the plugin's build and its push are one span, {@code runningSeconds}.
 */
final class EcsTimings {
    private static final String STOPPED = "STOPPED";

    private EcsTimings() {
    }

    static PhaseTimings of(Task task, Instant now) {
        // A stopped task's missing timestamp is a phase that never happened (or was not reported): never "so far".
        Instant open = STOPPED.equals(task.lastStatus()) || task.stoppedAt() != null ? null : now;
        Instant provisioned = task.pullStartedAt() != null ? task.pullStartedAt() : firstKnown(task.pullStoppedAt(), task.startedAt());
        Double provisioning = span(task.createdAt(), task.pullStartedAt(), provisioned == null ? open : null);
        Double pulling = span(task.pullStartedAt(), task.pullStoppedAt(), task.startedAt() == null ? open : null);
        Double running = span(task.startedAt(), task.executionStoppedAt(), open);
        Double finalizing = span(task.executionStoppedAt(), task.stoppedAt(), open);
        Double total = span(task.createdAt(), task.stoppedAt(), open);
        return new PhaseTimings(null, provisioning, pulling, null, null, null, running, finalizing, total);
    }

    /** From {@code start} to {@code end}; to {@code now} when it has not ended and may still be running (now not null). */
    private static Double span(Instant start, Instant end, Instant now) {
        if (start == null) {
            return null;
        }
        return PhaseTimings.between(start, end != null ? end : now);
    }

    private static Instant firstKnown(Instant first, Instant second) {
        return first != null ? first : second;
    }
}
