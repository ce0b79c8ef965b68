package dev.ecrpush.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;

/** Fixture files next to the tests, and the default settings they are written against. */
public final class Fixtures {
    public static final ObjectMapper JSON = new ObjectMapper();
    public static final ParseSettings SETTINGS = new ParseSettings("manual", Map.of(),
            new ParseSettings.ExecutorDefaults("ecr-build-push", null, List.of(), List.of(), false));

    private Fixtures() {
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
        return Planner.plan(parse(payload), PlanConfig.defaults());
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
