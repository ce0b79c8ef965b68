package dev.ecrpush.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;


/**
 * The configuration the planner reads, as plain data and pure functions so that planning stays a pure function.
 *
 * @param images              the plugin images and the registry prefix they are pulled through
 * @param buildkitImage       the BuildKit image buildx runs when the step asks for {@code caching}
 * @param oidcParameterPrefix where an OIDC token is stashed (SSM SecureString) for the build to read
 * @param planners            each registered executor's part of the plan, by {@code executor.type}
 */
public record PlanConfig(PluginImages images, String buildkitImage, String oidcParameterPrefix,
        Map<String, LaunchPlanner> planners) {

    /** The BuildKit image the manager names for buildx's builder (started by buildx inside the build, not by the function). */
    public static final String DEFAULT_BUILDKIT_IMAGE = "harness/buildkit:1.0.1";
    public static final String DEFAULT_OIDC_PARAMETER_PREFIX = "/ecr-build-push/oidc-tokens/";

    public PlanConfig {
        planners = Map.copyOf(planners);
    }

    /** The default images and prefixes, with these executors' planners. */
    public static PlanConfig of(List<? extends LaunchPlanner> planners) {
        Map<String, LaunchPlanner> byType = new HashMap<>();
        planners.forEach(planner -> byType.put(planner.type(), planner));
        return new PlanConfig(PluginImages.defaults(), DEFAULT_BUILDKIT_IMAGE, DEFAULT_OIDC_PARAMETER_PREFIX, byType);
    }

    /** A copy with other images. */
    public PlanConfig withImages(PluginImages other) {
        return new PlanConfig(other, buildkitImage, oidcParameterPrefix, planners);
    }

    /** A copy with another BuildKit image. */
    public PlanConfig withBuildkitImage(String image) {
        return new PlanConfig(images, image, oidcParameterPrefix, planners);
    }

    /** A copy with another OIDC parameter prefix. */
    public PlanConfig withOidcParameterPrefix(String prefix) {
        return new PlanConfig(images, buildkitImage, prefix, planners);
    }

    /**
     * The planner of an executor type.
     *
     * @throws IllegalStateException when none is registered (the parser accepted only registered types)
     */
    public LaunchPlanner planner(String type) {
        LaunchPlanner planner = planners.get(type);
        if (planner == null) {
            throw new IllegalStateException("no executor " + type + " is registered (" + planners.keySet() + ")");
        }
        return planner;
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
