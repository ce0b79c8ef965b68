package dev.ecrpush.executor.ecs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.services.ecs.model.Container;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.Task;

import dev.ecrpush.launch.BuildStatusResult.Status;

/**
 * What an ECS task means for the caller, and whether it has outrun the step timeout: the one judgement, pure,
 * of the task as {@code DescribeTasks} reports it, for a status poll and the completion of a task token alike.
 *
 * <ul>
 *   <li>{@code PROVISIONING}, {@code PENDING}, {@code ACTIVATING}: QUEUED (waiting for capacity, pulling);</li>
 *   <li>{@code RUNNING} and the stopping states before {@code STOPPED}: IN_PROGRESS;</li>
 *   <li>{@code STOPPED} with the plugin container's exit code 0: SUCCEEDED;</li>
 *   <li>{@code STOPPED} by someone ({@code UserInitiated}): STOPPED; stopped by the function for the step
 *       timeout: TIMED_OUT; any other end (a failed checkout, a failed build, no capacity): FAILED.</li>
 * </ul>
 * A task not yet stopping whose age exceeds the step timeout is TIMED_OUT, and is to be stopped.
 */
public final class EcsTaskStatus {
    private static final Set<String> WAITING = Set.of("PROVISIONING", "PENDING", "ACTIVATING");
    private static final String STOPPED = "STOPPED";
    private static final String USER_INITIATED = "UserInitiated";

    private EcsTaskStatus() {
    }

    /** One container of the task: its exit code once it has exited, and ECS's reason when it did not run. */
    public record ContainerState(String name, Integer exitCode, String reason) {
    }

    /**
     * A task as ECS reports it. Nullable: {@code stopCode}, {@code stoppedReason}, {@code createdAt},
     * {@code timeout} (a task the function did not start has none).
     *
     * @param pluginEnv the plugin container's environment overrides: the images the build pushes
     */
    public record Snapshot(String taskArn, String lastStatus, String desiredStatus, String stopCode, String stoppedReason,
            Instant createdAt, Duration timeout, List<ContainerState> containers, Map<String, String> pluginEnv) {
        public Snapshot {
            containers = List.copyOf(containers);
            pluginEnv = Map.copyOf(pluginEnv);
        }

        /** The task as {@code DescribeTasks} returns it. */
        public static Snapshot of(Task task) {
            List<ContainerState> containers = new ArrayList<>();
            for (Container c : task.containers()) {
                containers.add(new ContainerState(c.name(), c.exitCode(), c.reason()));
            }
            Map<String, Map<String, String>> overrides = new HashMap<>();
            if (task.overrides() != null) {
                for (ContainerOverride o : task.overrides().containerOverrides()) {
                    Map<String, String> env = new HashMap<>();
                    o.environment().forEach(pair -> env.put(pair.name(), pair.value()));
                    overrides.put(o.name(), env);
                }
            }
            return new Snapshot(task.taskArn(), task.lastStatus(), task.desiredStatus(), task.stopCodeAsString(),
                    task.stoppedReason(), task.createdAt(), timeout(overrides), containers,
                    overrides.getOrDefault(EcsTaskLayout.PLUGIN_CONTAINER, Map.of()));
        }

        private static Duration timeout(Map<String, Map<String, String>> overrides) {
            String seconds = overrides.getOrDefault(EcsTaskLayout.SOURCE_CONTAINER, Map.of()).get(EcsTaskLayout.TIMEOUT_SECONDS);
            try {
                return seconds == null ? null : Duration.ofSeconds(Long.parseLong(seconds));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * The caller's view of the task.
     *
     * @param phase          ECS's last status
     * @param reason         why it failed, stopped or timed out; null otherwise
     * @param stopForTimeout the task is still running past its step timeout and must be stopped
     */
    public record Verdict(Status status, String phase, String reason, boolean stopForTimeout) {
    }

    /** The verdict on a task seen at {@code now}. */
    public static Verdict judge(Snapshot task, Instant now) {
        String phase = task.lastStatus();
        if (task.stoppedReason() != null && task.stoppedReason().startsWith(EcsTaskLayout.TIMEOUT_STOP_REASON)) {
            return new Verdict(Status.TIMED_OUT, phase, task.stoppedReason(), false);
        }
        if (STOPPED.equals(phase)) {
            boolean pluginSucceeded = task.containers().stream()
                    .anyMatch(c -> EcsTaskLayout.PLUGIN_CONTAINER.equals(c.name()) && Integer.valueOf(0).equals(c.exitCode()));
            if (pluginSucceeded) {
                return new Verdict(Status.SUCCEEDED, phase, null, false);
            }
            if (USER_INITIATED.equals(task.stopCode())) {
                return new Verdict(Status.STOPPED, phase, task.stoppedReason(), false);
            }
            return new Verdict(Status.FAILED, phase, failure(task), false);
        }
        boolean stopping = STOPPED.equals(task.desiredStatus());
        if (!stopping && task.timeout() != null && task.createdAt() != null
                && now.isAfter(task.createdAt().plus(task.timeout()))) {
            return new Verdict(Status.TIMED_OUT, phase, timeoutReason(task.timeout()), true);
        }
        return new Verdict(WAITING.contains(phase) ? Status.QUEUED : Status.IN_PROGRESS, phase, null, false);
    }

    /** What the function gives {@code StopTask} as the reason (at most 255 characters), and reports. */
    static String timeoutReason(Duration timeout) {
        return EcsTaskLayout.TIMEOUT_STOP_REASON + " of " + human(timeout) + " exceeded";
    }

    /** The stopped reason and each container that exited non-zero or did not run, e.g. "plugin exited with 1". */
    private static String failure(Snapshot task) {
        List<String> parts = new ArrayList<>();
        if (task.stoppedReason() != null && !task.stoppedReason().isBlank()) {
            parts.add(task.stoppedReason());
        }
        for (String name : List.of(EcsTaskLayout.SOURCE_CONTAINER, EcsTaskLayout.PLUGIN_CONTAINER)) {
            task.containers().stream().filter(c -> name.equals(c.name())).findFirst().ifPresent(c -> {
                if (c.exitCode() != null && c.exitCode() != 0) {
                    parts.add(name + " container exited with " + c.exitCode()
                            + (name.equals(EcsTaskLayout.SOURCE_CONTAINER) ? " (the checkout failed)" : "")
                            + (c.reason() == null ? "" : ": " + c.reason()));
                } else if (c.exitCode() == null && c.reason() != null) {
                    parts.add(name + " container: " + c.reason());
                }
            });
        }
        return parts.isEmpty() ? "the task stopped without a successful build" : String.join("; ", parts);
    }

    private static String human(Duration d) {
        StringBuilder text = new StringBuilder();
        if (d.toHours() > 0) {
            text.append(d.toHours()).append('h');
        }
        if (d.toMinutesPart() > 0) {
            text.append(d.toMinutesPart()).append('m');
        }
        if (d.toSecondsPart() > 0 || text.length() == 0) {
            text.append(d.toSecondsPart()).append('s');
        }
        return text.toString();
    }
}
