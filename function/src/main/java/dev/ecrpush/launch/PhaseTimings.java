package dev.ecrpush.launch;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a build's time went, in seconds (millisecond precision where the service gives it), as far as the
 * service that ran it tells its phases apart: a phase it does not tell apart is null, never estimated. While the
 * build runs, the phase it is in and {@code totalSeconds} count the time so far (from the status request's clock);
 * a phase that has not begun is null. What each phase covers on each executor, and what shortens it, is in the
 * results documentation ("Phase timings").
 *
 * @param queuedSeconds        waiting for capacity (CodeBuild SUBMITTED + QUEUED); ECS does not tell it from
 *                             provisioning
 * @param provisioningSeconds  getting a machine: CodeBuild PROVISIONING (which includes pulling the build image,
 *                             the plugin image); ECS from the task's creation to the start of its image pull
 *                             (capacity, placement, the network interface), queueing included
 * @param pullingImageSeconds  ECS pulling the task's images (the source and plugin containers'); null on CodeBuild,
 *                             where the pull is part of PROVISIONING
 * @param fetchingSourceSeconds CodeBuild DOWNLOAD_SOURCE (the clone of the commit); null on ECS, where the source
 *                             container clones inside the running task and reports no time of its own
 * @param buildingSeconds      CodeBuild BUILD, the phase the buildspec runs the plugin in: it builds and pushes in
 *                             one process; null on ECS
 * @param pushingSeconds       always null: the plugin pushes from the same process that builds, and marks no boundary
 * @param runningSeconds       the build's own work: ECS from the task's start to its containers' exit (the clone, the
 *                             build and the push); CodeBuild DOWNLOAD_SOURCE through UPLOAD_ARTIFACTS
 * @param finalizingSeconds    after the work: CodeBuild FINALIZING; ECS from the containers' exit to the task's stop
 * @param totalSeconds         from the build's start (CodeBuild) or the task's creation (ECS) to its end
 */
public record PhaseTimings(Double queuedSeconds, Double provisioningSeconds, Double pullingImageSeconds,
        Double fetchingSourceSeconds, Double buildingSeconds, Double pushingSeconds, Double runningSeconds,
        Double finalizingSeconds, Double totalSeconds) {

    /** Seconds with millisecond precision, from {@code start} to {@code end}; null when either is missing or time ran backwards. */
    public static Double between(Instant start, Instant end) {
        if (start == null || end == null || end.isBefore(start)) {
            return null;
        }
        return seconds(Duration.between(start, end));
    }

    /** A duration in seconds, at millisecond precision. */
    public static Double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    /** The sum of the parts that are known; null when none is. */
    public static Double sum(Double... parts) {
        Double total = null;
        for (Double part : parts) {
            if (part != null) {
                total = total == null ? part : Math.round((total + part) * 1000) / 1000.0;
            }
        }
        return total;
    }
}
