package dev.ecrpush.executor.codebuild;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.BatchGetBuildsResponse;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.BuildPhase;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.ExportedEnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.PhaseContext;
import software.amazon.awssdk.services.codebuild.model.StatusType;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.step.Rules;
import dev.ecrpush.launch.PushedDigest;
import dev.ecrpush.launch.PushedImages;
import dev.ecrpush.launch.StashedParameter;

/**
 * A CodeBuild build as the caller sees it, read back with {@code BatchGetBuilds} and judged here once, for a
 * status request and for the completion of a Step Functions task alike: the status, the phase (the one that
 * failed, for a build that did not succeed), why (that phase's messages), the images it pushes (its own plugin
 * environment as it was started), the digest it pushed (the variable it exported,
 * {@value Buildspec#DIGEST_VARIABLE}) and where its time went ({@link CodeBuildTimings}).
 */
public final class CodeBuildStatus {
    /** Phases in which CodeBuild has accepted the build but has no capacity running it yet. */
    private static final List<String> WAITING_PHASES = List.of("SUBMITTED", "QUEUED");

    private final CodeBuildClient codeBuild;
    private final List<String> projects;
    private final Clock clock;

    /**
     * @param codeBuild the function's own client, in the region of the project
     * @param projects  the names of the function's projects: a build of any other is not reported
     */
    public CodeBuildStatus(CodeBuildClient codeBuild, Set<String> projects) {
        this(codeBuild, projects, Clock.systemUTC());
    }

    /** @param clock what "now" is for the phase a running build is in ({@link CodeBuildTimings}) */
    public CodeBuildStatus(CodeBuildClient codeBuild, Set<String> projects, Clock clock) {
        this.codeBuild = codeBuild;
        this.projects = List.copyOf(projects);
        this.clock = clock;
    }

    /**
     * @throws LaunchFailedException                when CodeBuild knows no such build
     * @throws NotAllowedException                  when the build read back is not of one of the function's projects
     * @throws dev.ecrpush.error.ThrottledException when AWS still throttles after the SDK's retries
     */
    public BuildStatusResult status(String buildId) {
        Build build = build(buildId);
        requireFunctionProject(buildId, build);
        Status status = status(build.buildStatusAsString(), build.currentPhase());
        PushedImages images = new PushedImages(plainEnvironment(build));
        String digest = status == Status.SUCCEEDED ? digest(build) : null;
        BuildPhase failed = status.terminal() && status != Status.SUCCEEDED ? failedPhase(build) : null;
        String phase = failed != null ? failed.phaseTypeAsString() : build.currentPhase();
        String reason = failed != null ? reason(failed) : null;
        return new BuildStatusResult(build.id(), status, phase, images.imageUris(), digest, reason, parameters(build),
                CodeBuildTimings.of(build, clock.instant()));
    }

    /** The build's {@code PARAMETER_STORE} variables: where an OIDC token stashed for it is. */
    private List<StashedParameter> parameters(Build build) {
        String region = codeBuild.serviceClientConfiguration().region().id();
        List<StashedParameter> parameters = new ArrayList<>();
        if (build.environment() != null) {
            build.environment().environmentVariables().stream()
                    .filter(v -> v.type() == EnvironmentVariableType.PARAMETER_STORE && v.value() != null)
                    .forEach(v -> parameters.add(new StashedParameter(region, v.value())));
        }
        return parameters;
    }

    /**
     * The build as CodeBuild reports it must be the one asked for, of one of the function's projects: what an event
     * or a status request names is never taken for it.
     */
    private void requireFunctionProject(String buildId, Build build) {
        String project = build.projectName() != null ? build.projectName()
                : build.id() == null || build.id().indexOf(':') < 0 ? null : build.id().substring(0, build.id().indexOf(':'));
        if (!buildId.equals(build.id()) || project == null || !projects.contains(project)) {
            throw new NotAllowedException("buildId: build " + Rules.shown(buildId) + " as CodeBuild reports it is of project "
                    + (project == null ? "(none)" : Rules.shown(project)) + ", not of the function's ("
                    + String.join(", ", projects) + ")");
        }
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
            case UNKNOWN_TO_SDK_VERSION -> throw new InternalErrorException(
                    "CodeBuild returned the unknown build status " + codeBuildStatus);
        };
    }

    /** The first phase that did not succeed; null when CodeBuild lists none. */
    private static BuildPhase failedPhase(Build build) {
        return build.phases().stream()
                .filter(p -> p.phaseStatusAsString() != null && !p.phaseStatusAsString().equals("SUCCEEDED"))
                .findFirst().orElse(null);
    }

    /** The phase's messages, e.g. {@code COMMAND_EXECUTION_ERROR: Error while executing command: ...}. */
    private static String reason(BuildPhase phase) {
        List<String> lines = new ArrayList<>();
        for (PhaseContext context : phase.contexts()) {
            String text = ((context.statusCode() == null ? "" : context.statusCode()) + ": "
                    + (context.message() == null ? "" : context.message())).strip();
            if (!text.isEmpty() && !text.equals(":")) {
                lines.add(text);
            }
        }
        return lines.isEmpty() ? null : String.join("; ", lines);
    }

    /** What the build exported: null when it exported none (it failed, or its plugin wrote none). */
    private static String digest(Build build) {
        return build.exportedEnvironmentVariables().stream()
                .filter(v -> Buildspec.DIGEST_VARIABLE.equals(v.name()))
                .findFirst()
                .map(ExportedEnvironmentVariable::value)
                .map(PushedDigest::valid)
                .orElse(null);
    }

    private Build build(String buildId) {
        BatchGetBuildsResponse response;
        try {
            response = codeBuild.batchGetBuilds(r -> r.ids(buildId));
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "codebuild.BatchGetBuilds", "build " + buildId);
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
