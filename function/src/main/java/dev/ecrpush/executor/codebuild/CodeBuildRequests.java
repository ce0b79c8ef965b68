package dev.ecrpush.executor.codebuild;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.ImagePullCredentialsType;
import software.amazon.awssdk.services.codebuild.model.SourceType;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.plan.LaunchInput;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginEnv;
import dev.ecrpush.plan.SecretSource;
import dev.ecrpush.step.BuildPushStep;
import dev.ecrpush.step.Codebase;
import dev.ecrpush.step.Resources;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/** Builds the {@code StartBuild} request for a plan. */
final class CodeBuildRequests {
    /** CodeBuild's limits for {@code timeoutInMinutesOverride}. */
    static final int MIN_TIMEOUT_MINUTES = 5;
    static final int MAX_TIMEOUT_MINUTES = 2160;

    /** The general-purpose Linux compute types, smallest first: memory (GiB) and vCPUs. */
    private record Compute(ComputeType type, long memoryGib, int vcpus) {
    }

    private static final List<Compute> COMPUTE = List.of(
            new Compute(ComputeType.BUILD_GENERAL1_SMALL, 3, 2),
            new Compute(ComputeType.BUILD_GENERAL1_MEDIUM, 7, 4),
            new Compute(ComputeType.BUILD_GENERAL1_LARGE, 15, 8),
            new Compute(ComputeType.BUILD_GENERAL1_XLARGE, 70, 36),
            new Compute(ComputeType.BUILD_GENERAL1_2_XLARGE, 145, 72));

    private CodeBuildRequests() {
    }

    static StartBuildRequest startBuild(CodeBuildSpec executor, LaunchInput in, Map<String, String> sourceTypesByHost) {
        StepPayload payload = in.payload();
        Plugin plugin = in.plugin();
        String image = in.pluginImage();
        PluginEnv env = in.env();
        List<Warning> warnings = in.warnings();
        BuildPushStep step = payload.step();
        StartBuildRequest.Builder request = StartBuildRequest.builder()
                .projectName(executor.project())
                .imageOverride(image)
                .imagePullCredentialsTypeOverride(image.contains(".dkr.ecr.")
                        ? ImagePullCredentialsType.SERVICE_ROLE
                        : ImagePullCredentialsType.CODEBUILD)
                .environmentVariablesOverride(variables(env))
                .buildspecOverride(Buildspec.render(plugin, step.spec()))
                .autoRetryLimitOverride(step.spec().retry());
        if (executor.privileged()) {
            // Only for the privileged project: the unprivileged one keeps its own setting, so no request can turn
            // it on there. The parser has put the docker plugins on the privileged project.
            request.privilegedModeOverride(plugin.needsDockerDaemon());
        }
        if (step.timeout() != null) {
            request.timeoutInMinutesOverride(timeoutMinutes(step.timeout(), warnings));
        }
        if (step.spec().resources() != null) {
            request.computeTypeOverride(computeType(step.spec().resources(), warnings));
        }
        source(request, payload.codebase(), sourceTypesByHost);
        if (in.idempotencyToken() != null) {
            request.idempotencyToken(in.idempotencyToken());
        }
        return request.build();
    }

    private static List<EnvironmentVariable> variables(PluginEnv env) {
        List<EnvironmentVariable> variables = new ArrayList<>();
        env.plain().forEach((name, value) -> variables.add(EnvironmentVariable.builder()
                .name(name).value(value).type(EnvironmentVariableType.PLAINTEXT).build()));
        env.secret().forEach((name, source) -> variables.add(secret(name, source)));
        return variables;
    }

    private static EnvironmentVariable secret(String name, SecretSource source) {
        EnvironmentVariable.Builder variable = EnvironmentVariable.builder().name(name);
        if (source instanceof SecretSource.Reference reference) {
            SecretRef ref = reference.ref();
            return variable.value(ref.codeBuildValue())
                    .type(ref.store() == SecretRef.Store.PARAMETER_STORE
                            ? EnvironmentVariableType.PARAMETER_STORE
                            : EnvironmentVariableType.SECRETS_MANAGER)
                    .build();
        }
        SecretSource.Stashed stashed = (SecretSource.Stashed) source;
        return variable.value(stashed.parameterName()).type(EnvironmentVariableType.PARAMETER_STORE).build();
    }

    static int timeoutMinutes(Duration timeout, List<Warning> warnings) {
        long minutes = (timeout.toSeconds() + 59) / 60;
        if (minutes > MAX_TIMEOUT_MINUTES) {
            warnings.add(new Warning("step.timeout", "is above CodeBuild's maximum of 36 hours; the build gets 36 hours"));
            return MAX_TIMEOUT_MINUTES;
        }
        return (int) Math.max(MIN_TIMEOUT_MINUTES, minutes);
    }

    /** The smallest compute type that meets both limits. */
    static ComputeType computeType(Resources resources, List<Warning> warnings) {
        for (Compute compute : COMPUTE) {
            boolean memoryFits = resources.memoryBytes() == null || resources.memoryBytes() <= compute.memoryGib() << 30;
            boolean cpuFits = resources.milliCpu() == null || resources.milliCpu() <= compute.vcpus() * 1000;
            if (memoryFits && cpuFits) {
                return compute.type();
            }
        }
        warnings.add(new Warning("step.spec.resources.limits", "exceed the largest CodeBuild compute type; "
                + "BUILD_GENERAL1_2XLARGE is used"));
        return ComputeType.BUILD_GENERAL1_2_XLARGE;
    }

    private static void source(StartBuildRequest.Builder request, Codebase codebase, Map<String, String> sourceTypesByHost) {
        if (codebase.repoUrl() != null) {
            request.sourceTypeOverride(sourceType(codebase.repoUrl(), sourceTypesByHost))
                    .sourceLocationOverride(codebase.repoUrl());
        }
        if (codebase.sourceVersion() != null) {
            request.sourceVersion(codebase.sourceVersion());
        }
    }

    private static SourceType sourceType(String repoUrl, Map<String, String> sourceTypesByHost) {
        String host = URI.create(repoUrl).getHost();
        host = host == null ? "" : host.toLowerCase(java.util.Locale.ROOT);
        String known = sourceTypesByHost.get(host);
        if (known != null) {
            return SourceType.fromValue(known);
        }
        if (host.startsWith("git-codecommit.") && host.contains(".amazonaws.com")) {
            return SourceType.CODECOMMIT;
        }
        // A self-managed GitLab or a GitHub Enterprise Server has a source type to configure; a host CodeBuild has
        // none for (a Gitea or Forgejo server) can only be built by the ECS executor, whose task runs git itself.
        throw new InvalidStepException("codebase.repoUrl: CodeBuild does not know the Git host " + host
                + "; configure its source type in buildpush.codebuild.git-hosts (BUILDPUSH_CODEBUILD_GIT_HOSTS), e.g. "
                + host + "=GITLAB_SELF_MANAGED, if CodeBuild has one for it; else build it on the ECS executor"
                + " (\"executor\": {\"type\": \"ECS\"}), which clones any http(s) URL");
    }
}
