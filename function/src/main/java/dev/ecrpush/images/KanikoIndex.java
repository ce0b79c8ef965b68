package dev.ecrpush.images;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.ecr.EcrClient;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.registry.ImageIndexWriter;
import dev.ecrpush.step.Platform;

/**
 * The kaniko-ecr image under one tag for every platform: once each platform's build has pushed its image (under its
 * own tag, {@code <tag>-linux-amd64}, {@code <tag>-linux-arm64}), the index over them is written under {@code <tag>}
 * with the same writer, hash check and bytes as a multi-platform step's ({@link ImageIndexWriter}), and the kaniko-ecr
 * image is pinned by the index's digest. The other three images are pinned as the first platform's build pinned them:
 * each by the digest its registry gave for its tag, the published image's own multi-platform index.
 */
final class KanikoIndex {
    private final EcrClient ecr;

    /** @param ecr a client in the function's region, with its credentials: the repository is the stack's */
    KanikoIndex(EcrClient ecr) {
        this.ecr = ecr;
    }

    /** The images to pin, or why there are none. */
    sealed interface Outcome permits Written, Failed {
    }

    /** The index was written: the kaniko-ecr image pinned by its digest, the others as the first build pinned them. */
    record Written(PinnedImages images, String indexDigest) implements Outcome {
    }

    record Failed(String reason) implements Outcome {
    }

    /** @param builds every platform's build, in the index's order (as {@link BootstrapBuild.Built} keeps them) */
    Outcome write(KanikoRepository repository, String tag, Map<Platform, BootstrapBuild.Pinned> builds) {
        Map<Platform, String> digests = new LinkedHashMap<>();
        for (Map.Entry<Platform, BootstrapBuild.Pinned> entry : builds.entrySet()) {
            String pinned = entry.getValue().images().kanikoEcr();
            int at = pinned.indexOf('@');
            // The build pushed into the repository it was given; anything else is not the image to list.
            if (!pinned.substring(0, at).equals(repository.uri())) {
                return new Failed(entry.getKey() + ": build " + entry.getValue().buildId() + " pinned " + pinned
                        + ", which is not in the stack's repository " + repository.uri());
            }
            digests.put(entry.getKey(), pinned.substring(at + 1));
        }
        ImageIndexWriter.Outcome written;
        try {
            written = new ImageIndexWriter(ecr, repository.registryId(), repository.name()).write(digests, List.of(tag));
        } catch (BuildPushException e) {
            return new Failed("the index of the kaniko-ecr image was not written: " + e.getMessage());
        }
        if (written instanceof ImageIndexWriter.Outcome.Refused refused) {
            return new Failed("the index of the kaniko-ecr image was refused: " + refused.reason());
        }
        String digest = ((ImageIndexWriter.Outcome.Written) written).index().digest();
        PinnedImages first = builds.values().iterator().next().images();
        return new Written(new PinnedImages(repository.uri() + "@" + digest, first.ecr(), first.buildxEcr(), first.source()), digest);
    }
}
