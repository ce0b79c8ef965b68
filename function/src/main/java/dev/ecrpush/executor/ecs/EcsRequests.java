package dev.ecrpush.executor.ecs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerCondition;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerDependency;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.MountPoint;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.CPUArchitecture;
import software.amazon.awssdk.services.ecs.model.OSFamily;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RuntimePlatform;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.TaskOverride;
import software.amazon.awssdk.services.ecs.model.Volume;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.step.Codebase;
import dev.ecrpush.plan.Hashing;
import dev.ecrpush.plan.LaunchInput;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginEnv;
import dev.ecrpush.plan.SecretSource;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * Builds the ECS launch of a plan: the task definition the run needs and the {@code RunTask} request.
 *
 * <p>ECS takes no secrets per run, so the plugin's secret variables are {@code secrets} of the task
 * definition, and everything that varies per run (the plain environment, the commit, the size) goes in the
 * {@code RunTask} overrides. The family is named after the SHA-256 of the definition's content: builds that
 * need the same secrets, images, user and roles share one revision instead of registering one per build.
 */
final class EcsRequests {
    /** RunTask rejects overrides whose JSON is longer than this. */
    static final int MAX_OVERRIDES_CHARS = 8192;
    /** Task definition families are at most 255 characters; the content hash takes 17 of them. */
    private static final int MAX_FAMILY_PREFIX = 255 - 17;

    /**
     * The {@code source} container's script: clones {@link EcsTaskLayout#CHECKOUT_PATH} at the commit (else the
     * branch, else the tag). Refs are fetched by their full names, so a branch and a tag of the same name never
     * stand in for each other; a full commit id is fetched alone where the server allows it (GitHub does), else
     * from the history of its branch or tag, else of every one. Options end before positional arguments. Nothing
     * reads {@code $HOME} (Fargate sets none unless the image does) and the token reaches git only through a
     * credential helper that prints it, never on a command line or in a file; the helper is scoped to
     * {@code $GIT_TOKEN_URL} ({@code credential.<url>.helper}: the configured host, https), so git asks it for that
     * host alone and a clone of any other host runs without the token (and, with no prompt, fails if it needs
     * one). A failure is one line saying what could not be fetched and git's own reason; the plugin container then
     * never starts ({@code dependsOn SUCCESS}).
     */
    static final String FETCH_SCRIPT = "checkout=" + EcsTaskLayout.CHECKOUT_PATH + "\n" + """
            set -eu
            export GIT_TERMINAL_PROMPT=0
            fail() {
              printf 'ecr-build-push source: %s\\n' "$1" >&2
              exit 1
            }
            if [ -n "${GIT_TOKEN:-}" ] && [ -n "${GIT_TOKEN_URL:-}" ]; then
              g() { git -c credential.helper= -c "credential.$GIT_TOKEN_URL.helper"='!f() { test "$1" = get || exit 0; \
            printf "username=%s\\npassword=%s\\n" "${GIT_USERNAME:-x-access-token}" "$GIT_TOKEN"; }; f' "$@"; }
            else
              g() { git "$@"; }
            fi
            fetch() {
              what=$1
              shift
              if ! out=$(g fetch -q --no-tags "$@" 2>&1); then
                fail "cannot fetch $what from $GIT_REPO_URL: $(printf '%s\\n' "$out" | tail -n 1)"
              fi
            }
            commit=${GIT_COMMIT:-} branch=${GIT_BRANCH:-} tag=${GIT_TAG:-}
            git init -q -- "$checkout"
            cd "$checkout"
            if [ -n "$branch" ]; then
              ref=refs/heads/$branch what="branch $branch"
            elif [ -n "$tag" ]; then
              ref=refs/tags/$tag what="tag $tag"
            else
              ref=HEAD what="the default branch"
            fi
            if [ -z "$commit" ]; then
              fetch "$what" --depth=1 -- "$GIT_REPO_URL" "+$ref:refs/ecr-build-push/ref"
              commit=refs/ecr-build-push/ref
            elif [ ${#commit} -eq 40 ] && g fetch -q --no-tags --depth=1 -- "$GIT_REPO_URL" "$commit" > /dev/null 2>&1; then
              :
            elif [ "$ref" = HEAD ] || ! g fetch -q --no-tags -- "$GIT_REPO_URL" "+$ref:refs/ecr-build-push/ref" > /dev/null 2>&1 \\
                || ! git rev-parse -q --verify --end-of-options "$commit^{commit}" > /dev/null; then
              fetch "every branch and tag" -- "$GIT_REPO_URL" '+refs/heads/*:refs/ecr-build-push/heads/*' \
            '+refs/tags/*:refs/ecr-build-push/tags/*'
            fi
            id=$(git rev-parse -q --verify --end-of-options "$commit^{commit}") || fail "commit $commit was not found in $GIT_REPO_URL"
            git checkout -q --detach "$id"
            printf 'ecr-build-push source: checked out %s\\n' "$id"
            """;

