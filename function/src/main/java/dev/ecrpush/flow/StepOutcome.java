package dev.ecrpush.flow;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.result.StepResult;

/** What a step payload came to. */
public sealed interface StepOutcome {
    /** Planned, checked or started now. */
    record Finished(StepResult result) implements StepOutcome {
    }

    /** A run with the same idempotency key had finished: its result as it was, with {@code "duplicate": true}. */
    record Duplicate(ObjectNode firstResult) implements StepOutcome {
    }

    /** A run with the same idempotency key is still under way: nothing was started. */
    record InProgress(String idempotencyKey, Instant since) implements StepOutcome {
    }
}
