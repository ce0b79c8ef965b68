package dev.ecrpush.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageTagAlreadyExistsException;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.step.Platform;

/**
 * Writes a multi-platform step's index into the target repository once every platform's build has pushed: each
 * child is read by the digest its build reported ({@code BatchGetImage}, one call for all), and the index is put
 * under every requested tag ({@code PutImage}, one call per tag, {@code imageManifestMediaType} set). Writing the
 * same index again changes nothing (ECR answers {@code ImageAlreadyExistsException}), so any event may write it.
 */
public final class ImageIndexWriter {
    private static final Logger LOG = Logger.getLogger(ImageIndexWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What became of the index: written under every tag, or why it never will be (the build then fails). */
    public sealed interface Outcome {
        record Written(ImageIndex index) implements Outcome {
        }

        /** A fact no retry changes: a child is missing or not what its build reported, or an immutable tag is taken. */
        record Refused(String reason) implements Outcome {
        }
    }

    private final EcrClient ecr;
    private final String registryId;
    private final String repository;

    /**
     * @param ecr        a client with the target account's credentials, in its region
     * @param registryId the target account
     */
    public ImageIndexWriter(EcrClient ecr, String registryId, String repository) {
        this.ecr = ecr;
        this.registryId = registryId;
        this.repository = repository;
    }

    /**
     * @param digests each platform's image digest as its build reported it, in the step's platform order
     * @param tags    the step's tags
     * @throws dev.ecrpush.error.BuildPushException when ECR fails or throttles (a retry may succeed)
     */
    public Outcome write(Map<Platform, String> digests, List<String> tags) {
        List<ImageIndex.Child> children = new ArrayList<>();
        BatchGetImageResponse found;
        try {
            List<ImageIdentifier> ids = digests.values().stream()
                    .map(d -> ImageIdentifier.builder().imageDigest(d).build()).toList();
            found = ecr.batchGetImage(r -> r.registryId(registryId).repositoryName(repository).imageIds(ids)
                    .acceptedMediaTypes(ImageIndex.MANIFEST_TYPES));
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "ecr.BatchGetImage", repository);
        }
        for (Map.Entry<Platform, String> entry : digests.entrySet()) {
            Image image = found.images().stream().filter(i -> entry.getValue().equals(i.imageId().imageDigest())).findFirst()
                    .orElse(null);
            if (image == null) {
                return new Outcome.Refused(entry.getKey() + ": its image " + entry.getValue() + " is not in " + repository);
            }
            try {
                children.add(child(entry.getKey(), entry.getValue(), image));
            } catch (Refusal refusal) {
                return new Outcome.Refused(refusal.getMessage());
            }
        }
        ImageIndex index = ImageIndex.of(children);
        for (String tag : tags) {
            try {
                ecr.putImage(r -> r.registryId(registryId).repositoryName(repository).imageTag(tag)
                        .imageManifest(index.manifest()).imageManifestMediaType(index.mediaType()).imageDigest(index.digest()));
                LOG.infof("wrote the index %s of %d platform(s) as %s:%s", index.digest(), children.size(), repository, tag);
            } catch (ImageAlreadyExistsException already) {
                // This index has that tag already: written by an earlier event or status request.
            } catch (ImageTagAlreadyExistsException immutable) {
                return new Outcome.Refused("tag " + tag + " of " + repository + " is immutable and names another image;"
                        + " the index " + index.digest() + " was not put under it");
            } catch (SdkException e) {
                throw AwsFailures.repository(e, "ecr.PutImage", repository + ":" + tag);
            }
        }
        return new Outcome.Written(index);
    }

    /**
     * The descriptor of a platform's image: the manifest its build pushed, or, when the build pushed an index of
     * its own (buildx adds attestation manifests), that index's entry for the platform. A child or an index
     * entry whose bytes do not hash to its digest is refused rather than described wrongly.
     */
    private static ImageIndex.Child child(Platform platform, String digest, Image image) {
        String manifest = image.imageManifest();
        String mediaType = image.imageManifestMediaType();
        if (manifest == null || !digest.equals(ImageIndex.digestOf(manifest))) {
            throw new Refusal(platform + ": the manifest ECR returned for " + digest + " does not hash to that digest");
        }
        if (!ImageIndex.isIndex(mediaType)) {
            return new ImageIndex.Child(platform, mediaType, manifest.getBytes(StandardCharsets.UTF_8).length, digest);
        }
        try {
            for (JsonNode entry : JSON.readTree(manifest).path("manifests")) {
                JsonNode of = entry.path("platform");
                if (platform.os().equals(of.path("os").asText()) && platform.architecture().equals(of.path("architecture").asText())
                        && entry.path("digest").isTextual() && entry.path("size").canConvertToLong()) {
                    return new ImageIndex.Child(platform, entry.path("mediaType").asText(ImageIndex.OCI_MANIFEST),
                            entry.path("size").asLong(), entry.path("digest").asText());
                }
            }
        } catch (IOException e) {
            throw new Refusal(platform + ": the index its build pushed (" + digest + ") is not JSON");
        }
        throw new Refusal(platform + ": the index its build pushed (" + digest + ") has no image for " + platform);
    }

    /** Why a child cannot be listed; caught in {@link #write}, never thrown out of it. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refusal(String reason) {
            super(reason, null, false, false);
        }
    }
}
