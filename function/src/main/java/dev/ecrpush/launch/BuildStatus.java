package dev.ecrpush.launch;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.StatusType;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;

/**
 * Answers a status request ({@code {"buildId": "project:uuid"}}) for a caller that polls, such as a Step
 * Functions loop: where the build is, which images it pushes, and, once it has succeeded, the digest of the image
 * it pushed, so the caller can pin the exact image it built.
 *
 * <p>The images are read from the build's own environment as it was started ({@link PushedImages}), the digest
 * from the variable the build exported ({@link PushedDigest}).
 */
public final class BuildStatus {
    /** Phases in which CodeBuild has accepted the build but has no capacity running it yet. */
    private static final List<String> WAITING_PHASES = List.of("SUBMITTED", "QUEUED");

    private final CodeBuildClient codeBuild;

    /** @param codeBuild the function's own client, in the region of the project */
    public BuildStatus(CodeBuildClient codeBuild) {
        this.codeBuild = codeBuild;
    }

    /**
     * @throws LaunchFailedException                       when CodeBuild knows no such build
     * @throws dev.ecrpush.error.ThrottledException        when AWS still throttles after the SDK's retries
     */
    public BuildStatusResult status(String buildId) {
        Build build = build(buildId);
        Status status = status(build.buildStatusAsString(), build.currentPhase());
        PushedImages images = new PushedImages(plainEnvironment(build));
        String digest = status == Status.SUCCEEDED ? PushedDigest.of(build) : null;
        return new BuildStatusResult(build.id(), status, build.currentPhase(), images.imageUris(), digest, null);
    }

    /** CodeBuild's status and phase as the caller sees them. */
    static Status status(String codeBuildStatus, String phase) {
        if (codeBuildStatus == null) {
            throw new InternalErrorException("CodeBuild returned a build without a status");
        }
        return switch (StatusType.fromValue(codeBuildStatus)) {
            case IN_PROGRESS -> WAITING_PHASES.contains(phase) ? Status.QUEUED : Status.IN_PROGRESS;
            case SUCCEEDED -> Status.SUCCEEDED;
            case FAILED, FAULT -> Status.FAILED;
            case STOPPED -> Status.STOPPED;
            case TIMED_OUT -> Status.TIMED_OUT;
            // A status this SDK does not know is reported, not guessed: a guess could end a polling loop early.
            case UNKNOWN_TO_SDK_VERSION -> throw new InternalErrorException("CodeBuild returned the unknown build status " + codeBuildStatus);
        };
    }

    private Build build(String buildId) {
        BatchGetBuildsResponse response;
        try {
            response = codeBuild.batchGetBuilds(r -> r.ids(buildId));
        } catch (SdkException e) {
            throw AwsErrorMapping.launch(e, "codebuild.BatchGetBuilds", "build " + buildId);
        }
        if (response.builds().isEmpty()) {
            throw new LaunchFailedException("codebuild build " + buildId + " was not found in "
                    + codeBuild.serviceClientConfiguration().region().id());
        }
        return response.builds().get(0);
    }

    private static Map<String, String> plainEnvironment(Build build) {
        Map<String, String> env = new HashMap<>();
        if (build.environment() != null) {
            build.environment().environmentVariables().stream()
                    .filter(v -> v.type() == null || v.type() == EnvironmentVariableType.PLAINTEXT)
                    .forEach(v -> env.put(v.name(), v.value()));
        }
        return env;
    }
}
