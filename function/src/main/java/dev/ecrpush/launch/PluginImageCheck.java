package dev.ecrpush.launch;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.Plan;

/**
 * Refuses, before any AWS call, a build whose image exists nowhere yet: the kaniko image is built by the stack
 * ({@code infra/images/kaniko-ecr}), and its default name has no registry, so it would be pulled from Docker Hub,
 * where anyone could have published an image of that name.
 */
public final class PluginImageCheck {
    private PluginImageCheck() {
    }

    /** @throws LaunchFailedException when the plan's plugin image is the unbuilt default */
    public static void require(Plan plan) {
        if (plan.pluginImage().equals(BuildImage.KANIKO_ECR.defaultReference())) {
            throw new LaunchFailedException("buildpush.plugins.kaniko-ecr-image is not set: " + plan.pluginImage()
                    + " is the image the stack builds into its own registry (infra/images/kaniko-ecr); set the key to"
                    + " the reference the stack outputs, or deploy template.yaml, which sets it");
        }
    }
}
