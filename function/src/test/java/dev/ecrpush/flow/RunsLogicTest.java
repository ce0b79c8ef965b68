package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.idempotency.Claim;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.RunStore;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.result.RunTimings;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.Fixtures;

/**
 * {@code mode: run}'s decisions about repeats and task tokens, with the AWS stages, the idempotency table and
 * the task completions mocked: whether to launch, what a repeat gets, and what is recorded when a launch fails.
 */
@ExtendWith(MockitoExtension.class)
class RunsLogicTest {
    private static final String KEY = "deploy-42";
    private static final String BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    private static final String TOKEN = "AQCEAAAAKgAAAA-test-task-token";
    /** What the fake clock measures from a run's start to its launch's answer. */
    private static final RunTimings MEASURED = new RunTimings(21L);

    @Mock
    AwsStages aws;
    @Mock
    IdempotencyTables tables;
    @Mock
    TaskCompletions completions;
    @Mock
    RunStore store;

    private Runs runs;

    @BeforeEach
    void setUp() {
        // Every reading of the clock is 21 ms after the one before: a run measures 21 ms from its start to the launch.
        long[] now = {1_000_000_000L};
        runs = new Runs(aws, tables, completions, Fixtures.JSON, () -> now[0] += 21_000_000L);
    }

    /** A run of the base payload, with the key and task token given (null for none). */
    private static Plan plan(String key, String taskToken) {
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        if (key != null) {
            payload.put("idempotencyKey", key);
        }
        if (taskToken != null) {
            payload.put("taskToken", taskToken);
        }
        return Fixtures.plan(payload);
    }

    private static StepResult started(Plan plan) {
        return StepResult.started(plan, new LaunchResult(BUILD_ID,
                "arn:aws:codebuild:us-east-1:111111111111:build/" + BUILD_ID, "https://console.aws.amazon.com/codesuite/"), false);
    }

    private void tableHolds(Claim claim) {
        when(tables.configured()).thenReturn(true);
        when(tables.runs()).thenReturn(store);
        when(store.claim(eq(KEY), anyString())).thenReturn(claim);
    }

    @Test
    void noIdempotencyKey_launchesDirectly_withoutTheTable() {
        // given
        Plan plan = plan(null, null);
        StepResult result = started(plan);
        when(aws.run(plan)).thenReturn(result);
        // when
        StepOutcome outcome = runs.run(plan);
        // then
        assertEquals(new StepOutcome.Finished(result.withTimings(MEASURED)), outcome);
        verifyNoInteractions(tables, completions);
    }

    @Test
    void monotonicRunWithoutATable_isRefusedNamingMonotonicTags_beforeAnyAwsCall() {
        // given: a push's run of a monotonic trigger, with moving tags, and no table to keep the push order in
        Plan plan = plan(KEY, null);
        when(tables.configured()).thenReturn(false);
        MonotonicRun.Moving moving = new MonotonicRun.Moving(new MonotonicRun("app", "app/github/acme/app/refs/heads/main"),
                List.of("latest"), "{}");
        // when
        InvalidStepException refused = assertThrows(InvalidStepException.class, () -> runs.run(plan, moving));
        // then
        assertTrue(refused.getMessage().startsWith("monotonicTags: the order of the pushes is kept in the idempotency table"),
                refused.getMessage());
        verifyNoInteractions(aws);
        verify(tables, never()).runs();
    }

    @Test
    void keyWithoutATable_launchesDirectly_claimingNothing() {
        // given
        Plan plan = plan(KEY, null);
        StepResult result = started(plan);
        when(tables.configured()).thenReturn(false);
        when(aws.run(plan)).thenReturn(result);
        // when
        StepOutcome outcome = runs.run(plan);
        // then
        assertEquals(new StepOutcome.Finished(result.withTimings(MEASURED)), outcome);
        verify(tables, never()).runs();
    }

    @Test
    void claimedKey_launches_thenRecordsTheResultUnderTheKey() throws Exception {
        // given
        Plan plan = plan(KEY, null);
        StepResult result = started(plan);
        tableHolds(new Claim.Claimed());
        when(aws.run(plan)).thenReturn(result);
        // when
        StepOutcome outcome = runs.run(plan);
        // then
        assertEquals(new StepOutcome.Finished(result.withTimings(MEASURED)), outcome);
        InOrder order = inOrder(store, aws);
        order.verify(store).claim(eq(KEY), anyString());
        order.verify(aws).run(plan);
        ArgumentCaptor<String> stored = ArgumentCaptor.forClass(String.class);
        order.verify(store).complete(eq(KEY), stored.capture(), eq(BUILD_ID));
        JsonNode json = Fixtures.JSON.readTree(stored.getValue());
        assertEquals("STARTED", json.get("status").asText());
        assertEquals(BUILD_ID, json.get("buildId").asText());
        assertEquals(21, json.at("/timings/functionMillis").asLong(), json::toString);
        verify(store, never()).fail(anyString(), anyString());
    }

