package dev.ecrpush.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

import dev.ecrpush.config.ServiceConfig;

import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.executor.ecs.EcsSettings;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.policy.Policy;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSetParser;

/** Fixture files next to the tests, and the default settings they are written against. */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** The executors with their default settings and no AWS clients: parsing and planning need none. */
    public static final CodeBuildExecutor CODEBUILD = new CodeBuildExecutor(CodeBuildSettings.defaults(), null);
    public static final EcsExecutor ECS = new EcsExecutor(EcsSettings.defaults(), null, Clock.systemUTC());
    public static final ParseSettings SETTINGS = ParseSettings.of(TriggerType.MANUAL, Map.of(), List.of(CODEBUILD, ECS));

    private Fixtures() {
    }

    /**
     * The deployer's policy with every key unset: the function's defaults. Built on first use, not with this class:
     * reading a configuration mapping needs classes the benchmark, which shares these fixtures, does not carry.
     */
    public static Policy policy() {
        return DefaultPolicy.POLICY;
    }

    private static final class DefaultPolicy {
        static final Policy POLICY = Policy.from(config(Map.of()));
    }

    /** Every {@code *.json} file in a folder of {@code src/test/resources}, sorted by name. */
    public static List<Path> files(String folder) {
        return jsonFiles(Path.of("src/test/resources", folder));
    }

    /** Every {@code *.json} file in {@code dir}, sorted by name; none when the folder does not exist. */
    public static List<Path> jsonFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static StepPayload parse(JsonNode payload) {
        return StepParser.parse(payload, SETTINGS);
    }

    public static Plan plan(JsonNode payload) {
        return Planner.plan(parse(payload), planConfig());
    }

    /** The default images and prefixes, with the executors above. */
    public static PlanConfig planConfig() {
        return PlanConfig.of(List.of(CODEBUILD, ECS));
    }

    /** The default images and prefixes, with executors of these settings. */
    public static PlanConfig planConfig(CodeBuildSettings codeBuild, EcsSettings ecs) {
        return PlanConfig.of(List.of(new CodeBuildExecutor(codeBuild, null), new EcsExecutor(ecs, null, Clock.systemUTC())));
    }

    /** The Git host a test's token is for, when it gives one. */
    public static final String GIT_TOKEN_HOST = "git.example.com";

    /** ECS settings as the tests give them: no default cluster or network; a token is for {@link #GIT_TOKEN_HOST}. */
    public static EcsSettings ecsSettings(String taskFamily, String sourceImage, String executionRoleArn, String taskRoleArn,
            String logGroup, String region, String gitTokenRef, String gitUsername, java.time.Duration defaultTimeout) {
        return new EcsSettings(null, List.of(), List.of(), false, taskFamily, sourceImage, executionRoleArn, taskRoleArn,
                logGroup, region, gitTokenRef, gitUsername, defaultTimeout, gitTokenRef == null ? null : GIT_TOKEN_HOST);
    }

    /** {@link #SETTINGS} with executors of these settings. */
    public static ParseSettings parseSettings(CodeBuildSettings codeBuild, EcsSettings ecs) {
        return ParseSettings.of(TriggerType.MANUAL, Map.of(),
                List.of(new CodeBuildExecutor(codeBuild, null), new EcsExecutor(ecs, null, Clock.systemUTC())));
    }

    /**
     * The configuration as Lambda's environment would give it ({@code BUILDPUSH_POLICY_TARGET_ACCOUNTS=...}), read
     * through the function's own mapping, with Quarkus' reading of durations.
     */
    public static ServiceConfig config(Map<String, String> environment) {
        return new SmallRyeConfigBuilder().withMapping(ServiceConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new EnvConfigSource(environment, 300)).build().getConfigMapping(ServiceConfig.class);
    }

    /**
     * A trigger set of {@code src/test/resources/triggers}, as the trigger source would load it.
     *
     * @throws IllegalStateException when the set is not valid
     */
    public static TriggerSet triggers(String file) {
        TriggerSetParser.Result result = TriggerSetParser.parse(read(Path.of("src/test/resources/triggers", file)), SETTINGS,
                new GitHostRegistry(), policy());
        if (result instanceof TriggerSetParser.Result.Valid valid) {
            return valid.set();
        }
        throw new IllegalStateException(file + ": " + ((TriggerSetParser.Result.Invalid) result).problems());
    }

    /** A small valid payload to vary in tests: K8, manual keys, one tag. */
    public static com.fasterxml.jackson.databind.node.ObjectNode basePayload() {
        try {
            return (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree("""
                    {"mode": "plan", "infra": "K8",
                     "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                              "spec": {"connectorRef": "aws", "region": "us-east-1", "account": "123456789012",
                                       "imageName": "app", "tags": ["latest"]}},
                     "connectors": {"aws": {"type": "Aws", "spec": {"credential": {"type": "ManualConfig",
                         "spec": {"accessKey": "AKIAEXAMPLE",
                                  "secretKeyRef": "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/aws"}}}}}}
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
