package dev.ecrpush.executor.codebuild;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.ImagePullCredentialsType;
import software.amazon.awssdk.services.codebuild.model.ProjectFleet;
import software.amazon.awssdk.services.codebuild.model.SourceType;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.plan.LaunchInput;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginEnv;
import dev.ecrpush.plan.SecretSource;
import dev.ecrpush.step.BuildPushStep;
import dev.ecrpush.step.Codebase;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.Resources;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/** Builds the {@code StartBuild} request for a plan. */
final class CodeBuildRequests {
    /** CodeBuild's limits for {@code timeoutInMinutesOverride}. */
    static final int MIN_TIMEOUT_MINUTES = 5;
    static final int MAX_TIMEOUT_MINUTES = 2160;

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
        machine(request, executor, in.platform(), step.spec().resources(), warnings);
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

    /**
     * The machine a build runs on. A platform's build names its environment type ({@code LINUX_CONTAINER} or {@code
     * ARM_CONTAINER}); a step without platforms keeps the project's, as before platforms existed. On a fleet the
     * fleet's machines decide the size, so no compute type is sent; otherwise {@code executor.computeType} (checked
     * against the environment type when the step was parsed), else the smallest type {@code resources} fit in.
     */
    private static void machine(StartBuildRequest.Builder request, CodeBuildSpec executor, Platform platform,
            Resources resources, List<Warning> warnings) {
        EnvironmentType environment = CodeBuildCompute.environmentType(platform);
        if (platform != null) {
            request.environmentTypeOverride(environment);
        }
        String fleet = executor.fleets().fleetFor(platform);
        if (fleet != null) {
            request.fleetOverride(ProjectFleet.builder().fleetArn(fleet).build());
            if (resources != null) {
                once(warnings, new Warning("step.spec.resources", "are not applied to a build on a reserved fleet: its"
                        + " machines are the fleet's own"));
            }
        } else if (executor.computeType() != null) {
            request.computeTypeOverride(executor.computeType());
        } else if (resources != null) {
            request.computeTypeOverride(computeType(resources, environment, executor.region(), warnings));
        }
    }

    /**
     * The smallest compute type of the environment type that meets both limits. Above the largest, the largest, with a
     * warning: the limits are a pod's, which a CodeBuild machine need not match exactly (ARM's largest, 96 GB and 48
     * vCPUs, is smaller than x86's).
     */
    static ComputeType computeType(Resources resources, EnvironmentType environment, String region, List<Warning> warnings) {
        List<CodeBuildCompute.Size> sizes = CodeBuildCompute.sizes(environment, region);
        for (CodeBuildCompute.Size size : sizes) {
            boolean memoryFits = resources.memoryBytes() == null || resources.memoryBytes() <= size.memoryGib() << 30;
            boolean cpuFits = resources.milliCpu() == null || resources.milliCpu() <= size.vcpus() * 1000;
            if (memoryFits && cpuFits) {
                return size.type();
            }
        }
        CodeBuildCompute.Size largest = sizes.get(sizes.size() - 1);
        once(warnings, new Warning("step.spec.resources.limits", "exceed the largest CodeBuild compute type of "
                + environment + "; " + largest.type() + " (" + largest.memoryGib() + " GB, " + largest.vcpus()
                + " vCPUs) is used"));
        return largest.type();
    }

    /** A warning the builds of several platforms would each give, given once. */
    private static void once(List<Warning> warnings, Warning warning) {
        if (!warnings.contains(warning)) {
            warnings.add(warning);
        }
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
