package dev.ecrpush.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.step.ParseSettings;

/**
 * The configuration as the pure stages take it: built once, at start-up (a local file read at most, so
 * SnapStart snapshots it and no invocation pays for it).
 */
@ApplicationScoped
public class Settings {
    private final PlanConfig planConfig;
    private final ParseSettings.ExecutorDefaults executorDefaults;
    private final Map<String, JsonNode> connectorStore;

    @Inject
    public Settings(ServiceConfig config, ObjectMapper json) {
        ServiceConfig.Plugins plugins = config.plugins();
        this.planConfig = new PlanConfig(
                new PlanConfig.PluginImages(plugins.kanikoEcrImage(), plugins.ecrImage(), plugins.buildxEcrImage(),
                        plugins.registryPrefix().orElse(null)),
                plugins.buildkitImage(), config.oidc().parameterPrefix(), config.codebuild().sourceTypes(),
                config.ecs().taskFamily());
        this.executorDefaults = new ParseSettings.ExecutorDefaults(config.codebuild().project(),
                config.codebuild().dockerProject().orElse(null), config.ecs().cluster().orElse(null), config.ecs().subnets().orElse(List.of()),
                config.ecs().securityGroups().orElse(List.of()), config.ecs().assignPublicIp());
        this.connectorStore = config.connectorsFile().map(file -> readConnectors(file, json)).orElse(Map.of());
    }

    public PlanConfig planConfig() {
        return planConfig;
    }

    public ParseSettings parseSettings(String triggerType) {
        return new ParseSettings(triggerType, connectorStore, executorDefaults);
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
