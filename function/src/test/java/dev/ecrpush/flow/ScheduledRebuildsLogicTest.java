package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSource;

/**
 * A Scheduled Event's decisions, with the trigger set (the test set, {@code nightly-app} named by the rule
 * {@code nightly-app}) handed out by a mocked source and the runs mocked.
 */
@ExtendWith(MockitoExtension.class)
class ScheduledRebuildsLogicTest {
    private static final String EVENT_ID = "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa";
    private static final String RULE_ARN = "arn:aws:events:us-east-1:111111111111:rule/nightly-app";
    private static final TriggerSet TEST_SET = Fixtures.triggers("plan-triggers.json");

    @Mock
    TriggerSource triggers;
    @Mock
    TriggeredRuns runs;

    private ScheduledRebuilds schedules;

    @BeforeEach
    void setUp() {
        schedules = new ScheduledRebuilds(triggers, runs);
    }

    /** A Scheduled Event as an EventBridge rule sends it. */
    private static ObjectNode event(String id, String resource) {
        ObjectNode event = Fixtures.JSON.createObjectNode().put("version", "0");
        if (id != null) {
            event.put("id", id);
        }
        event.put("detail-type", "Scheduled Event").put("source", "aws.events");
        if (resource != null) {
            event.putArray("resources").add(resource);
        }
        event.putObject("detail");
        return event;
    }

    /** The test set and a second trigger named by the same rule. */
    private static TriggerSet twoNightlies() {
        Trigger nightly = TEST_SET.scheduledBy("nightly-app").get(0);
        List<Trigger> all = new ArrayList<>(TEST_SET.triggers());
        all.add(new Trigger("nightly-app-debug", null, null, List.of(), List.of(), List.of("nightly-app"), nightly.payload()));
        return new TriggerSet(all);
    }

    private static TriggeredBuild started(String trigger) {
        return new TriggeredBuild(trigger, null, "STARTED", Fixtures.JSON.createObjectNode(), null, null);
    }

    @Test
    void missingEventId_isInvalidStep_namingId_andReadsNoTrigger() {
        // given
        ObjectNode event = event(null, RULE_ARN);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> schedules.run(event));
        // then
        assertTrue(e.getMessage().startsWith("id: "), e.getMessage());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void blankEventId_isInvalidStep_namingId() {
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> schedules.run(event("  ", RULE_ARN)));
        // then
        assertTrue(e.getMessage().startsWith("id: "), e.getMessage());
        verifyNoInteractions(triggers, runs);
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "nightly-app", "rule/nightly-app", "arn:aws:events:us-east-1:111111111111:rule/",
            "arn:aws:events:us-east-1:111111111111:nightly-app" })
    void resourceThatIsNoRuleArn_isInvalidStep_namingResources0_andReadsNoTrigger(String resource) {
        // given
        ObjectNode event = event(EVENT_ID, resource);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> schedules.run(event));
        // then
        assertTrue(e.getMessage().startsWith("resources[0]: "), e.getMessage());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void noResources_isInvalidStep_namingResources0() {
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> schedules.run(event(EVENT_ID, null)));
        // then
        assertTrue(e.getMessage().startsWith("resources[0]: "), e.getMessage());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void ruleNoTriggerNames_isNoMatch_andSubmitsNothing() {
        // given
        when(triggers.current()).thenReturn(TEST_SET);
        // when
        ScheduledRebuilds.Answer answer = schedules.run(event(EVENT_ID, "arn:aws:events:us-east-1:111111111111:rule/weekly"));
        // then
        assertEquals(new ScheduledRebuilds.Answer(ScheduledRebuilds.Status.NO_MATCH, "weekly", EVENT_ID,
                "no trigger names schedule weekly", null), answer);
        verifyNoInteractions(runs);
    }

    @ParameterizedTest
    @ValueSource(strings = { RULE_ARN, "arn:aws:events:us-east-1:111111111111:rule/ci-bus/nightly-app",
            "arn:aws:scheduler:us-east-1:111111111111:schedule/default/nightly-app" })
    void triggerNamingTheRule_isSubmittedAsAScheduleRun_keyedByTheEventId(String resource) {
        // given: a rule on the default bus, a rule on a custom bus, an EventBridge Scheduler schedule
        when(triggers.current()).thenReturn(TEST_SET);
        when(runs.submit(any(), any(), any(), any(), any())).thenReturn(started("nightly-app"));
        // when
        ScheduledRebuilds.Answer answer = schedules.run(event(EVENT_ID, resource));
        // then
        ArgumentCaptor<ObjectNode> payload = ArgumentCaptor.forClass(ObjectNode.class);
        verify(runs).submit(eq("nightly-app"), isNull(), payload.capture(), eq(TriggerType.SCHEDULE), eq(Narrowing.NONE));
        verifyNoMoreInteractions(runs);
        assertEquals("schedule/" + EVENT_ID + "/nightly-app", payload.getValue().get("idempotencyKey").asText());
        assertEquals("build_nightly", payload.getValue().at("/step/identifier").asText());
        assertEquals(ScheduledRebuilds.Status.ACCEPTED, answer.status());
        assertEquals("nightly-app", answer.schedule());
        assertEquals(EVENT_ID, answer.event());
        assertNull(answer.reason());
        assertEquals(List.of(started("nightly-app")), answer.builds());
    }

    @Test
    void oneFailedRebuild_failsTheEventWithItsErrorType_andTheCount_afterSubmittingEveryTrigger() {
        // given
        when(triggers.current()).thenReturn(twoNightlies());
        when(runs.submit(eq("nightly-app"), any(), any(), any(), any())).thenReturn(started("nightly-app"));
        when(runs.submit(eq("nightly-app-debug"), any(), any(), any(), any())).thenReturn(TriggeredBuild.failed("nightly-app-debug",
                null, new LaunchFailedException("codebuild:StartBuild: project ecr-build-push not found")));
        // when
        BuildPushException e = assertThrows(BuildPushException.class, () -> schedules.run(event(EVENT_ID, RULE_ARN)));
        // then
        assertEquals(LaunchFailedException.class, e.getClass());
        assertEquals("schedule nightly-app: 1 of 2 rebuild(s) failed; trigger nightly-app-debug: codebuild:StartBuild:"
                + " project ecr-build-push not found", e.getMessage());
        verify(runs).submit(eq("nightly-app"), isNull(), any(), eq(TriggerType.SCHEDULE), eq(Narrowing.NONE));
        verify(runs).submit(eq("nightly-app-debug"), isNull(), any(), eq(TriggerType.SCHEDULE), eq(Narrowing.NONE));
    }

    @Test
    void severalFailedRebuilds_failTheEventWithTheRetryableOne_soEventBridgeRetries() {
        // given: a refused launch first, then a throttled one
        when(triggers.current()).thenReturn(twoNightlies());
        when(runs.submit(eq("nightly-app"), any(), any(), any(), any())).thenReturn(TriggeredBuild.failed("nightly-app", null,
                new LaunchFailedException("refused")));
        when(runs.submit(eq("nightly-app-debug"), any(), any(), any(), any())).thenReturn(TriggeredBuild.failed("nightly-app-debug",
                null, new ThrottledException("throttled")));
        // when
        BuildPushException e = assertThrows(BuildPushException.class, () -> schedules.run(event(EVENT_ID, RULE_ARN)));
        // then
        assertEquals(ThrottledException.class, e.getClass());
        assertEquals("schedule nightly-app: 2 of 2 rebuild(s) failed; trigger nightly-app-debug: throttled", e.getMessage());
    }
}
