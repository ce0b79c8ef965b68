package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.plan.Plan;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.support.Fixtures;

/** {@code step.spec.scanGate}: its defaults, its bar, and the plan showing it (the refusals are invalid/95-99). */
class ScanGateSpecTest {
    @Test
    void aGateNamingOnlyItsBarWaitsThirtyMinutesAndCountsEveryFinding() {
        // given
        ObjectNode payload = Fixtures.basePayload();
        spec(payload).putObject("scanGate").put("maxSeverity", "medium");
        // when
        ScanGate gate = Fixtures.parse(payload).step().spec().scanGate();
        // then
        assertEquals(new ScanGate(ScanGate.Severity.MEDIUM, false, Duration.ofMinutes(30), false), gate);
    }

    @Test
    void everyFieldIsReadAsWritten() {
        // given
        ObjectNode payload = Fixtures.basePayload();
        spec(payload).putObject("scanGate").put("maxSeverity", "NONE").put("ignoreUnfixed", true).put("timeout", "1h30m")
                .put("untagOnFailure", "true");
        // when
        ScanGate gate = Fixtures.parse(payload).step().spec().scanGate();
        // then
        assertEquals(new ScanGate(ScanGate.Severity.NONE, true, Duration.ofMinutes(90), true), gate);
    }

    @Test
    void aStepWithoutAGateHasNone() {
        assertNull(Fixtures.parse(Fixtures.basePayload()).step().spec().scanGate());
    }

    @Test
    void unknownSeveritiesRankAsCriticalSoTheGateFailsClosed() {
        // given
        ScanGate high = new ScanGate(ScanGate.Severity.HIGH, false, Duration.ofMinutes(30), false);
        // then
        assertTrue(high.exceeds(ScanGate.Severity.ofFinding("UNDEFINED")));
        assertTrue(high.exceeds(ScanGate.Severity.ofFinding("UNTRIAGED")));
        assertTrue(high.exceeds(ScanGate.Severity.ofFinding(null)));
        assertTrue(high.exceeds(ScanGate.Severity.ofFinding("CRITICAL")));
        assertFalse(high.exceeds(ScanGate.Severity.ofFinding("HIGH")));
        assertFalse(high.exceeds(ScanGate.Severity.ofFinding("INFORMATIONAL")));
    }

    @Test
    void thePlanShowsTheGate() {
        // given
        ObjectNode payload = Fixtures.basePayload();
        spec(payload).putObject("scanGate").put("maxSeverity", "HIGH").put("timeout", "10m");
        Plan plan = Fixtures.plan(payload);
        // when
        JsonNode view = StepResult.view(plan).get("scanGate");
        // then
        assertEquals("HIGH", view.get("maxSeverity").asText());
        assertEquals(600, view.get("timeoutSeconds").asInt());
        assertFalse(view.get("ignoreUnfixed").asBoolean());
        assertFalse(view.get("untagOnFailure").asBoolean());
        assertNull(StepResult.view(Fixtures.plan(Fixtures.basePayload())).get("scanGate"));
    }

    private static ObjectNode spec(ObjectNode payload) {
        return (ObjectNode) payload.get("step").get("spec");
    }
}