    @Test
    void keyAlreadyDone_returnsTheFirstResultMarkedDuplicate_andLaunchesNothing() {
        // given
        tableHolds(new Claim.Done("{\"status\":\"STARTED\",\"buildId\":\"" + BUILD_ID + "\"}"));
        // when
        StepOutcome outcome = runs.run(plan(KEY, null));
        // then
        ObjectNode first = ((StepOutcome.Duplicate) outcome).firstResult();
        assertEquals(BUILD_ID, first.get("buildId").asText());
        assertTrue(first.get("duplicate").asBoolean());
        verifyNoInteractions(aws);
        verify(store, never()).complete(anyString(), anyString(), any());
        verify(store, never()).fail(anyString(), anyString());
    }

    @Test
    void keyAlreadyDone_withATaskToken_makesTheFirstBuildCompleteTheNewTask() {
        // given
        Plan plan = plan(KEY, TOKEN);
        when(completions.available()).thenReturn(true);
        tableHolds(new Claim.Done("{\"status\":\"STARTED\",\"buildId\":\"" + BUILD_ID + "\"}"));
        // when
        runs.run(plan);
        // then
        verify(completions).await(BUILD_ID, new SecretText(TOKEN), plan.imageUris(), null);
        verifyNoInteractions(aws);
    }

    /** A repeat's task is completed by the first run's build: the function's time it reports is the first run's. */
    @Test
    void keyAlreadyDone_withATaskToken_keepsTheFirstRunsFunctionTime() {
        // given
        Plan plan = plan(KEY, TOKEN);
        when(completions.available()).thenReturn(true);
        tableHolds(new Claim.Done("{\"status\":\"STARTED\",\"buildId\":\"" + BUILD_ID + "\",\"timings\":{\"functionMillis\":617}}"));
        // when
        StepOutcome outcome = runs.run(plan);
        // then
        verify(completions).await(BUILD_ID, new SecretText(TOKEN), plan.imageUris(), 617L);
        assertEquals(617, ((StepOutcome.Duplicate) outcome).firstResult().at("/timings/functionMillis").asLong());
        verifyNoInteractions(aws);
    }

    /** The function's time runs from the step service's start to the launch's answer, and is in the run's result. */
    @Test
    void functionTime_isMeasuredToTheLaunchsAnswer_fromTheGivenStart() {
        // given: the step service took the payload at 1 s; the launch answers at 1.6125 s
        Plan plan = plan(null, TOKEN);
        StepResult result = started(plan);
        when(completions.available()).thenReturn(true);
        long[] clock = {1_000_000_000L};
        Stopwatch stopwatch = Stopwatch.start(() -> clock[0]);
        when(aws.run(plan)).then(invocation -> {
            clock[0] += 612_500_000L;
            return result;
        });
        // when: the task token is kept after the launch, and takes time the function's time must not include
        doAnswer(invocation -> clock[0] += 50_000_000L).when(completions).await(any(), any(), any(), any());
        StepOutcome outcome = runs.run(plan, null, stopwatch);
        // then
        assertEquals(new RunTimings(612L), ((StepOutcome.Finished) outcome).result().timings());
        verify(completions).await(BUILD_ID, new SecretText(TOKEN), plan.imageUris(), 612L);
    }

    @Test
    void keyOfAnotherPayload_isRefusedNamingTheKey_withNeitherItsResultNorItsBuildsCompletion() {
        // given: the key's run was another payload's
        Plan plan = plan(KEY, TOKEN);
        when(completions.available()).thenReturn(true);
        tableHolds(new Claim.OtherPayload("0".repeat(64)));
        // when
        InvalidStepException refused = assertThrows(InvalidStepException.class, () -> runs.run(plan));
        // then
        assertTrue(refused.getMessage().startsWith("idempotencyKey: \"" + KEY + "\" belongs to a run of another payload"),
                refused.getMessage());
        verify(store).claim(KEY, plan.payload().contentHash());
        verify(completions, never()).await(anyString(), any(), any(), any());
        verifyNoInteractions(aws);
        verify(store, never()).fail(anyString(), anyString());
    }

