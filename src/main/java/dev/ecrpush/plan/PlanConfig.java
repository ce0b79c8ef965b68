package dev.ecrpush.plan;

import java.time.Duration;
import java.util.Map;

/**
 * The configuration the planner reads, as plain data so that planning stays a pure function.
 *
 * @param images              the plugin images and the registry prefix they are pulled through
 * @param buildkitImage       the BuildKit image buildx runs when the step asks for {@code caching}
 * @param oidcParameterPrefix where an OIDC token is stashed (SSM SecureString) for the build to read
 * @param sourceTypesByHost   CodeBuild source types for self-hosted Git hosts, by host name
 * @param ecs                 what the ECS executor's task definitions are made of
 */
public record PlanConfig(PluginImages images, String buildkitImage, String oidcParameterPrefix,
        Map<String, String> sourceTypesByHost, Ecs ecs) {

    public PlanConfig {
        sourceTypesByHost = Map.copyOf(sourceTypesByHost);
    }

    public static PlanConfig defaults() {
        return new PlanConfig(PluginImages.defaults(), "harness/buildkit:1.0.1", "/ecr-build-push/oidc-tokens/",
                Map.of(), Ecs.defaults());
    }

    /** A copy with other ECS settings. */
    public PlanConfig withEcs(Ecs settings) {
        return new PlanConfig(images, buildkitImage, oidcParameterPrefix, sourceTypesByHost, settings);
    }

    /**
     * The ECS executor's settings. Nullable: {@code executionRoleArn}, {@code taskRoleArn}, {@code gitTokenRef}.
     *
     * @param taskFamily       the family prefix of the task definitions the function registers
     * @param sourceImage      the image of the container that fetches the source (has {@code git} and {@code sh})
     * @param executionRoleArn the role ECS pulls images, reads the {@code secrets} and writes logs with
     * @param taskRoleArn      the role the build runs as: an Inherit or IRSA connector pushes with it
     * @param logGroup         the CloudWatch Logs group the containers log to
     * @param region           the region the tasks run in (the build account's)
     * @param gitTokenRef      the {@code valueFrom} of a Git token the source container clones with
     * @param gitUsername      the user name sent with that token
     * @param defaultTimeout   how long a task may run when the step sets no {@code timeout}
     */
    public record Ecs(String taskFamily, String sourceImage, String executionRoleArn, String taskRoleArn, String logGroup,
            String region, String gitTokenRef, String gitUsername, Duration defaultTimeout) {
        public static Ecs defaults() {
            return new Ecs("ecr-build-push", "alpine/git:2.45.2", null, null, "/ecr-build-push/ecs", "us-east-1", null,
                    "x-access-token", Duration.ofHours(1));
        }
    }

    /** Plugin images by plugin; {@code registryPrefix} (nullable) is put in front of each, e.g. a pull-through cache. */
    public record PluginImages(String kanikoEcr, String ecr, String buildxEcr, String registryPrefix) {
        public static PluginImages defaults() {
            return new PluginImages("plugins/kaniko-ecr:1.13.3", "plugins/ecr:21.1.1", "plugins/buildx-ecr:1.4.2", null);
        }

        public String image(Plugin plugin) {
            return prefixed(switch (plugin) {
                case KANIKO_ECR -> kanikoEcr;
                case ECR -> ecr;
                case BUILDX_ECR -> buildxEcr;
            });
        }

        public String prefixed(String image) {
            if (registryPrefix == null || registryPrefix.isBlank()) {
                return image;
            }
            return registryPrefix.endsWith("/") ? registryPrefix + image : registryPrefix + "/" + image;
        }
    }
}
