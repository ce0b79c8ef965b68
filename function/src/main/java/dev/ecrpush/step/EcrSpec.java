package dev.ecrpush.step;

import java.util.List;

/**
 * The step's {@code spec}, validated, with expressions resolved and defaults applied. Optional text fields
 * are null when unset (never empty); lists and maps are empty when unset.
 *
 * @param platforms {@code platforms} (beyond the seed's inputs): empty for the executor's default platform, as before
 * @param scanGate  {@code scanGate} (beyond the seed's inputs): the scan the pushed image must pass; null for none
 * @param onExistingTag {@code onExistingTag} (beyond the seed's inputs): what a run does when its tags exist already;
 *                  {@link OnExistingTag#DEFAULT} when unset
 */
public record EcrSpec(
        String connectorRef,
        String region,
        String account,
        String imageName,
        List<String> tags,
        String dockerfile,
        String context,
        String target,
        List<KeyValue> buildArgs,
        List<KeyValue> labels,
        boolean optimize,
        boolean caching,
        List<String> cacheFrom,
        String cacheTo,
        String remoteCacheImage,
        List<String> baseImageConnectorRefs,
        List<DockerSecret> envDockerSecrets,
        List<DockerSecret> fileDockerSecrets,
        List<KeyValue> envVariables,
        Integer runAsUser,
        Resources resources,
        int retry,
        List<Platform> platforms,
        ScanGate scanGate,
        OnExistingTag onExistingTag) {

    public EcrSpec {
        tags = List.copyOf(tags);
        buildArgs = List.copyOf(buildArgs);
        labels = List.copyOf(labels);
        cacheFrom = List.copyOf(cacheFrom);
        baseImageConnectorRefs = List.copyOf(baseImageConnectorRefs);
        envDockerSecrets = List.copyOf(envDockerSecrets);
        fileDockerSecrets = List.copyOf(fileDockerSecrets);
        envVariables = List.copyOf(envVariables);
        platforms = List.copyOf(platforms);
        onExistingTag = onExistingTag == null ? OnExistingTag.DEFAULT : onExistingTag;
    }

    /** The same spec with other tags (a monotonic trigger's run pushes only those that name its commit). */
    public EcrSpec withTags(List<String> newTags) {
        return new EcrSpec(connectorRef, region, account, imageName, newTags, dockerfile, context, target, buildArgs, labels,
                optimize, caching, cacheFrom, cacheTo, remoteCacheImage, baseImageConnectorRefs, envDockerSecrets,
                fileDockerSecrets, envVariables, runAsUser, resources, retry, platforms, scanGate, onExistingTag);
    }

    /** Whether the image is an index of per-platform images, each built natively by its own build. */
    public boolean multiPlatform() {
        return platforms.size() > 1;
    }

    /** The tag a platform's own build pushes when the step has two or more platforms: {@code <first tag>-linux-arm64}. */
    public static String platformTag(String firstTag, Platform platform) {
        return firstTag + "-" + platform.tagSuffix();
    }

    /** Whether the step asks for anything only the buildx plugin can do. */
    public boolean wantsBuildx() {
        return caching || !cacheFrom.isEmpty() || cacheTo != null || remoteCacheImage != null;
    }
}
