package dev.ecrpush.bench;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.e2e.PackagedFunction;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;

/** The benchmark's own arithmetic and the baseline's event; the measuring itself is run by scripts/benchmark. */
class StartupBenchmarkTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void percentiles_areNearestRank() {
        List<Double> values = List.of(5.0, 1.0, 4.0, 2.0, 3.0);
        assertEquals(3.0, StartupBenchmark.percentile(values, 50));
        assertEquals(5.0, StartupBenchmark.percentile(values, 99));
        assertEquals(5.0, StartupBenchmark.percentile(values, 100));
        assertEquals(1.0, StartupBenchmark.percentile(values, 1));
        assertEquals(7.0, StartupBenchmark.percentile(List.of(7.0), 50));
    }

    @Test
    void theBaseline_getsTheSameBytes_asTheBodyOfAnHttpApiPost() throws IOException {
        byte[] body = "{\"mode\":\"plan\"}".getBytes();
        JsonNode event = JSON.readTree(StartupBenchmark.httpEvent(body));
        assertEquals("2.0", event.path("version").asText());
        assertEquals("POST", event.at("/requestContext/http/method").asText());
        assertEquals("/hello", event.path("rawPath").asText());
        assertEquals("{\"mode\":\"plan\"}", event.path("body").asText());
        assertEquals(false, event.path("isBase64Encoded").asBoolean());
    }

    /**
     * The zip's setup the benchmark shares with the zip tests finds its files from the repository root, whatever the
     * directory the benchmark runs in (this module's, here): the tests' policy read from a path relative to the
     * function module once stopped the benchmark before its first run.
     */
    @Test
    void thePackagedFunctionsSetup_isFoundFromTheBenchmarksDirectory() {
        assertFalse(PackagedFunction.TEST_POLICY.isEmpty());
    }

    /** The run whose AWS calls the benchmark counts is stubbed with what this module's classpath carries. */
    @Test
    void theRunScenario_isStubbedWithTheBenchmarksClasspath() {
        AwsFake aws = new AwsFake();
        try {
            assertDoesNotThrow(() -> KnownTargetScenario.stub(aws, true));
        } finally {
            aws.close();
        }
    }
}
