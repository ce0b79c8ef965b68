package dev.ecrpush.launch;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * The images a build pushes, read back from its plugin environment ({@code PLUGIN_REGISTRY}, {@code PLUGIN_REPO},
 * {@code PLUGIN_TAGS}) as it was started, since a status request carries nothing else; and, once it has
 * succeeded, the digest ECR holds for the first tag, so the caller can pin the exact image it built.
 */
final class PushedImages {
    private static final Pattern ECR_REGISTRY = Pattern.compile("(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");

    private final String registry;
    private final String repository;
    private final List<String> tags;

    PushedImages(Map<String, String> pluginEnv) {
        this.registry = pluginEnv.get("PLUGIN_REGISTRY");
        this.repository = pluginEnv.get("PLUGIN_REPO");
        this.tags = pluginEnv.containsKey("PLUGIN_TAGS")
                ? Arrays.stream(pluginEnv.get("PLUGIN_TAGS").split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList()
                : List.of();
    }

    /** {@code registry/repository:tag} for each tag; none when the environment does not say. */
    List<String> imageUris() {
        return registry == null || repository == null
                ? List.of()
                : tags.stream().map(tag -> registry + "/" + repository + ":" + tag).toList();
    }

    /**
     * The first tag's digest, or null when the image is not (or not yet) in ECR or the registry is not ECR.
     *
     * @throws dev.ecrpush.error.RepositoryFailedException when the image may not be read
     */
    String digest(BuildStatus.Registries registries) {
        if (registry == null || repository == null || tags.isEmpty()) {
            return null;
        }
        Matcher host = ECR_REGISTRY.matcher(registry);
        if (!host.matches()) {
            return null;
        }
        String account = host.group(1);
        String region = host.group(2);
        String tag = tags.get(0);
        DescribeImagesResponse response;
        try {
            response = registries.ecr(account, region).describeImages(r -> r.registryId(account)
                    .repositoryName(repository).imageIds(id -> id.imageTag(tag)));
        } catch (ImageNotFoundException | RepositoryNotFoundException e) {
            return null;
        } catch (SdkException e) {
            throw AwsErrorMapping.repository(e, "ecr.DescribeImages", repository + ":" + tag + " in " + account + "/" + region);
        }
        return response.imageDetails().isEmpty() ? null : response.imageDetails().get(0).imageDigest();
    }
}
