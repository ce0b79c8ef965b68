package dev.ecrpush.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.Startup;

import software.amazon.awssdk.services.codebuild.model.SourceType;

import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.step.ParseSettings;

/**
 * The configuration as the pure stages take it: built once, at start-up (a local file read at most, so
 * SnapStart snapshots it and no invocation pays for it). Eager, so that a bad value stops the function's init
 * with a message naming its key, rather than failing each invocation.
 */
@ApplicationScoped
@Startup
public class Settings {
    /** A DNS host name, lower case: what {@code URI.getHost()} of a clone URL is compared with. */
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    /** CodeBuild's source types of Git hosts, sorted; S3, CodePipeline and NO_SOURCE are not Git hosts. */
    private static final List<String> GIT_SOURCE_TYPES = SourceType.knownValues().stream()
            .filter(type -> type != SourceType.S3 && type != SourceType.CODEPIPELINE && type != SourceType.NO_SOURCE)
            .map(SourceType::toString).sorted().toList();

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
                config.codebuild().gitHosts().map(Settings::gitHosts).orElse(Map.of()), ecs(config.ecs()));
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

    /**
     * {@code buildpush.codebuild.git-hosts}: comma-separated {@code host=SOURCE_TYPE} entries, as CodeBuild source
     * types by lower-cased host name. Blanks around entries and an empty entry are allowed; anything else that is
     * not a host name and a Git source type CodeBuild knows fails the start, naming the key and every bad entry.
     */
    public static Map<String, String> gitHosts(String value) {
        Map<String, String> types = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String entry : value.split(",")) {
            entry = entry.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                problems.add("\"" + entry + "\" is not a host=SOURCE_TYPE entry");
                continue;
            }
            String host = entry.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String type = entry.substring(equals + 1).strip();
            if (!HOST.matcher(host).matches()) {
                problems.add("\"" + host + "\" is not a host name (the clone URL's host alone: no scheme, port or path)");
            } else if (!GIT_SOURCE_TYPES.contains(type)) {
                problems.add("\"" + type + "\" (for " + host + ") is not a CodeBuild source type of a Git host ("
                        + String.join(", ", GIT_SOURCE_TYPES) + ")");
            } else if (types.putIfAbsent(host, type) != null) {
                problems.add(host + " is given twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("buildpush.codebuild.git-hosts: " + String.join("; ", problems));
        }
        return types;
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
