package dev.ecrpush.plan;

import java.util.List;

import dev.ecrpush.step.Platform;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * Everything that will be done for a step, decided before any AWS call: what {@code mode: plan} returns,
 * and what the later stages carry out.
 *
 * @param registry     the target registry host
 * @param imageUris    {@code registry/repository:tag} for every tag
 * @param repositories the repositories that must exist (the image's, and the remote cache's)
 * @param launch       the build's request; with two or more platforms, the first platform's (each is in
 *                     {@code platformBuilds})
 * @param platformBuilds one build per platform when the step has two or more {@code platforms}; empty otherwise
 */
public record Plan(
        StepPayload payload,
        String registry,
        String repository,
        List<String> imageUris,
        Plugin plugin,
        String pluginImage,
        PluginEnv env,
        List<RepositoryPlan> repositories,
        CredentialsPlan credentials,
        LaunchRequest launch,
        List<Warning> warnings,
        List<PlatformBuild> platformBuilds) {

    public Plan {
        imageUris = List.copyOf(imageUris);
        repositories = List.copyOf(repositories);
        warnings = List.copyOf(warnings);
        platformBuilds = List.copyOf(platformBuilds);
    }

    /** A plan of one build, as every plan was before {@code platforms}. */
    public Plan(StepPayload payload, String registry, String repository, List<String> imageUris, Plugin plugin,
            String pluginImage, PluginEnv env, List<RepositoryPlan> repositories, CredentialsPlan credentials,
            LaunchRequest launch, List<Warning> warnings) {
        this(payload, registry, repository, imageUris, plugin, pluginImage, env, repositories, credentials, launch, warnings,
                List.of());
    }

    /** Whether the image is an index the function writes over one build per platform ({@link #platformBuilds}). */
    public boolean multiPlatform() {
        return !platformBuilds.isEmpty();
    }

    /**
     * One platform's build as a plan of its own: its launch, its environment and its one image; what the executors
     * start and read back. The step's tags are the index's, written by the function once every platform has pushed.
     */
    public Plan forPlatform(PlatformBuild build) {
        return new Plan(payload.withTags(List.of(build.tag())), registry, repository, List.of(build.imageUri()), plugin,
                pluginImage, build.env(), repositories, credentials, build.launch(), warnings, List.of());
    }

    /**
     * One platform's build of a multi-platform step: it pushes {@code tag} (the first tag and the platform) only.
     *
     * @param launch the executor's request for that platform ({@code ARM_CONTAINER}, {@code runtimePlatform})
     */
    public record PlatformBuild(Platform platform, String tag, String imageUri, PluginEnv env, LaunchRequest launch) {
    }

    /** A repository to ensure in the target account. */
    public record RepositoryPlan(String name, Purpose purpose) {
        public enum Purpose { IMAGE, CACHE }
    }
}
