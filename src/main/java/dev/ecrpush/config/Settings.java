package dev.ecrpush.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.plan.BuildImage;
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
                new PlanConfig.PluginImages(image(plugins.kanikoEcrImage(), BuildImage.KANIKO_ECR),
                        image(plugins.ecrImage(), BuildImage.ECR), image(plugins.buildxEcrImage(), BuildImage.BUILDX_ECR),
                        plugins.registryPrefix().orElse(null)),
                plugins.buildkitImage().orElse(PlanConfig.DEFAULT_BUILDKIT_IMAGE), config.oidc().parameterPrefix(),
                config.codebuild().sourceTypes(),
                ecs(config.ecs()));
        this.executorDefaults = new ParseSettings.ExecutorDefaults(config.codebuild().project(),
                config.codebuild().dockerProject().orElse(null), config.ecs().cluster().orElse(null), config.ecs().subnets().orElse(List.of()),
                config.ecs().securityGroups().orElse(List.of()), config.ecs().assignPublicIp());
        this.connectorStore = config.connectorsFile().map(file -> readConnectors(file, json)).orElse(Map.of());
    }

    /** The region the function runs in, as Lambda sets it; the default for the build account's region. */
    public static String functionRegion() {
        return System.getenv().getOrDefault("AWS_REGION", "us-east-1");
    }

    private static PlanConfig.Ecs ecs(ServiceConfig.Ecs ecs) {
        if (!ecs.taskFamily().matches("[A-Za-z0-9_-]{1,238}")) {
            throw new IllegalStateException("buildpush.ecs.task-family must be 1 to 238 letters, digits, - or _");
        }
        if (ecs.defaultTimeout().isNegative() || ecs.defaultTimeout().isZero()) {
            throw new IllegalStateException("buildpush.ecs.default-timeout must be positive");
        }
        return new PlanConfig.Ecs(ecs.taskFamily(), image(ecs.sourceImage(), BuildImage.GIT_SOURCE), ecs.executionRoleArn().orElse(null),
                ecs.taskRoleArn().orElse(null), ecs.logGroup(), ecs.region().orElseGet(Settings::functionRegion),
                ecs.gitTokenRef().map(Settings::gitTokenValueFrom).orElse(null), ecs.gitUsername(), ecs.defaultTimeout());
    }

    private static String image(Optional<String> configured, BuildImage image) {
        return configured.orElse(image.defaultReference());
    }

    /** A Git token reference as ECS reads it: a parameter by its name, a secret by its full ARN. */
    private static String gitTokenValueFrom(String ref) {
        if (ref.matches("ssm:/[A-Za-z0-9_.\\-/]{1,2047}")) {
            return ref.substring("ssm:".length());
        }
        if (ref.matches("arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+")) {
            return ref;
        }
        throw new IllegalStateException("buildpush.ecs.git-token-ref must be a Secrets Manager secret ARN or ssm:/path");
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
