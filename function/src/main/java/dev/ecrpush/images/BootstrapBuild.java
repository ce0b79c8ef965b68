package dev.ecrpush.images;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsRequest;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.BuildPhase;
import software.amazon.awssdk.services.codebuild.model.PhaseContext;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;
import software.amazon.awssdk.services.codebuild.model.StatusType;

/**
 * One run of the image bootstrap project: starts the build and waits for its end within the time the function has
 * left, then reads the pinned images from the build's exported variables.
 *
 * <p>The build is started with an idempotency token, the CloudFormation request's ID: when Lambda retries the same
 * event (after the function failed before answering), CodeBuild hands back the build already started, for five
 * minutes, instead of starting a second one. A poll that fails after the SDK's own retries is not the build's
 * failure: the next poll is tried at the next interval, as long as time remains.
 */
final class BootstrapBuild {
    private final CodeBuildClient codeBuild;
    private final Duration pollInterval;
    private final Duration reserve;
    private final Sleeper sleeper;

    /**
     * @param pollInterval how long to wait between two looks at the build
     * @param reserve      the time kept back for answering CloudFormation: the wait ends when a further interval
     *                     would leave less than this
     */
    BootstrapBuild(CodeBuildClient codeBuild, Duration pollInterval, Duration reserve, Sleeper sleeper) {
        this.codeBuild = codeBuild;
        this.pollInterval = pollInterval;
        this.reserve = reserve;
        this.sleeper = sleeper;
    }

    /** How the build ended, for the custom resource's answer. */
    sealed interface Outcome permits Pinned, Failed {
    }

    /** The build succeeded and exported all four images, pinned. */
    record Pinned(String buildId, PinnedImages images) implements Outcome {
    }

    /** No images: why, naming the build when there is one. */
    record Failed(String reason) implements Outcome {
    }

    /**
     * Starts a build of {@code project} and waits for it.
     *
     * @param remainingMillis the function's remaining time ({@code Context#getRemainingTimeInMillis})
     * @param log             receives a line per start, state change and end
     * @throws InterruptedException when the wait is interrupted
     */
    Outcome run(String project, String idempotencyToken, LongSupplier remainingMillis, Consumer<String> log)
            throws InterruptedException {
        Build build;
        try {
            build = codeBuild.startBuild(StartBuildRequest.builder().projectName(project).idempotencyToken(idempotencyToken)
                    .build()).build();
        } catch (SdkException e) {
            return new Failed("CodeBuild did not start a build of " + project + ": " + e.getMessage());
        }
        String id = build.id();
        log.accept("started build " + id);
        String lastState = state(build);
        String lastPollError = null;
        while (!isComplete(build)) {
            if (remainingMillis.getAsLong() - pollInterval.toMillis() < reserve.toMillis()) {
                return new Failed("build " + id + " had not ended (" + state(build) + ") when the function had "
                        + Duration.ofMillis(remainingMillis.getAsLong()).toSeconds() + " s left; it goes on running, see its log"
                        + (lastPollError == null ? "" : "; the last look at it failed: " + lastPollError));
            }
            sleeper.sleep(pollInterval);
            try {
                List<Build> found = codeBuild.batchGetBuilds(BatchGetBuildsRequest.builder().ids(id).build()).builds();
                if (found.isEmpty()) {
                    return new Failed("CodeBuild does not know build " + id + " any more");
                }
                build = found.get(0);
                lastPollError = null;
            } catch (SdkException e) {
                lastPollError = e.getMessage();
                log.accept("build " + id + ": looking at it failed, trying again in " + pollInterval.toSeconds() + " s: " + e.getMessage());
                continue;
            }
            String state = state(build);
            if (!state.equals(lastState)) {
                log.accept("build " + id + ": " + state);
                lastState = state;
            }
        }
        return outcome(build);
    }

    private static Outcome outcome(Build build) {
        if (build.buildStatus() != StatusType.SUCCEEDED) {
            return new Failed("build " + build.id() + " " + build.buildStatusAsString() + failedPhase(build));
        }
        try {
            return new Pinned(build.id(), PinnedImages.fromExported(build.exportedEnvironmentVariables()));
        } catch (IllegalArgumentException e) {
            return new Failed("build " + build.id() + " succeeded but " + e.getMessage());
        }
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
