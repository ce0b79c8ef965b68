package dev.ecrpush.launch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * Reads back the digest ECR holds for a pushed tag, so a caller can pin the exact image a build produced
 * (status requests, and the output of a completed Step Functions task).
 */
public final class ImageDigests {
    private static final Pattern ECR_REGISTRY = Pattern.compile("(\\d{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(\\.cn)?");
    private static final Pattern IMAGE_URI = Pattern.compile("([^/]+)/(.+):([A-Za-z0-9_][A-Za-z0-9_.-]*)");

    private final BuildStatus.Registries registries;

    public ImageDigests(BuildStatus.Registries registries) {
        this.registries = registries;
    }

    /**
     * The digest of {@code registry/repository:tag}; null when the registry is not ECR's or the image is not
     * (yet) there.
     *
     * @throws dev.ecrpush.error.RepositoryFailedException when ECR refuses the read (e.g. another account's
     *                                                     repository without a policy for the function's role)
     * @throws dev.ecrpush.error.ThrottledException        when ECR still throttles after the SDK's retries
     */
    public String digest(String registry, String repository, String tag) {
        Matcher host = ECR_REGISTRY.matcher(registry);
        if (!host.matches()) {
            return null;
        }
        String account = host.group(1);
        String region = host.group(2);
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

    /** The digest of an image URI {@code REGISTRY/REPOSITORY:TAG}; null as for {@link #digest(String, String, String)}. */
    public String digest(String imageUri) {
        Matcher uri = IMAGE_URI.matcher(imageUri);
        return uri.matches() ? digest(uri.group(1), uri.group(2), uri.group(3)) : null;
    }
}
