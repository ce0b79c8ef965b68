package dev.ecrpush.executor.codebuild;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentType;

import dev.ecrpush.step.ExecutorSpec;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.Problems;
import dev.ecrpush.step.StepCheck;

/**
 * {@code "executor": {"type": "CodeBuild", "project": ..., "computeType": ..., "fleet": ...}}: the configured project
 * the step's infra builds on, and how each build's machine is chosen.
 *
 * @param project     the project as configured (a payload naming it by ARN still gets the configured value)
 * @param privileged  whether it is the configured privileged project, the only one a request may carry {@code
 *                    privilegedModeOverride} for
 * @param region      the project's region, which decides the compute types an environment type has
 * @param computeType {@code executor.computeType}: the compute type of every build without a fleet, over the one
 *                    {@code step.spec.resources} asks for; null for none
 * @param fleets      {@code executor.fleet}, checked against the deployment (shape, region, account, allow-list)
 */
public record CodeBuildSpec(String project, boolean privileged, String region, ComputeType computeType, Fleets fleets)
        implements ExecutorSpec {
    /** CodeBuild's shortest {@code timeoutInMinutesOverride}. */
    static final Duration MINIMUM_TIMEOUT = Duration.ofMinutes(CodeBuildRequests.MIN_TIMEOUT_MINUTES);

    public CodeBuildSpec {
        fleets = fleets == null ? Fleets.NONE : fleets;
    }

    /**
     * {@code executor.fleet}: one reserved-capacity fleet ARN for the step's one build ({@code any}), or one per
     * platform ({@code byPlatform}); never both.
     *
     * @param any        the string form; null when the payload gave none or gave the map
     * @param byPlatform the map form, keyed by platform
     */
    public record Fleets(String any, Map<Platform, String> byPlatform) {
        public static final Fleets NONE = new Fleets(null, Map.of());

        public Fleets {
            byPlatform = Map.copyOf(byPlatform);
        }

        /** The fleet of a build on {@code platform} (null: the step's one build, no platform named); null for none. */
        public String fleetFor(Platform platform) {
            return any != null ? any : platform == null ? null : byPlatform.get(platform);
        }

        boolean isEmpty() {
            return any == null && byPlatform.isEmpty();
        }
    }

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
        if (step.platforms() != null) {
            checkFleets(step.platforms(), step.problems());
            checkComputeType(step.platforms(), step.problems());
        }
    }

    /**
     * A fleet per platform names only the step's platforms; the one-fleet form is for a step of one build only, since
     * a reserved fleet's machines are of one architecture.
     */
    private void checkFleets(List<Platform> platforms, Problems problems) {
        if (fleets.any() != null && platforms.size() > 1) {
            problems.error("executor.fleet", "is one fleet, but the step builds " + platforms.size() + " platforms natively,"
                    + " each on machines of its own architecture; give one fleet per platform, e.g. {\"linux/amd64\":"
                    + " \"arn:...\", \"linux/arm64\": \"arn:...\"}, or leave out the platforms that run on demand");
        }
        fleets.byPlatform().keySet().stream().filter(platform -> !platforms.contains(platform)).sorted(
                java.util.Comparator.comparing(Platform::wire)).forEach(platform -> problems.error(
                        "executor.fleet." + platform.wire(), "is not one of the step's platforms (step.spec.platforms: "
                                + platforms.stream().map(Platform::wire).toList() + ")"));
    }

    /** {@code computeType} must exist for the environment type of every build it applies to (each without a fleet). */
    private void checkComputeType(List<Platform> platforms, Problems problems) {
        if (computeType == null) {
            return;
        }
        List<Platform> builds = platforms.isEmpty() ? java.util.Collections.singletonList(null) : platforms;
        boolean applies = false;
        for (Platform platform : builds) {
            if (fleets.fleetFor(platform) != null) {
                continue;
            }
            applies = true;
            EnvironmentType environment = CodeBuildCompute.environmentType(platform);
            if (!CodeBuildCompute.exists(computeType, environment, region)) {
                problems.error("executor.computeType", computeType + " does not exist for " + environment
                        + (platform == null ? "" : " (" + platform.wire() + ")") + " in " + region + "; it has "
                        + CodeBuildCompute.names(environment, region));
            }
        }
        if (!applies) {
            problems.error("executor.computeType", "applies to no build: every build runs on its reserved fleet, whose"
                    + " machines are the fleet's own; leave it out");
        }
    }
}
