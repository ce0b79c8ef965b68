package dev.ecrpush.launch;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.StatusType;
import software.amazon.awssdk.services.ecr.EcrClient;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;

/**
 * Answers a status request ({@code {"buildId": "project:uuid"}}) for a caller that polls, such as a Step
 * Functions loop: where the build is, which images it pushes, and, once it has succeeded, the digest ECR
 * holds for the first tag, so the caller can pin the exact image it built.
 *
 * <p>The images are read from the build's own environment ({@code PLUGIN_REGISTRY}, {@code PLUGIN_REPO},
 * {@code PLUGIN_TAGS}) as it was started, since a status request carries nothing else.
 */
public final class BuildStatus {
    /** Phases in which CodeBuild has accepted the build but has no capacity running it yet. */
    private static final List<String> WAITING_PHASES = List.of("SUBMITTED", "QUEUED");

    /**
     * The ECR client to read a registry with. The registry is known only once the build is read, and may be in
     * any account and region, so the caller chooses the client (and credentials) per registry.
     */
    @FunctionalInterface
    public interface Registries {
        EcrClient ecr(String account, String region);
    }

    private final CodeBuildClient codeBuild;
    private final Registries registries;

    /**
     * @param codeBuild  the function's own client, in the region of the project
     * @param registries the ECR client for a registry's account and region, for the digest read-back
     */
    public BuildStatus(CodeBuildClient codeBuild, Registries registries) {
        this.codeBuild = codeBuild;
        this.registries = registries;
    }

    /**
     * @throws LaunchFailedException                       when CodeBuild knows no such build
     * @throws dev.ecrpush.error.ThrottledException        when AWS still throttles after the SDK's retries
     * @throws dev.ecrpush.error.RepositoryFailedException when the digest may not be read back
     */
    public BuildStatusResult status(String buildId) {
        Build build = build(buildId);
        Status status = status(build.buildStatusAsString(), build.currentPhase());
        Map<String, String> env = plainEnvironment(build);
        String registry = env.get("PLUGIN_REGISTRY");
        String repository = env.get("PLUGIN_REPO");
        List<String> tags = env.containsKey("PLUGIN_TAGS")
                ? Arrays.stream(env.get("PLUGIN_TAGS").split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList()
                : List.of();
        List<String> imageUris = registry == null || repository == null
                ? List.of()
                : tags.stream().map(tag -> registry + "/" + repository + ":" + tag).toList();
        String digest = status == Status.SUCCEEDED && registry != null && repository != null && !tags.isEmpty()
                ? digest(registry, repository, tags.get(0))
                : null;
        return new BuildStatusResult(build.id(), status, build.currentPhase(), imageUris, digest);
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

    private String digest(String registry, String repository, String tag) {
        return new ImageDigests(registries).digest(registry, repository, tag);
    }
}
