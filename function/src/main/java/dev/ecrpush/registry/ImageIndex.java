package dev.ecrpush.registry;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.plan.Hashing;
import dev.ecrpush.step.Platform;

/**
 * The index a multi-platform step's tags name: one descriptor per platform's image, as its build pushed it. Pure:
 * the same children give the same bytes, so the same digest, however often (and by whichever event) it is made.
 *
 * <p>Which kind: a Docker manifest list when every child is a Docker image manifest (kaniko and docker push those
 * by default), otherwise an OCI image index, since an OCI index may list either kind and a Docker list may not
 * list OCI manifests.
 *
 * @param mediaType {@link #OCI_INDEX} or {@link #DOCKER_LIST}, sent as ECR's {@code imageManifestMediaType}
 * @param manifest  the index as sent, in UTF-8
 * @param digest    {@code sha256:} of those bytes: what the registry names it by
 */
public record ImageIndex(String mediaType, String manifest, String digest, List<Child> children) {
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";

    /** Every manifest type the plugins push, so that ECR hands a manifest back as it was pushed. */
    public static final List<String> MANIFEST_TYPES = List.of(DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX);

    private static final ObjectMapper JSON = new ObjectMapper();

    public ImageIndex {
        children = List.copyOf(children);
    }

    /**
     * One platform's image: the descriptor the index lists for it.
     *
     * @param mediaType the image manifest's media type, as the registry serves it
     * @param size      the manifest's length in bytes
     */
    public record Child(Platform platform, String mediaType, long size, String digest) {
    }

    /** Whether a media type is an index or a list (a build that pushed one per platform, e.g. with attestations). */
    public static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
    }

    /** The index of {@code children}, in their order (the step's {@code platforms} order). */
    public static ImageIndex of(List<Child> children) {
        if (children.isEmpty()) {
            throw new IllegalArgumentException("an index lists at least one image");
        }
        boolean allDocker = children.stream().allMatch(c -> DOCKER_MANIFEST.equals(c.mediaType()));
        String mediaType = allDocker ? DOCKER_LIST : OCI_INDEX;
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType);
        ArrayNode manifests = index.putArray("manifests");
        for (Child child : children) {
            ObjectNode descriptor = manifests.addObject();
            descriptor.put("mediaType", child.mediaType());
            descriptor.put("digest", child.digest());
            descriptor.put("size", child.size());
            ObjectNode platform = descriptor.putObject("platform");
            platform.put("architecture", child.platform().architecture());
            platform.put("os", child.platform().os());
            if (child.platform().variant() != null) {
                platform.put("variant", child.platform().variant());
            }
        }
        String text;
        try {
            text = JSON.writeValueAsString(index);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an object of strings and numbers is always JSON", e);
        }
        return new ImageIndex(mediaType, text, digestOf(text), children);
    }

    /** {@code sha256:<hex>} of the text's UTF-8 bytes, as a registry names a manifest. */
    public static String digestOf(String manifest) {
        return "sha256:" + HexFormat.of().formatHex(Hashing.sha256(manifest.getBytes(StandardCharsets.UTF_8)));
    }
}
