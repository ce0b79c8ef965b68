package dev.ecrpush.plan;

import java.util.Map;

/**
 * The configuration the planner reads, as plain data so that planning stays a pure function.
 *
 * @param images              the plugin images and the registry prefix they are pulled through
 * @param buildkitImage       the BuildKit image buildx runs when the step asks for {@code caching}
 * @param oidcParameterPrefix where an OIDC token is stashed (SSM SecureString) for the build to read
 * @param sourceTypesByHost   CodeBuild source types for self-hosted Git hosts, by host name
 * @param ecsTaskFamily       the task definition family the ECS executor runs
 */
public record PlanConfig(PluginImages images, String buildkitImage, String oidcParameterPrefix,
        Map<String, String> sourceTypesByHost, String ecsTaskFamily) {

    public PlanConfig {
        sourceTypesByHost = Map.copyOf(sourceTypesByHost);
    }

    public static PlanConfig defaults() {
        return new PlanConfig(PluginImages.defaults(), "harness/buildkit:1.0.1", "/ecr-build-push/oidc-tokens/",
                Map.of(), "ecr-build-push");
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
