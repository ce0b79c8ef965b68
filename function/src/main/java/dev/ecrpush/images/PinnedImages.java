package dev.ecrpush.images;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.codebuild.model.ExportedEnvironmentVariable;

/**
 * The images the function starts, each pinned by its digest, as the bootstrap build exports them
 * ({@code infra/buildspec-images.yml}) and as the custom resource hands them to the stack ({@code Data}, read with
 * {@code !GetAtt PluginImages.<attribute>}).
 *
 * @param kanikoEcr the kaniko-ecr plugin built on a kaniko image with a shell, in the stack's repository
 * @param ecr       the ecr plugin (docker-in-docker)
 * @param buildxEcr the buildx-ecr plugin (docker-in-docker, with a build cache)
 * @param source    the image ECS tasks fetch the source with
 */
public record PinnedImages(String kanikoEcr, String ecr, String buildxEcr, String source) {
    /** The build's exported variable → the custom resource's attribute, in the order of the record's components. */
    public static final Map<String, String> ATTRIBUTES_BY_VARIABLE = ordered(
            "KANIKO_ECR_IMAGE", "KanikoEcrImage",
            "ECR_IMAGE", "EcrImage",
            "BUILDX_ECR_IMAGE", "BuildxEcrImage",
            "SOURCE_IMAGE", "SourceImage");

    /** A reference that names one image and no other: a name, then {@code @sha256:} and 64 lower-case hex digits. */
    static final Pattern PINNED = Pattern.compile("[^\\s@]+@sha256:[0-9a-f]{64}");

    /**
     * The four images from a build's exported variables.
     *
     * @throws IllegalArgumentException naming the first variable that is missing or not pinned by its digest
     */
    static PinnedImages fromExported(List<ExportedEnvironmentVariable> exported) {
        Map<String, String> values = new LinkedHashMap<>();
        for (ExportedEnvironmentVariable variable : exported) {
            values.put(variable.name(), variable.value());
        }
        String[] pinned = new String[ATTRIBUTES_BY_VARIABLE.size()];
        int i = 0;
        for (String name : ATTRIBUTES_BY_VARIABLE.keySet()) {
            String value = values.get(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException("exported no " + name);
            }
            if (!PINNED.matcher(value).matches()) {
                throw new IllegalArgumentException("exported " + name + "=" + value
                        + ", which is not a reference pinned by its digest (NAME@sha256:<64 hex digits>)");
            }
            pinned[i++] = value;
        }
        return new PinnedImages(pinned[0], pinned[1], pinned[2], pinned[3]);
    }

    /** The custom resource's {@code Data}: attribute → reference. */
    Map<String, String> data() {
        List<String> values = List.of(kanikoEcr, ecr, buildxEcr, source);
        Map<String, String> data = new LinkedHashMap<>();
        int i = 0;
        for (String attribute : ATTRIBUTES_BY_VARIABLE.values()) {
            data.put(attribute, values.get(i++));
        }
        return data;
    }

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
