package dev.ecrpush.executor.ecs;

import java.time.Duration;
import java.util.List;

import dev.ecrpush.aws.Arn;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.step.GitUrls;

/**
 * The ECS executor's configuration ({@code buildpush.ecs.*}), checked at start-up. Nullable:
 * {@code cluster}, {@code executionRoleArn}, {@code taskRoleArn}, {@code gitTokenRef}.
 *
 * @param cluster          the cluster a payload that names none runs in
 * @param subnets          the subnets a payload that names none runs in
 * @param securityGroups   the security groups a payload that names none uses
 * @param assignPublicIp   the default of {@code assignPublicIp}
 * @param taskFamily       the family prefix of the task definitions the function registers
 * @param sourceImage      the image of the container that fetches the source ({@link BuildImage#GIT_SOURCE}'s facts)
 * @param executionRoleArn the role ECS pulls images, reads the {@code secrets} and writes logs with
 * @param taskRoleArn      the role the build runs as: an Inherit or IRSA connector pushes with it
 * @param logGroup         the CloudWatch Logs group the containers log to
 * @param region           the region the tasks run in (the build account's)
 * @param gitTokenRef      the {@code valueFrom} of a Git token the source container clones with
 * @param gitUsername      the user name sent with that token
 * @param gitTokenHost     the one host ({@code host} or {@code host:port}) the token is offered to, over https; set
 *                         exactly when {@code gitTokenRef} is
 * @param defaultTimeout   how long a task may run when the step sets no {@code timeout}
 */
public record EcsSettings(String cluster, List<String> subnets, List<String> securityGroups, boolean assignPublicIp,
        String taskFamily, String sourceImage, String executionRoleArn, String taskRoleArn, String logGroup, String region,
        String gitTokenRef, String gitUsername, Duration defaultTimeout, String gitTokenHost) {

    public EcsSettings {
        subnets = List.copyOf(subnets);
        securityGroups = List.copyOf(securityGroups);
        if ((gitTokenRef == null) != (gitTokenHost == null)) {
            throw new IllegalStateException("buildpush.ecs.git-token-host is required with buildpush.ecs.git-token-ref, and only"
                    + " with it: the token is offered to that one host");
        }
        if (gitTokenHost != null && (!GitUrls.isHostName(gitTokenHost)
                || GitUrls.localAddressProblem(gitTokenHost.split(":", 2)[0]) != null)) {
            throw new IllegalStateException("buildpush.ecs.git-token-host must be a lower-case host name, optionally with"
                    + " :port (no scheme or path), of a Git server other than the task's own machine");
        }
    }

    /** What the function runs with when nothing is configured: no cluster, no roles, the defaults of the keys. */
    public static EcsSettings defaults() {
        return new EcsSettings(null, List.of(), List.of(), false, "ecr-build-push", BuildImage.GIT_SOURCE.defaultReference(),
                null, null, "/ecr-build-push/ecs", "us-east-1", null, "x-access-token", Duration.ofHours(1), null);
    }

    /**
     * @throws IllegalStateException naming the key of a value that is not valid
     */
    public static EcsSettings from(ServiceConfig.Ecs ecs) {
        if (!ecs.taskFamily().matches("[A-Za-z0-9_-]{1,238}")) {
            throw new IllegalStateException("buildpush.ecs.task-family must be 1 to 238 letters, digits, - or _");
        }
        if (ecs.defaultTimeout().isNegative() || ecs.defaultTimeout().isZero()) {
            throw new IllegalStateException("buildpush.ecs.default-timeout must be positive");
        }
        return new EcsSettings(ecs.cluster().orElse(null), ecs.subnets().orElse(List.of()), ecs.securityGroups().orElse(List.of()),
                ecs.assignPublicIp(), ecs.taskFamily(), ecs.sourceImage().orElse(BuildImage.GIT_SOURCE.defaultReference()),
                ecs.executionRoleArn().orElse(null), ecs.taskRoleArn().orElse(null), ecs.logGroup(),
                ecs.region().orElseGet(Settings::functionRegion), ecs.gitTokenRef().map(EcsSettings::gitTokenValueFrom).orElse(null),
                ecs.gitUsername(), ecs.defaultTimeout(), ecs.gitTokenHost().orElse(null));
    }

    /** A copy with a Git token, its user name and the one host it is offered to. */
    public EcsSettings withGitToken(String valueFrom, String username, String host) {
        return new EcsSettings(cluster, subnets, securityGroups, assignPublicIp, taskFamily, sourceImage, executionRoleArn,
                taskRoleArn, logGroup, region, valueFrom, username, defaultTimeout, host);
    }

    /** A copy with these roles. */
    public EcsSettings withRoles(String execution, String task) {
        return new EcsSettings(cluster, subnets, securityGroups, assignPublicIp, taskFamily, sourceImage, execution, task,
                logGroup, region, gitTokenRef, gitUsername, defaultTimeout, gitTokenHost);
    }

    /** A copy that runs its tasks in this cluster. */
    public EcsSettings withCluster(String name) {
        return new EcsSettings(name, subnets, securityGroups, assignPublicIp, taskFamily, sourceImage, executionRoleArn,
                taskRoleArn, logGroup, region, gitTokenRef, gitUsername, defaultTimeout, gitTokenHost);
    }

    /**
     * What the source container's credential helper is scoped to ({@code credential.<url>.helper}): the token's host
     * over https, so git offers the token to no other host, and to it over nothing else. Null without a token.
     */
    public String gitTokenUrl() {
        return gitTokenHost == null ? null : "https://" + gitTokenHost;
    }

    /** A Git token reference as ECS reads it: a parameter by its name, a secret by its full ARN. */
    private static String gitTokenValueFrom(String ref) {
        if (ref.matches("ssm:/[A-Za-z0-9_.\\-/]{1,2047}")) {
            return ref.substring("ssm:".length());
        }
        Arn arn = Arn.secret(ref);
        if (arn != null && !arn.resource().substring("secret:".length()).contains(":")) {
            return ref;
        }
        throw new IllegalStateException("buildpush.ecs.git-token-ref must be a Secrets Manager secret ARN or ssm:/path");
    }
}
