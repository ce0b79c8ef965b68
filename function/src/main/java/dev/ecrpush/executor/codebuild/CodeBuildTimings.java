package dev.ecrpush.executor.codebuild;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.BuildPhase;
import software.amazon.awssdk.services.codebuild.model.StatusType;

import dev.ecrpush.launch.PhaseTimings;

/**
 * A CodeBuild build's {@link PhaseTimings}, from the {@code phases[]} {@code BatchGetBuilds} lists: each phase's
 * {@code durationInSeconds} (whole seconds, as CodeBuild counts them), else its {@code startTime} to
 * {@code endTime}, else, for the phase a running build is in, its {@code startTime} to now. Pure: "now" is given.
 *
 * <p>The buildspec ({@link Buildspec}) clones nothing itself (CodeBuild fetches the commit in DOWNLOAD_SOURCE) and
 * runs the plugin in its one {@code build} phase, where the plugin builds and pushes in one process: pushing is
 * not told apart. The build image is the plugin image ({@code imageOverride}), pulled during PROVISIONING: pulling
 * is not told apart from provisioning either.
 */
final class CodeBuildTimings {
    private static final List<String> QUEUED = List.of("SUBMITTED", "QUEUED");
    private static final List<String> RUNNING = List.of("DOWNLOAD_SOURCE", "INSTALL", "PRE_BUILD", "BUILD", "POST_BUILD",
            "UPLOAD_ARTIFACTS");
    /** A phase CodeBuild lists without a time that can be computed: the group it is in is not known either. */
    private static final double UNKNOWN = Double.NaN;

    private CodeBuildTimings() {
    }

    static PhaseTimings of(Build build, Instant now) {
        boolean running = build.buildStatus() == StatusType.IN_PROGRESS;
        Map<String, Double> phases = new HashMap<>();
        for (BuildPhase phase : build.phases()) {
            String type = phase.phaseTypeAsString();
            if (type != null && !"COMPLETED".equals(type)) {
                phases.merge(type, seconds(phase, running && type.equals(build.currentPhase()), now), Double::sum);
            }
        }
        Double total = PhaseTimings.between(build.startTime(), build.endTime() != null ? build.endTime() : running ? now : null);
        return new PhaseTimings(group(phases, QUEUED), group(phases, List.of("PROVISIONING")), null,
                group(phases, List.of("DOWNLOAD_SOURCE")), group(phases, List.of("BUILD")), null, group(phases, RUNNING),
                group(phases, List.of("FINALIZING")), total);
    }

    /** The phase's time; the time so far when it is the one the build is in. */
    private static double seconds(BuildPhase phase, boolean current, Instant now) {
        if (phase.durationInSeconds() != null) {
            return phase.durationInSeconds();
        }
        Double measured = PhaseTimings.between(phase.startTime(), phase.endTime() != null ? phase.endTime() : current ? now : null);
        return measured == null ? UNKNOWN : measured;
    }

    /** The phases' sum; null when none of them is listed, or one listed has no time. */
    private static Double group(Map<String, Double> phases, List<String> types) {
        Double[] parts = types.stream().map(phases::get).toArray(Double[]::new);
        for (Double part : parts) {
            if (part != null && part.isNaN()) {
                return null;
            }
        }
        return PhaseTimings.sum(parts);
    }
}
