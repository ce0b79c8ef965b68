package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/** A gate needs the idempotency table: without one, the step is refused naming the field, before any AWS call. */
class ScanGatesRefusalTest {
    static final AwsFake AWS = new AwsFake();

    @AfterAll
    static void close() {
        AWS.close();
    }

    @Test
    void aGatedStep_withoutAnIdempotencyTable_isRefusedNamingTheField_withNoAwsCall() {
        // given: a function configured without the table
        ServiceConfig config = Fixtures.config(Map.of());
        IdempotencyTables tables = new IdempotencyTables(AWS.clients(), config);
        ScanGates gates = new ScanGates(tables, AWS.clients(), new CredentialsResolver(AWS.clients(), config));
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.at("/step/spec")).putObject("scanGate").put("maxSeverity", "HIGH");
        Plan plan = Fixtures.plan(payload);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> gates.requireRunnable(plan));
        // then
        assertTrue(e.problems().get(0).startsWith("step.spec.scanGate: "), e.getMessage());
        assertTrue(e.getMessage().contains("buildpush.idempotency.table"), e.getMessage());
        assertEquals(List.of(), AWS.calls());
        // and a step without a gate needs nothing
        gates.requireRunnable(Fixtures.plan(Fixtures.basePayload()));
    }
}