    @Test
    void storedResultThatIsNoJsonObject_isAnInternalError_andLaunchesNothing() {
        // given
        tableHolds(new Claim.Done("[]"));
        // when
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> runs.run(plan(KEY, null)));
        // then
        assertTrue(e.getMessage().contains(KEY), e.getMessage());
        verifyNoInteractions(aws);
    }

    @Test
    void keyInProgress_saysSinceWhen_andLaunchesNothing() {
        // given
        Instant since = Instant.parse("2025-06-01T12:00:00Z");
        tableHolds(new Claim.InProgress(since));
        // when
        StepOutcome outcome = runs.run(plan(KEY, null));
        // then
        assertEquals(new StepOutcome.InProgress(KEY, since), outcome);
        verifyNoInteractions(aws);
        verify(store, never()).complete(anyString(), anyString(), any());
    }

    @Test
    void failedLaunch_recordsItsErrorBodyUnderTheKey_andRethrowsIt() throws Exception {
        // given
        Plan plan = plan(KEY, null);
        LaunchFailedException refused = new LaunchFailedException("codebuild:StartBuild: project ecr-build-push not found");
        tableHolds(new Claim.Claimed());
        when(aws.run(plan)).thenThrow(refused);
        // when
        LaunchFailedException thrown = assertThrows(LaunchFailedException.class, () -> runs.run(plan));
        // then
        assertSame(refused, thrown);
        ArgumentCaptor<String> error = ArgumentCaptor.forClass(String.class);
        verify(store).fail(eq(KEY), error.capture());
        assertEquals(Fixtures.JSON.readTree("""
                {"errorType": "LaunchFailedException",
                 "errorMessage": "codebuild:StartBuild: project ecr-build-push not found", "retryable": false}"""),
                Fixtures.JSON.readTree(error.getValue()));
        verify(store, never()).complete(anyString(), anyString(), any());
    }

    @Test
    void unexpectedLaunchFailure_isRecordedAsAnInternalErrorNamingOnlyItsClass_andRethrownAsIs() throws Exception {
        // given
        Plan plan = plan(KEY, null);
        IllegalStateException bug = new IllegalStateException("something quoting the payload");
        tableHolds(new Claim.Claimed());
        when(aws.run(plan)).thenThrow(bug);
        // when
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> runs.run(plan));
        // then
        assertSame(bug, thrown);
        ArgumentCaptor<String> error = ArgumentCaptor.forClass(String.class);
        verify(store).fail(eq(KEY), error.capture());
        assertEquals(Fixtures.JSON.readTree("""
                {"errorType": "InternalErrorException", "errorMessage": "IllegalStateException", "retryable": true}"""),
                Fixtures.JSON.readTree(error.getValue()));
    }

    @Test
    void failureToRecordTheFailure_doesNotHideTheLaunchsFailure() {
        // given
        Plan plan = plan(KEY, null);
        LaunchFailedException refused = new LaunchFailedException("refused");
        tableHolds(new Claim.Claimed());
        when(aws.run(plan)).thenThrow(refused);
        doThrow(new ThrottledException("dynamodb.UpdateItem: throttled")).when(store).fail(eq(KEY), anyString());
        // when
        LaunchFailedException thrown = assertThrows(LaunchFailedException.class, () -> runs.run(plan));
        // then
        assertSame(refused, thrown);
    }

    @Test
    void taskTokenWithoutATable_isInvalidStep_beforeAnythingIsCalled() {
        // given
        when(completions.available()).thenReturn(false);
        Plan plan = plan(KEY, TOKEN);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> runs.run(plan));
        // then
        assertTrue(e.getMessage().startsWith("taskToken: "), e.getMessage());
        verifyNoInteractions(aws, tables);
        verify(completions).available();
        verifyNoMoreInteractions(completions);
    }

    @Test
    void startedBuild_isRecordedBeforeItsTaskTokenIsStored() {
        // given
        Plan plan = plan(KEY, TOKEN);
        StepResult result = started(plan);
        when(completions.available()).thenReturn(true);
        tableHolds(new Claim.Claimed());
        when(aws.run(plan)).thenReturn(result);
        // when
        runs.run(plan);
        // then
        InOrder order = inOrder(aws, completions, store);
        order.verify(aws).run(plan);
        order.verify(store).complete(eq(KEY), anyString(), eq(BUILD_ID));
        order.verify(completions).await(BUILD_ID, new SecretText(TOKEN), result.imageUris(), 21L);
    }

    /**
     * Keeping the token failed after the build started: the key is not freed (that would let the retry start a
     * second build); the failure reaches the caller, whose retry finds the build and keeps the token then.
     */
    @Test
    void failureToStoreTheTaskToken_keepsTheStartedBuild_forTheRetry() {
        // given
        Plan plan = plan(KEY, TOKEN);
        StepResult result = started(plan);
        when(completions.available()).thenReturn(true);
        tableHolds(new Claim.Claimed());
        when(aws.run(plan)).thenReturn(result);
        ThrottledException throttled = new ThrottledException("dynamodb:PutItem throttled");
        doThrow(throttled).when(completions).await(BUILD_ID, new SecretText(TOKEN), result.imageUris(), 21L);
        // when
        ThrottledException thrown = assertThrows(ThrottledException.class, () -> runs.run(plan));
        // then
        assertSame(throttled, thrown);
        verify(store).complete(eq(KEY), anyString(), eq(BUILD_ID));
        verify(store, never()).fail(anyString(), anyString());
    }

    @Test
    void taskTokenWithoutAKey_isStoredWithTheBuild_launchedDirectly() {
        // given
        Plan plan = plan(null, TOKEN);
        StepResult result = started(plan);
        when(completions.available()).thenReturn(true);
        when(aws.run(plan)).thenReturn(result);
        // when
        StepOutcome outcome = runs.run(plan);
        // then
        assertEquals(new StepOutcome.Finished(result.withTimings(MEASURED)), outcome);
        verify(completions).await(BUILD_ID, new SecretText(TOKEN), List.copyOf(result.imageUris()), 21L);
        verifyNoInteractions(tables);
    }
}
