package dev.ecrpush.plan;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.ecrpush.step.Platform;


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
    public record PluginImages(String kanikoEcr, String ecr, String buildxEcr, String registryPrefix,
            List<Platform> kanikoEcrPlatforms) {
        public PluginImages {
            kanikoEcrPlatforms = List.copyOf(kanikoEcrPlatforms);
        }

        /** Images whose kaniko-ecr is the stack's build, for {@link BuildImage#KANIKO_ECR}'s platforms. */
        public PluginImages(String kanikoEcr, String ecr, String buildxEcr, String registryPrefix) {
            this(kanikoEcr, ecr, buildxEcr, registryPrefix, BuildImage.KANIKO_ECR.platforms());
        }

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

        /**
         * The platforms the plugin's configured image is known to exist for; empty when the function cannot know. The
         * kaniko-ecr image is always the deployer's build (the stack's, by default: {@code linux/amd64} and
         * {@code linux/arm64}), so its platforms are configured with it ({@code buildpush.plugins.kaniko-ecr-platforms}).
         * The docker plugins' images are known when they are the published image ({@link #sameRepository}: whatever
         * registry, mirror, tag or pinned digest the stack pulls it through); another image is the deployer's, which the
         * function cannot see into.
         */
        public List<Platform> platforms(Plugin plugin) {
            return switch (plugin) {
                case KANIKO_ECR -> kanikoEcrPlatforms;
                case ECR, BUILDX_ECR -> sameRepository(image(plugin), plugin.image().defaultReference())
                        ? plugin.image().platforms() : List.of();
            };
        }

        /**
         * Whether {@code image} is of the repository {@code reference} names ({@code plugins/ecr}), through any registry,
         * mirror or pull-through prefix, at any tag or digest: its repository path ends with the reference's at a
         * path boundary.
         */
        public static boolean sameRepository(String image, String reference) {
            String path = repositoryPath(image);
            String wanted = repositoryPath(reference);
            return path.equals(wanted) || path.endsWith("/" + wanted);
        }

        /** The image's repository path: without its registry host, digest or tag. */
        private static String repositoryPath(String image) {
            String path = image;
            int at = path.indexOf('@');
            if (at >= 0) {
                path = path.substring(0, at);
            }
            int colon = path.lastIndexOf(':');
            if (colon > path.lastIndexOf('/')) {
                path = path.substring(0, colon);
            }
            return hasRegistry(path) ? path.substring(path.indexOf('/') + 1) : path;
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
