package dev.ecrpush.images;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.BuildPhase;
import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.PhaseContext;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;
import software.amazon.awssdk.services.codebuild.model.StatusType;

import dev.ecrpush.step.Platform;

/**
 * One run of the image bootstrap project: one build per platform the kaniko-ecr image is built for, started side by
 * side, each on hardware of its own architecture, and waited for within the time the function has left; then the
 * pinned images are read from each build's exported variables.
 *
 * <p>Each build is started with an idempotency token of its own, the CloudFormation request's ID and the platform:
 * when Lambda retries the same event (after the function failed before answering), CodeBuild hands back the builds
 * already started, for five minutes, instead of starting more. A poll that fails after the SDK's own retries is not a
 * build's failure: the next poll is tried at the next interval, as long as time remains.
 *
 * <p>One platform failing fails the run, naming the platform, and the builds still running are stopped: without
 * every platform there is no index to pin, and a build left running would go on pushing its platform's tag while
 * CloudFormation rolls back (and, on an update's rollback, starts the bootstrap again). When time runs out the builds
 * are left running, as they were before there were two: they may still end well, and their logs say how far they got.
 */
final class BootstrapBuild {
    /**
     * The CodeBuild-managed Amazon Linux 2023 image for {@code ARM_CONTAINER} (CodeBuild User Guide, "Docker images
     * provided by CodeBuild": {@code aws/codebuild/amazonlinux-aarch64-standard:3.0}, platform Amazon Linux 2023,
     * aarch64). It has what the buildspec runs (bash, grep, Docker, the AWS CLI), as the x86_64 image the project
     * names does.
     */
    static final String ARM_IMAGE = "aws/codebuild/amazonlinux-aarch64-standard:3.0";

    /**
     * How CodeBuild runs a platform's build: the project as it is ({@code LINUX_CONTAINER}, its x86_64 image and
     * compute type) when every override is null, otherwise the environment type, image and compute type sent as
     * overrides. {@code BUILD_GENERAL1_SMALL} is the one ARM compute type every partition has (the China regions'
     * page lists SMALL and LARGE only), and a {@code docker build} of two {@code FROM}s and a {@code COPY} needs no
     * more.
     */
    record Launch(Platform platform, EnvironmentType environmentType, String image, ComputeType computeType) {
    }

    /** The platforms, in the order the index lists them; the first one's build also pins the other plugin images. */
    static final List<Launch> LAUNCHES = List.of(
            new Launch(Platform.LINUX_AMD64, null, null, null),
            new Launch(Platform.LINUX_ARM64, EnvironmentType.ARM_CONTAINER, ARM_IMAGE, ComputeType.BUILD_GENERAL1_SMALL));

    private final CodeBuildClient codeBuild;
    private final Duration pollInterval;
    private final Duration reserve;
    private final Sleeper sleeper;

    /**
     * @param pollInterval how long to wait between two looks at the builds
     * @param reserve      the time kept back for writing the index and answering CloudFormation: the wait ends when a
     *                     further interval would leave less than this
     */
    BootstrapBuild(CodeBuildClient codeBuild, Duration pollInterval, Duration reserve, Sleeper sleeper) {
        this.codeBuild = codeBuild;
        this.pollInterval = pollInterval;
        this.reserve = reserve;
        this.sleeper = sleeper;
    }

    /** How the run ended, for the custom resource's answer. */
    sealed interface Outcome permits Built, Failed {
    }

    /** Every platform's build succeeded and exported all four images, pinned; in {@link #LAUNCHES} order. */
    record Built(Map<Platform, Pinned> builds) implements Outcome {
        Built {
            builds = Collections.unmodifiableMap(new LinkedHashMap<>(builds));
        }
    }

    /** One platform's build and what it exported. */
    record Pinned(String buildId, PinnedImages images) {
    }

    /** No images: why, naming the platform and its build when there is one. */
    record Failed(String reason) implements Outcome {
    }

    /** The tag a platform's build pushes its image under: {@code <tag>-linux-amd64}, {@code <tag>-linux-arm64}. */
    static String platformTag(String tag, Platform platform) {
        return tag + "-" + platform.tagSuffix();
    }

    /** The idempotency token of a platform's build: the request's, and the platform. */
    static String idempotencyToken(String requestId, Platform platform) {
        return requestId + "-" + platform.tagSuffix();
    }

