package dev.ecrpush.launch;

import java.util.Arrays;
import java.util.List;
import java.util.Map;


/**
 * The images a build pushes, read back from its plugin environment ({@code PLUGIN_REGISTRY}, {@code PLUGIN_REPO},
 * {@code PLUGIN_TAGS}) as it was started, since a status request carries nothing else. Their digest is the
 * build's own report ({@link PushedDigest}).
 */
final class PushedImages {
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
}
