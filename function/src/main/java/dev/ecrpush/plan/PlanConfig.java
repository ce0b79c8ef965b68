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

    /** The BuildKit image the manager names for buildx's builder (started by buildx inside the build, not by the function). */
    public static final String DEFAULT_BUILDKIT_IMAGE = "harness/buildkit:1.0.1";

    public PlanConfig {
        sourceTypesByHost = Map.copyOf(sourceTypesByHost);
    }

    public static PlanConfig defaults() {
        return new PlanConfig(PluginImages.defaults(), DEFAULT_BUILDKIT_IMAGE, "/ecr-build-push/oidc-tokens/",
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
            return new Ecs("ecr-build-push", BuildImage.GIT_SOURCE.defaultReference(), null, null, "/ecr-build-push/ecs", "us-east-1", null,
                    "x-access-token", Duration.ofHours(1));
        }
    }

    /**
     * Plugin images by plugin; {@code registryPrefix} (nullable) is put in front of each image named without a
     * registry host, e.g. a pull-through cache for Docker Hub. An image given with its registry (as the stack gives
     * the images it pinned at deploy time) is used as it is.
     */
    public record PluginImages(String kanikoEcr, String ecr, String buildxEcr, String registryPrefix) {
        public static PluginImages defaults() {
            return new PluginImages(BuildImage.KANIKO_ECR.defaultReference(), BuildImage.ECR.defaultReference(),
                    BuildImage.BUILDX_ECR.defaultReference(), null);
        }

        public String image(Plugin plugin) {
            return prefixed(switch (plugin) {
                case KANIKO_ECR -> kanikoEcr;
                case ECR -> ecr;
                case BUILDX_ECR -> buildxEcr;
            });
        }

        public String prefixed(String image) {
            if (registryPrefix == null || registryPrefix.isBlank() || hasRegistry(image)) {
                return image;
            }
            return registryPrefix.endsWith("/") ? registryPrefix + image : registryPrefix + "/" + image;
        }

        /** Docker's rule: the first path component names a registry when it has a '.' or a ':', or is localhost. */
        static boolean hasRegistry(String image) {
            int slash = image.indexOf('/');
            if (slash < 0) {
                return false;
            }
            String first = image.substring(0, slash);
            return first.contains(".") || first.contains(":") || first.equals("localhost");
        }
    }
}
