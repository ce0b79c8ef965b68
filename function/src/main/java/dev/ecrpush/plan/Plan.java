package dev.ecrpush.plan;

import java.util.List;

import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * Everything that will be done for a step, decided before any AWS call: what {@code mode: plan} returns,
 * and what the later stages carry out.
 *
 * @param registry     the target registry host
 * @param imageUris    {@code registry/repository:tag} for every tag
 * @param repositories the repositories that must exist (the image's, and the remote cache's)
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
        List<Warning> warnings) {

    public Plan {
        imageUris = List.copyOf(imageUris);
        repositories = List.copyOf(repositories);
        warnings = List.copyOf(warnings);
    }

    /** A repository to ensure in the target account. */
    public record RepositoryPlan(String name, Purpose purpose) {
        public enum Purpose { IMAGE, CACHE }
    }
}