    /**
     * Starts a build of {@code project} per platform and waits for them.
     *
     * @param tag             the kaniko-ecr image's tag; each build pushes {@link #platformTag} of it
     * @param platforms       the platforms to build, of {@link #LAUNCHES}; built in that order
     * @param remainingMillis the function's remaining time ({@code Context#getRemainingTimeInMillis})
     * @param log             receives a line per start, state change and end
     * @throws InterruptedException when the wait is interrupted
     */
    Outcome run(String project, String tag, String requestId, List<Platform> platforms, LongSupplier remainingMillis,
            Consumer<String> log) throws InterruptedException {
        Map<Platform, Build> builds = new LinkedHashMap<>();
        for (Launch launch : LAUNCHES.stream().filter(l -> platforms.contains(l.platform())).toList()) {
            try {
                Build build = codeBuild.startBuild(request(project, tag, requestId, launch)).build();
                builds.put(launch.platform(), build);
                log.accept(launch.platform() + ": started build " + build.id());
            } catch (SdkException e) {
                stop(builds, launch.platform(), log);
                return new Failed(launch.platform() + ": CodeBuild did not start a build of " + project + ": " + e.getMessage());
            }
        }
        Map<Platform, String> lastStates = new LinkedHashMap<>();
        builds.forEach((platform, build) -> lastStates.put(platform, state(build)));
        String lastPollError = null;
        while (!builds.values().stream().allMatch(BootstrapBuild::isComplete)) {
            if (remainingMillis.getAsLong() - pollInterval.toMillis() < reserve.toMillis()) {
                List<String> running = running(builds);
                return new Failed(String.join("; ", running) + " when the function had "
                        + Duration.ofMillis(remainingMillis.getAsLong()).toSeconds() + " s left; "
                        + (running.size() == 1 ? "it goes on running, see its log" : "they go on running, see their logs")
                        + (lastPollError == null ? "" : "; the last look failed: " + lastPollError));
            }
            sleeper.sleep(pollInterval);
            BatchGetBuildsResponse found;
            try {
                found = codeBuild.batchGetBuilds(r -> r.ids(builds.values().stream().map(Build::id).toList()));
                lastPollError = null;
            } catch (SdkException e) {
                lastPollError = e.getMessage();
                log.accept("looking at the builds failed, trying again in " + pollInterval.toSeconds() + " s: " + e.getMessage());
                continue;
            }
            for (Map.Entry<Platform, Build> entry : builds.entrySet()) {
                Build now = found.builds().stream().filter(b -> entry.getValue().id().equals(b.id())).findFirst().orElse(null);
                if (now == null) {
                    stop(builds, entry.getKey(), log);
                    return new Failed(entry.getKey() + ": CodeBuild does not know build " + entry.getValue().id() + " any more");
                }
                entry.setValue(now);
                String state = state(now);
                if (!state.equals(lastStates.get(entry.getKey()))) {
                    log.accept(entry.getKey() + ": build " + now.id() + ": " + state);
                    lastStates.put(entry.getKey(), state);
                }
            }
            for (Map.Entry<Platform, Build> entry : builds.entrySet()) {
                Build build = entry.getValue();
                if (isComplete(build) && build.buildStatus() != StatusType.SUCCEEDED) {
                    stop(builds, entry.getKey(), log);
                    return new Failed(entry.getKey() + ": build " + build.id() + " " + build.buildStatusAsString() + failedPhase(build));
                }
            }
        }
        Map<Platform, Pinned> pinned = new LinkedHashMap<>();
        for (Map.Entry<Platform, Build> entry : builds.entrySet()) {
            Build build = entry.getValue();
            try {
                pinned.put(entry.getKey(), new Pinned(build.id(), PinnedImages.fromExported(build.exportedEnvironmentVariables())));
            } catch (IllegalArgumentException e) {
                return new Failed(entry.getKey() + ": build " + build.id() + " succeeded but " + e.getMessage());
            }
        }
        return new Built(pinned);
    }

    /**
     * The platform's {@code StartBuild}: its tag (and the platform, which the buildspec checks the built image
     * against) as environment overrides, and for a platform other than the project's its environment type, image and
     * compute type.
     */
    static StartBuildRequest request(String project, String tag, String requestId, Launch launch) {
        StartBuildRequest.Builder request = StartBuildRequest.builder().projectName(project)
                .idempotencyToken(idempotencyToken(requestId, launch.platform()))
                .environmentVariablesOverride(
                        plain("KANIKO_ECR_TAG", platformTag(tag, launch.platform())),
                        plain("IMAGE_PLATFORM", launch.platform().wire()));
        if (launch.environmentType() != null) {
            request.environmentTypeOverride(launch.environmentType()).imageOverride(launch.image())
                    .computeTypeOverride(launch.computeType());
        }
        return request.build();
    }

    private static EnvironmentVariable plain(String name, String value) {
        return EnvironmentVariable.builder().name(name).value(value).type(EnvironmentVariableType.PLAINTEXT).build();
    }

    /** Stops every build still running but {@code failed}'s; a refusal is logged, the answer is FAILED either way. */
    private void stop(Map<Platform, Build> builds, Platform failed, Consumer<String> log) {
        for (Map.Entry<Platform, Build> entry : builds.entrySet()) {
            if (entry.getKey().equals(failed) || isComplete(entry.getValue())) {
                continue;
            }
            String id = entry.getValue().id();
            try {
                codeBuild.stopBuild(r -> r.id(id));
                log.accept(entry.getKey() + ": stopped build " + id + ", since " + failed + " failed");
            } catch (SdkException e) {
                log.accept(entry.getKey() + ": stopping build " + id + " failed, it runs to its end: " + e.getMessage());
            }
        }
    }

    /** "linux/arm64: build X had not ended (IN_PROGRESS, phase BUILD)" for each build still running. */
    private static List<String> running(Map<Platform, Build> builds) {
        List<String> running = new ArrayList<>();
        builds.forEach((platform, build) -> {
            if (!isComplete(build)) {
                running.add(platform + ": build " + build.id() + " had not ended (" + state(build) + ")");
            }
        });
        return running;
    }

    /** " in phase BUILD: COMMAND_EXECUTION_ERROR: <message>" for the first phase that did not succeed, or "". */
    private static String failedPhase(Build build) {
        for (BuildPhase phase : build.phases()) {
            if (phase.phaseStatus() != null && phase.phaseStatus() != StatusType.SUCCEEDED) {
                StringBuilder text = new StringBuilder(" in phase ").append(phase.phaseTypeAsString());
                for (PhaseContext context : phase.contexts()) {
                    if (context.message() != null && !context.message().isBlank()) {
                        text.append(": ").append(context.statusCode()).append(": ").append(context.message());
                        break;
                    }
                }
                return text.toString();
            }
        }
        return build.currentPhase() == null ? "" : " in phase " + build.currentPhase();
    }

    private static boolean isComplete(Build build) {
        return Boolean.TRUE.equals(build.buildComplete()) || (build.buildStatus() != null && build.buildStatus() != StatusType.IN_PROGRESS);
    }

    private static String state(Build build) {
        return build.buildStatusAsString() + ", phase " + build.currentPhase();
    }
}