    /**
     * The plugin container's script: the plugin, then the digest kaniko wrote, as the last line of the container's
     * log ({@link EcsTaskLayout#DIGEST_MARKER}), where a status request reads it. Only shell builtins after the
     * plugin: a multi-stage build deletes the container's filesystem but for /kaniko and mounts.
     */
    static String pluginScript(Plugin plugin) {
        return plugin.binary() + " && { read -r digest < " + Plugin.KANIKO_DIGEST_FILE + "; printf '"
                + EcsTaskLayout.DIGEST_MARKER + "%s\\n' \"$digest\"; }";
    }

    private EcsRequests() {
    }

    static EcsLaunch launch(EcsSpec executor, LaunchInput in, EcsSettings settings) {
        StepPayload payload = in.payload();
        PluginEnv env = in.env();
        RegisterTaskDefinitionRequest definition = taskDefinition(payload, in.plugin(), in.pluginImage(), env, in.images(), settings,
                in.platform());
        RunTaskRequest.Builder request = RunTaskRequest.builder()
                .cluster(executor.cluster())
                .taskDefinition(definition.family())
                .launchType(LaunchType.FARGATE)
                .count(1)
                .startedBy(EcsTaskLayout.STARTED_BY)
                .networkConfiguration(NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
                        .subnets(executor.subnets())
                        .securityGroups(executor.securityGroups())
                        .assignPublicIp(executor.assignPublicIp() ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED)
                        .build()).build())
                .overrides(overrides(payload, env, settings, in.warnings()));
        if (in.idempotencyToken() != null) {
            request.clientToken(in.idempotencyToken());
        }
        sourceImagePlatform(in.platform(), settings.sourceImage(), in.warnings());
        return new EcsLaunch(definition, request.build());
    }

    private static TaskOverride overrides(StepPayload payload, PluginEnv env, EcsSettings settings, List<Warning> warnings) {
        Codebase codebase = payload.codebase();
        Map<String, String> source = new LinkedHashMap<>();
        source.put(EcsTaskLayout.GIT_REPO_URL, codebase.repoUrl());
        putIfSet(source, EcsTaskLayout.GIT_COMMIT, codebase.commitSha());
        putIfSet(source, EcsTaskLayout.GIT_BRANCH, codebase.branch());
        putIfSet(source, EcsTaskLayout.GIT_TAG, codebase.tag());
        long timeout = payload.step().timeout() != null ? payload.step().timeout().toSeconds() : settings.defaultTimeout().toSeconds();
        source.put(EcsTaskLayout.TIMEOUT_SECONDS, String.valueOf(Math.max(1, timeout)));
        String stashed = env.secret().values().stream().filter(SecretSource.Stashed.class::isInstance)
                .map(s -> ((SecretSource.Stashed) s).parameterName()).distinct().collect(Collectors.joining(","));
        putIfSet(source, EcsTaskLayout.STASHED_PARAMETERS, stashed.isEmpty() ? null : stashed);

        TaskOverride.Builder overrides = TaskOverride.builder().containerOverrides(
                ContainerOverride.builder().name(EcsTaskLayout.SOURCE_CONTAINER).environment(pairs(source)).build(),
                ContainerOverride.builder().name(EcsTaskLayout.PLUGIN_CONTAINER).environment(pairs(env.plain())).build());
        if (payload.step().spec().resources() != null) {
            FargateSize size = FargateSize.fit(payload.step().spec().resources(), warnings);
            overrides.cpu(String.valueOf(size.cpu())).memory(String.valueOf(size.memory()));
        }
        int length = jsonLength(source) + jsonLength(env.plain());
        if (length > MAX_OVERRIDES_CHARS - 512) {
            throw new InvalidStepException("step.spec: the plugin environment takes about " + length
                    + " characters, and ECS RunTask overrides take at most " + MAX_OVERRIDES_CHARS
                    + "; shorten buildArgs, labels or envVariables, or use the CodeBuild executor");
        }
        return overrides.build();
    }

    private static RegisterTaskDefinitionRequest taskDefinition(StepPayload payload, Plugin plugin, String pluginImage,
            PluginEnv env, PlanConfig.PluginImages images, EcsSettings ecs, Platform platform) {
        ContainerDefinition.Builder source = ContainerDefinition.builder()
                .name(EcsTaskLayout.SOURCE_CONTAINER)
                .image(images.prefixed(ecs.sourceImage()))
                .essential(false)
                .entryPoint(BuildImage.GIT_SOURCE.requireShell(), "-c")
                .command(FETCH_SCRIPT)
                .mountPoints(workspace())
                .logConfiguration(logs(ecs));
        if (ecs.gitTokenRef() != null) {
            source.environment(KeyValuePair.builder().name(EcsTaskLayout.GIT_USERNAME).value(ecs.gitUsername()).build(),
                            KeyValuePair.builder().name(EcsTaskLayout.GIT_TOKEN_URL).value(ecs.gitTokenUrl()).build())
                    .secrets(Secret.builder().name(EcsTaskLayout.GIT_TOKEN).valueFrom(ecs.gitTokenRef()).build());
        }
        Integer runAsUser = payload.step().spec().runAsUser();
        ContainerDefinition build = ContainerDefinition.builder()
                .name(EcsTaskLayout.PLUGIN_CONTAINER)
                .image(pluginImage)
                .entryPoint(plugin.image().requireShell(), "-c")
                .command(pluginScript(plugin))
                .essential(true)
                .dependsOn(ContainerDependency.builder().containerName(EcsTaskLayout.SOURCE_CONTAINER)
                        .condition(ContainerCondition.SUCCESS).build())
                .workingDirectory(EcsTaskLayout.CHECKOUT_PATH)
                .user(runAsUser == null ? null : String.valueOf(runAsUser))
                .mountPoints(workspace())
                .secrets(secrets(env))
                .logConfiguration(logs(ecs))
                .build();
        RegisterTaskDefinitionRequest content = RegisterTaskDefinitionRequest.builder()
                .requiresCompatibilities(Compatibility.FARGATE)
                .networkMode(NetworkMode.AWSVPC)
                .cpu(String.valueOf(FargateSize.DEFAULT.cpu()))
                .memory(String.valueOf(FargateSize.DEFAULT.memory()))
                .executionRoleArn(ecs.executionRoleArn())
                .taskRoleArn(ecs.taskRoleArn())
                .volumes(Volume.builder().name(EcsTaskLayout.WORKSPACE_VOLUME).build())
                .containerDefinitions(source.build(), build)
                .runtimePlatform(runtimePlatform(platform))
                .build();
        // The SDK's rendering lists every member, so any difference in content gives another hash: a definition of
        // one architecture is another family than the other's, and than one without a platform.
        String hash = Hashing.sha256(content.toString());
        String prefix = ecs.taskFamily().length() > MAX_FAMILY_PREFIX ? ecs.taskFamily().substring(0, MAX_FAMILY_PREFIX) : ecs.taskFamily();
        return content.toBuilder()
                .family(prefix + "-" + hash.substring(0, 16))
                .tags(Tag.builder().key(EcsTaskLayout.CONTENT_TAG).value(hash).build())
                .build();
    }

    /**
     * The {@code source} container's image runs on the task's architecture too: alpine/git is published for
     * linux/arm64 ({@link BuildImage#GIT_SOURCE}), and recognised through any mirror, tag or pinned digest; another
     * image is the deployer's, which must exist for the platform (a warning, once for the plan).
     */
    private static void sourceImagePlatform(Platform platform, String sourceImage, List<Warning> warnings) {
        boolean published = PlanConfig.PluginImages.sameRepository(sourceImage, BuildImage.GIT_SOURCE.defaultReference());
        if (platform == null || platform == Platform.LINUX_AMD64 || published && BuildImage.GIT_SOURCE.platforms().contains(platform)) {
            return;
        }
        Warning warning = new Warning("executor", platform.wire() + ": the ECS source image " + sourceImage
                + " (buildpush.ecs.source-image) is configured by the deployer, and must be published for " + platform.wire());
        if (!warnings.contains(warning)) {
            warnings.add(warning);
        }
    }

    /**
     * Fargate's {@code runtimePlatform} of a platform's build; null (the member left out, Fargate's default X86_64
     * Linux) when the step names no platform, so that such a definition is the one registered before platforms existed.
     */
    static RuntimePlatform runtimePlatform(Platform platform) {
        if (platform == null) {
            return null;
        }
        return RuntimePlatform.builder().operatingSystemFamily(OSFamily.LINUX)
                .cpuArchitecture(platform.arm() ? CPUArchitecture.ARM64 : CPUArchitecture.X86_64).build();
    }

    private static void putIfSet(Map<String, String> variables, String name, String value) {
        if (value != null) {
            variables.put(name, value);
        }
    }

    private static MountPoint workspace() {
        return MountPoint.builder().sourceVolume(EcsTaskLayout.WORKSPACE_VOLUME).containerPath(EcsTaskLayout.WORKSPACE_PATH)
                .readOnly(false).build();
    }

    private static LogConfiguration logs(EcsSettings ecs) {
        // Sorted: the content hash must not depend on a map's iteration order, which Map.of varies per JVM.
        Map<String, String> options = new TreeMap<>();
        options.put("awslogs-group", ecs.logGroup());
        options.put("awslogs-region", ecs.region());
        options.put("awslogs-stream-prefix", EcsTaskLayout.LOG_STREAM_PREFIX);
        return LogConfiguration.builder().logDriver(LogDriver.AWSLOGS).options(options).build();
    }

    private static List<Secret> secrets(PluginEnv env) {
        List<Secret> secrets = new ArrayList<>();
        env.secret().forEach((name, source) -> secrets.add(Secret.builder().name(name).valueFrom(valueFrom(source)).build()));
        return secrets;
    }

    /**
     * What ECS takes in {@code valueFrom}: a parameter by its name, a secret by its ARN, and a JSON key only in
     * the full {@code ARN:json-key:version-stage:version-id} form (empty parts allowed).
     */
    static String valueFrom(SecretSource source) {
        if (source instanceof SecretSource.Stashed stashed) {
            return stashed.parameterName();
        }
        SecretRef ref = ((SecretSource.Reference) source).ref();
        if (ref.store() == SecretRef.Store.PARAMETER_STORE) {
            return ref.codeBuildValue();
        }
        String arn = ref.value();
        int parts = arn.split(":", -1).length;
        return parts > 7 && parts < 10 ? arn + ":".repeat(10 - parts) : arn;
    }

    private static List<KeyValuePair> pairs(Map<String, String> variables) {
        List<KeyValuePair> pairs = new ArrayList<>();
        variables.forEach((name, value) -> pairs.add(KeyValuePair.builder().name(name).value(value).build()));
        return pairs;
    }

    /** {@code {"name":"N","value":"V"},} per variable, counting what JSON escapes. */
    private static int jsonLength(Map<String, String> variables) {
        int length = 0;
        for (Map.Entry<String, String> e : variables.entrySet()) {
            length += 22 + escaped(e.getKey()) + escaped(e.getValue());
        }
        return length;
    }

    private static int escaped(String text) {
        int length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            length += c == '"' || c == '\\' ? 2 : c < 0x20 ? 6 : 1;
        }
        return length;
    }
}
