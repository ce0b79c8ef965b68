package dev.ecrpush.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.plan.Hashing;
import dev.ecrpush.step.Platform;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.OciIndexSchema;

/** The index the function writes over a multi-platform step's images, against the OCI image index schema. */
class ImageIndexTest {
    private static final String AMD = "sha256:" + "a".repeat(64);
    private static final String ARM = "sha256:" + "b".repeat(64);

    @Test
    void dockerImages_makeAManifestList_thatValidates_withEachChildsDigestSizeAndPlatform() throws Exception {
        // when
        ImageIndex index = ImageIndex.of(List.of(new ImageIndex.Child(Platform.LINUX_AMD64, ImageIndex.DOCKER_MANIFEST, 528, AMD),
                new ImageIndex.Child(Platform.LINUX_ARM64, ImageIndex.DOCKER_MANIFEST, 530, ARM)));
        // then
        JsonNode json = Fixtures.JSON.readTree(index.manifest());
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(json)));
        assertEquals(ImageIndex.DOCKER_LIST, index.mediaType());
        assertEquals(ImageIndex.DOCKER_LIST, json.get("mediaType").asText());
        assertEquals(Fixtures.JSON.readTree("""
                [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": "%s", "size": 528,
                  "platform": {"architecture": "amd64", "os": "linux"}},
                 {"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": "%s", "size": 530,
                  "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}]""".formatted(AMD, ARM)),
                json.get("manifests"));
        assertEquals("sha256:" + Hashing.sha256(index.manifest()), index.digest());
    }

    @Test
    void anOciImage_makesAnOciIndex_thatValidates() throws Exception {
        ImageIndex index = ImageIndex.of(List.of(new ImageIndex.Child(Platform.LINUX_AMD64, ImageIndex.OCI_MANIFEST, 700, AMD),
                new ImageIndex.Child(Platform.LINUX_ARM64, ImageIndex.DOCKER_MANIFEST, 530, ARM)));
        JsonNode json = Fixtures.JSON.readTree(index.manifest());
        assertEquals(ImageIndex.OCI_INDEX, index.mediaType());
        assertEquals(ImageIndex.OCI_INDEX, json.get("mediaType").asText());
        assertTrue(OciIndexSchema.validate(json).isEmpty(), OciIndexSchema.validate(json).toString());
    }

    @Test
    void sameChildren_sameBytes_sameDigest() {
        List<ImageIndex.Child> children = List.of(new ImageIndex.Child(Platform.LINUX_AMD64, ImageIndex.DOCKER_MANIFEST, 528, AMD));
        assertEquals(ImageIndex.of(children).manifest(), ImageIndex.of(List.copyOf(children)).manifest());
        assertThrows(IllegalArgumentException.class, () -> ImageIndex.of(List.of()));
    }

    @Test
    void theSchema_refusesAnIndexWithoutPlatformOsOrWithABadDigest() throws Exception {
        // A control: the validator really applies the OCI schema and its references.
        ImageIndex index = ImageIndex.of(List.of(new ImageIndex.Child(Platform.LINUX_AMD64, ImageIndex.DOCKER_MANIFEST, 528, AMD)));
        ObjectNode noOs = (ObjectNode) Fixtures.JSON.readTree(index.manifest());
        ((ObjectNode) noOs.at("/manifests/0/platform")).remove("os");
        assertFalse(OciIndexSchema.validate(noOs).isEmpty());
        ObjectNode badDigest = (ObjectNode) Fixtures.JSON.readTree(index.manifest());
        ((ObjectNode) badDigest.at("/manifests/0")).put("digest", "not a digest");
        assertFalse(OciIndexSchema.validate(badDigest).isEmpty());
        ObjectNode badVersion = (ObjectNode) Fixtures.JSON.readTree(index.manifest());
        badVersion.put("schemaVersion", 1);
        assertFalse(OciIndexSchema.validate(badVersion).isEmpty());
    }
}
