package dev.ecrpush.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.Warning;
import dev.ecrpush.support.Fixtures;

/**
 * The mapping, table-driven: every file in {@code plans/} is a payload and the exact plugin image,
 * environment, secret environment and warning paths it must give (the plugin-contract vectors and each
 * deliberate difference from the manager).
 */
class PlanFixturesTest {
    @TestFactory
    Stream<DynamicTest> everyFixtureMapsExactly() {
        return Fixtures.files("plans").stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
    }

    private static void check(Path file) throws Exception {
        // given
        JsonNode fixture = Fixtures.read(file);
        JsonNode expected = fixture.get("expected");
        // when
        Plan plan = Fixtures.plan(fixture.get("payload"));
        // then
        String description = file.getFileName() + ": " + fixture.path("description").asText();
        assertEquals(expected.get("pluginImage").asText(), plan.pluginImage(), description);
        assertEquals(strings(expected.get("env")), new TreeMap<>(plan.env().plain()), description);
        assertEquals(strings(expected.get("secretEnv")), new TreeMap<>(plan.env().secretDisplay()), description);
        Set<String> warningPaths = new TreeSet<>();
        plan.warnings().stream().map(Warning::path).forEach(warningPaths::add);
        Set<String> expectedWarnings = new TreeSet<>();
        expected.path("warnings").forEach(w -> expectedWarnings.add(w.asText()));
        assertEquals(expectedWarnings, warningPaths, description + " (warnings: " + plan.warnings() + ")");

        String result = Fixtures.JSON.writeValueAsString(StepResult.planned(plan));
        for (JsonNode secret : fixture.path("secretsNeverLogged")) {
            assertFalse(result.contains(secret.asText()), description + ": a secret value is in the result");
        }
        if (fixture.get("payload").hasNonNull("oidcToken")) {
            assertFalse(result.contains(fixture.get("payload").get("oidcToken").asText()),
                    description + ": the OIDC token is in the result");
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new TreeMap<>();
        if (object != null) {
            object.fields().forEachRemaining(e -> map.put(e.getKey(), e.getValue().asText()));
        }
        return map;
    }
}
