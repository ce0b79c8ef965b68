package dev.ecrpush.launch;

import java.util.List;
import java.util.Map;

import dev.ecrpush.plan.PluginVar;


/**
 * The images a build pushes, read back from its plugin environment ({@code PLUGIN_REGISTRY}, {@code PLUGIN_REPO},
 * {@code PLUGIN_TAGS}) as it was started, since a status request carries nothing else. Their digest is the
 * build's own report ({@link PushedDigest}).
 */
public final class PushedImages {
    private final String registry;
    private final String repository;
    private final List<String> tags;

    public PushedImages(Map<String, String> pluginEnv) {
        this.registry = pluginEnv.get(PluginVar.REGISTRY.variable());
        this.repository = pluginEnv.get(PluginVar.REPO.variable());
        String tags = pluginEnv.get(PluginVar.TAGS.variable());
        // Read back as the plugin reads it.
        this.tags = tags == null ? List.of() : PluginVar.TAGS.encoding().decode(tags);
    }

    /** {@code registry/repository:tag} for each tag; none when the environment does not say. */
    public List<String> imageUris() {
        return registry == null || repository == null
                ? List.of()
                : tags.stream().map(tag -> registry + "/" + repository + ":" + tag).toList();
    }
}
