package dev.ecrpush.plan;

import java.util.ArrayList;
import java.util.List;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.Warning;

/**
 * Whether the plugin's image exists for each platform the step builds natively: a build on a platform its image lacks
 * would be provisioned, pull nothing it can run ({@code exec format error} or "no matching manifest") and fail minutes
 * later. What the function knows of an image's platforms ({@link PlanConfig.PluginImages#platforms}) decides: a
 * platform outside them is refused, naming {@code step.spec.platforms[i]}; for an image the deployer configured and the
 * function cannot see into, each platform but {@code linux/amd64} (where every build ran before platforms) is a warning
 * that the image must exist for it.
 */
final class ImagePlatforms {
    private ImagePlatforms() {
    }

    /** @throws InvalidStepException naming each platform the image is known not to exist for */
    static void check(EcrSpec spec, Plugin plugin, PlanConfig.PluginImages images, List<Warning> warnings) {
        List<Platform> known = images.platforms(plugin);
        String image = images.image(plugin);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < spec.platforms().size(); i++) {
            Platform platform = spec.platforms().get(i);
            String at = "step.spec.platforms[" + i + "]";
            if (known.isEmpty()) {
                if (platform != Platform.LINUX_AMD64) {
                    warnings.add(new Warning(at, platform.wire() + ": the " + plugin.image().name() + " image " + image
                            + " is configured by the deployer, and must be published for " + platform.wire()
                            + ", or the build fails when it starts"));
                }
            } else if (!known.contains(platform)) {
                problems.add(at + ": " + platform.wire() + " is not a platform the " + plugin.image().name()
                        + " image exists for (" + known.stream().map(Platform::wire).toList() + ")" + remedy(plugin));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidStepException(problems);
        }
    }

    private static String remedy(Plugin plugin) {
        if (plugin == Plugin.KANIKO_ECR) {
            return ": the deployer lists the kaniko-ecr image's platforms in buildpush.plugins.kaniko-ecr-platforms"
                    + " (the stack's own image exists for linux/amd64 and linux/arm64). Build this platform with the docker"
                    + " plugins on CodeBuild (infra VM or DLITE_VM: plugins/ecr and plugins/buildx-ecr exist for linux/arm64),"
                    + " or have the deployer publish the kaniko-ecr image for it and list it there";
        }
        return "";
    }
}
