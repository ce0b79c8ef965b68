package dev.ecrpush.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.Startup;

import dev.ecrpush.executor.Executors;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.policy.Policy;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.TriggerPayloads;

/**
 * The configuration as the pure stages take it: built once, at start-up (a local file read at most, so
 * SnapStart snapshots it and no invocation pays for it). Eager, so that a bad value stops the function's init
 * with a message naming its key, rather than failing each invocation. Each executor reads and checks its own
 * keys ({@link Executors}); this holds what parsing and planning share.
 */
@ApplicationScoped
@Startup
public class Settings {
    private final PlanConfig planConfig;
    private final ParseSettings parseSettings;
    private final Policy policy;

    @Inject
    public Settings(ServiceConfig config, ObjectMapper json, Executors executors, GitHostRegistry hosts) {
        ServiceConfig.Plugins plugins = config.plugins();
        PlanConfig.PluginImages images = new PlanConfig.PluginImages(image(plugins.kanikoEcrImage(), BuildImage.KANIKO_ECR),
                image(plugins.ecrImage(), BuildImage.ECR), image(plugins.buildxEcrImage(), BuildImage.BUILDX_ECR),
                plugins.registryPrefix().orElse(null),
                plugins.kanikoEcrPlatforms().map(Settings::platforms).orElse(BuildImage.KANIKO_ECR.platforms()));
        this.planConfig = PlanConfig.of(executors.planners()).withImages(images)
                .withBuildkitImage(plugins.buildkitImage().orElse(PlanConfig.DEFAULT_BUILDKIT_IMAGE))
                .withOidcParameterPrefix(config.oidc().parameterPrefix());
        Map<String, JsonNode> connectorStore = config.connectorsFile().map(file -> readConnectors(file, json)).orElse(Map.of());
        this.parseSettings = ParseSettings.of(TriggerType.MANUAL, connectorStore, executors.parsers())
                .withTriggerKeyPrefixes(TriggerPayloads.keyPrefixes(hosts.names()));
        this.policy = Policy.from(config);
    }

    /** The region the function runs in, as Lambda sets it; the default for the build account's region. */
    public static String functionRegion() {
        return System.getenv().getOrDefault("AWS_REGION", "us-east-1");
    }

    /**
     * {@code buildpush.plugins.kaniko-ecr-platforms}: platforms separated by commas, each one a step may name.
     *
     * @throws IllegalStateException naming the key and the entry that is not one
     */
    static List<Platform> platforms(String value) {
        List<Platform> platforms = new ArrayList<>();
        for (String entry : value.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            Platform platform = Platform.parse(entry);
            if (platform == null) {
                throw new IllegalStateException("buildpush.plugins.kaniko-ecr-platforms: \"" + entry.strip() + "\" is not one of "
                        + Platform.SUPPORTED.stream().map(Platform::wire).toList());
            }
            if (!platforms.contains(platform)) {
                platforms.add(platform);
            }
        }
        if (platforms.isEmpty()) {
            throw new IllegalStateException("buildpush.plugins.kaniko-ecr-platforms: names no platform");
        }
        return platforms;
    }

    private static String image(Optional<String> configured, BuildImage image) {
        return configured.orElse(image.defaultReference());
    }

    public PlanConfig planConfig() {
        return planConfig;
    }

    public ParseSettings parseSettings(TriggerType triggerType) {
        return parseSettings.withTriggerType(triggerType);
    }

    /** The deployer's policy ({@code buildpush.policy.*}), checked at start-up. */
    public Policy policy() {
        return policy;
    }

    private static Map<String, JsonNode> readConnectors(String file, ObjectMapper json) {
        try {
            JsonNode root = json.readTree(Files.readAllBytes(Path.of(file)));
            if (!root.isObject()) {
                throw new IllegalStateException("buildpush.connectors-file " + file + " must hold a JSON object of connectors");
            }
            Map<String, JsonNode> connectors = new HashMap<>();
            root.fields().forEachRemaining(e -> connectors.put(e.getKey(), e.getValue()));
            return connectors;
        } catch (IOException e) {
            throw new IllegalStateException("buildpush.connectors-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
