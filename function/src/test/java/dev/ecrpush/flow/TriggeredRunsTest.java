package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.same;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.ErrorBody;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.policy.Allowlist;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Fixtures;

/**
 * What one trigger's build came to, as a webhook answer or a schedule lists it: every outcome of the step, and
 * every failure, becomes an entry; nothing is thrown.
 */
@ExtendWith(MockitoExtension.class)
class TriggeredRunsTest {
    private static final String REF = "refs/heads/main";

    @Mock
    StepService steps;

    private TriggeredRuns runs;
    private final ObjectNode payload = Fixtures.basePayload();

    @BeforeEach
    void setUp() {
        runs = new TriggeredRuns(steps);
    }

    @Test
    void finishedStep_isListedWithItsResultsStatus() {
        // given
        StepResult result = StepResult.planned(Fixtures.plan(Fixtures.basePayload()));
        when(steps.submit(payload, TriggerType.WEBHOOK, Narrowing.NONE)).thenReturn(new StepOutcome.Finished(result));
        // when
        TriggeredBuild build = runs.submit("app", REF, payload, TriggerType.WEBHOOK, Narrowing.NONE);
        // then
        assertEquals(new TriggeredBuild("app", REF, StepResult.PLANNED, result, null, null), build);
    }

    @Test
    void duplicate_isListedAsDuplicate_withTheFirstResult() {
        // given
        ObjectNode first = Fixtures.JSON.createObjectNode().put("status", "STARTED").put("duplicate", true);
        when(steps.submit(payload, TriggerType.WEBHOOK, Narrowing.NONE)).thenReturn(new StepOutcome.Duplicate(first));
        // when
        TriggeredBuild build = runs.submit("app", REF, payload, TriggerType.WEBHOOK, Narrowing.NONE);
        // then
        assertEquals("DUPLICATE", build.status());
        assertSame(first, build.result());
        assertNull(build.error());
    }

    @Test
    void runInProgress_isListedAsInProgress_withNoResult() {
        // given
        when(steps.submit(payload, TriggerType.WEBHOOK, Narrowing.NONE))
                .thenReturn(new StepOutcome.InProgress("github/d-1/app/refs/heads/main", Instant.parse("2025-06-01T12:00:00Z")));
        // when
        TriggeredBuild build = runs.submit("app", REF, payload, TriggerType.WEBHOOK, Narrowing.NONE);
        // then
        assertEquals(new TriggeredBuild("app", REF, "IN_PROGRESS", null, null, null), build);
    }

    @Test
    void typedFailure_isListedAsFailed_withItsErrorBody() {
        // given
        LaunchFailedException refused = new LaunchFailedException("codebuild:StartBuild: project ecr-build-push not found");
        when(steps.submit(payload, TriggerType.WEBHOOK, Narrowing.NONE)).thenThrow(refused);
        // when
        TriggeredBuild build = runs.submit("app", REF, payload, TriggerType.WEBHOOK, Narrowing.NONE);
        // then
        assertEquals("FAILED", build.status());
        assertEquals(new ErrorBody("LaunchFailedException", "codebuild:StartBuild: project ecr-build-push not found", false),
                build.error());
        assertSame(refused, build.failure());
        assertNull(build.result());
    }

    @Test
    void unexpectedFailure_isAnInternalError_thatDoesNotQuoteTheOriginalMessage() {
        // given: a message that could quote the payload
        when(steps.submit(any(), any(), any())).thenThrow(new IllegalArgumentException("bad value \"ghp_secretlooking\""));
        // when
        TriggeredBuild build = runs.submit("app", REF, payload, TriggerType.WEBHOOK, Narrowing.NONE);
        // then
        assertEquals("FAILED", build.status());
        InternalErrorException failure = assertInstanceOf(InternalErrorException.class, build.failure());
        assertFalse(failure.getMessage().contains("ghp_secretlooking"), failure.getMessage());
        assertTrue(failure.getMessage().contains("IllegalArgumentException"), failure.getMessage());
        assertEquals(ErrorBody.of(failure), build.error());
        assertTrue(build.error().retryable());
    }

    @Test
    void payloadTriggerTypeAndPolicy_arePassedToTheStepAsGiven() {
        // given: a trigger that narrows the deployer's accounts
        Narrowing narrowing = new Narrowing(new Allowlist("trigger nightly's policy.targetAccounts", List.of("123456789012")),
                null, null, null, null);
        when(steps.submit(any(), any(), any())).thenReturn(new StepOutcome.InProgress("k", Instant.EPOCH));
        // when
        runs.submit("nightly", null, payload, TriggerType.SCHEDULE, narrowing);
        // then
        verify(steps).submit(same(payload), eq(TriggerType.SCHEDULE), same(narrowing));
    }
}
