package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.ExecutorType;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.launch.StashCleanup;
import dev.ecrpush.support.Fixtures;

/**
 * Which stage a non-HTTP event goes to, with the stages and both executors mocked (the registry of executors is
 * the real one): schedules, executors' build events, status requests, step payloads, and what is refused.
 */
@ExtendWith(MockitoExtension.class)
class EventDispatcherLogicTest {
    private static final String BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    private static final String TASK_ARN = "arn:aws:ecs:us-east-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final BuildStatusResult SUCCEEDED = new BuildStatusResult(BUILD_ID, BuildStatusResult.Status.SUCCEEDED,
            "COMPLETED", List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"), "sha256:0f", null);

    @Mock
    StepService steps;
    @Mock
    AwsStages aws;
    @Mock
    ScheduledRebuilds schedules;
    @Mock
    TaskCompletions completions;
    @Mock
    TagMoves tagMoves;
    @Mock
    SupersededBuilds superseded;
    @Mock
    CommitStatuses statuses;
    @Mock
    BuildExecutor codeBuild;
    @Mock
    BuildExecutor ecs;

    private EventDispatcher dispatcher;

    @BeforeEach
    void setUp() {
        when(codeBuild.kind()).thenReturn(ExecutorType.CODEBUILD);
        when(ecs.kind()).thenReturn(ExecutorType.ECS);
        // A build of one platform is its own subject (a multi-platform step's builds are PlatformBuildsFlowTest's).
        lenient().when(aws.subjectOf(any(), any(), any())).thenAnswer(i -> new AwsStages.Subject(i.getArgument(1), i.getArgument(2)));
        dispatcher = new EventDispatcher(steps, aws, schedules, completions, new Executors(List.of(codeBuild, ecs)),
                new StashCleanup(null, "/ecr-build-push/oidc-tokens/", Duration.ofHours(48), Clock.systemUTC()), tagMoves,
                superseded, statuses);
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode json(String json) {
        try {
            return Fixtures.JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String eventBridge(String source, String detailType) {
        return """
                {"version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "detail-type": "%s", "source": "%s",
                 "account": "111111111111", "time": "2025-06-02T02:00:00Z", "region": "us-east-1",
                 "resources": ["arn:aws:events:us-east-1:111111111111:rule/nightly-app"], "detail": {}}"""
                .formatted(detailType, source);
    }

    @ParameterizedTest
    @ValueSource(strings = { "aws.events", "aws.scheduler" })
    void scheduledEvent_fromARuleOrAScheduler_goesToTheSchedules(String source) {
        // given
        ScheduledRebuilds.Answer answer = new ScheduledRebuilds.Answer(ScheduledRebuilds.Status.NO_MATCH, "nightly-app",
                "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", "no trigger names schedule nightly-app", null);
        when(schedules.run(any())).thenReturn(answer);
        // when
        Object result = dispatcher.dispatch(bytes(eventBridge(source, "Scheduled Event")));
        // then
        assertSame(answer, result);
        verify(schedules).run(json(eventBridge(source, "Scheduled Event")));
        verifyNoInteractions(steps, aws, completions);
    }

    @Test
    void scheduledEvent_fromAnotherSource_isRefused_notRebuilt() {
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> dispatcher.dispatch(bytes(eventBridge("custom.ci", "Scheduled Event"))));
        // then
        assertTrue(e.getMessage().startsWith("detail-type: "), e.getMessage());
        verifyNoInteractions(schedules, steps, aws, completions);
    }

    @Test
    void executorsBuildEvent_goesToTheCompletions_readingTheBuildLazilyAndAtMostOnce() {
        // given: CodeBuild reads its own events back only when a task waits
        when(codeBuild.readsEvent("aws.codebuild", "CodeBuild Build State Change")).thenReturn(true);
        when(codeBuild.buildIdOf(any())).thenReturn(BUILD_ID);
        when(codeBuild.status(BUILD_ID)).thenReturn(SUCCEEDED);
        TaskCompletions.Answer answer = new TaskCompletions.Answer(TaskCompletions.Status.TASK_SUCCEEDED, BUILD_ID, "done");
        when(completions.onBuildEvent(eq(BUILD_ID), any())).thenAnswer(call -> {
            verify(codeBuild, never()).status(any());
            Supplier<BuildStatusResult> status = call.getArgument(1);
            assertSame(SUCCEEDED, status.get());
            assertSame(SUCCEEDED, status.get());
            return answer;
        });
        // when
        Object result = dispatcher.dispatch(bytes(eventBridge("aws.codebuild", "CodeBuild Build State Change")));
        // then
        assertSame(answer, result);
        verify(codeBuild, times(1)).status(BUILD_ID);
        verify(ecs, never()).status(any());
        verifyNoInteractions(schedules, steps);
        // only asked what the build is part of: nothing run, nothing read back through the stages
        verify(aws, never()).run(any());
        verify(aws, never()).status(any());
    }

    @Test
    void executorsBuildEvent_sendsTheCommitStatusLast_fromTheSameReadBack() {
        // given: the completions read the build back first
        when(codeBuild.readsEvent("aws.codebuild", "CodeBuild Build State Change")).thenReturn(true);
        when(codeBuild.buildIdOf(any())).thenReturn(BUILD_ID);
        when(codeBuild.status(BUILD_ID)).thenReturn(SUCCEEDED);
        when(completions.onBuildEvent(eq(BUILD_ID), any())).thenAnswer(call -> {
            ((Supplier<?>) call.getArgument(1)).get();
            return new TaskCompletions.Answer(TaskCompletions.Status.TASK_SUCCEEDED, BUILD_ID, "done");
        });
        doAnswer(call -> {
            verify(tagMoves).onBuildEvent(eq(BUILD_ID), any());
            Supplier<BuildStatusResult> status = call.getArgument(1);
            assertSame(SUCCEEDED, status.get());
            return null;
        }).when(statuses).onBuildEvent(eq(BUILD_ID), any());
        // when
        dispatcher.dispatch(bytes(eventBridge("aws.codebuild", "CodeBuild Build State Change")));
        // then: after the tags, and the build read back once for all
        verify(statuses).onBuildEvent(eq(BUILD_ID), any());
        verify(codeBuild, times(1)).status(BUILD_ID);
    }

    @Test
    void foreignBuildsEvent_sendsNoCommitStatus() {
        when(codeBuild.readsEvent("aws.codebuild", "CodeBuild Build State Change")).thenReturn(true);
        when(codeBuild.buildIdOf(any())).thenReturn(BUILD_ID);
        when(codeBuild.foreignBuild(BUILD_ID)).thenReturn("not a build of this function's projects");
        dispatcher.dispatch(bytes(eventBridge("aws.codebuild", "CodeBuild Build State Change")));
        verifyNoInteractions(statuses, completions, tagMoves);
    }

    @Test
    void executorsBuildEvent_withNoTaskWaiting_readsNothingBack() {
        // given
        when(codeBuild.readsEvent("aws.codebuild", "CodeBuild Build State Change")).thenReturn(true);
        when(codeBuild.buildIdOf(any())).thenReturn(BUILD_ID);
        when(completions.onBuildEvent(eq(BUILD_ID), any()))
                .thenReturn(new TaskCompletions.Answer(TaskCompletions.Status.IGNORED, BUILD_ID, "no task token is stored"));
        // when
        dispatcher.dispatch(bytes(eventBridge("aws.codebuild", "CodeBuild Build State Change")));
        // then
        verify(codeBuild, never()).status(any());
    }

    @Test
    void executorThatReadsBackEveryEvent_readsTheBuildBeforeTheCompletions_once() {
        // given: ECS, whose read-back stops a task past its step timeout
        when(codeBuild.readsEvent("aws.ecs", "ECS Task State Change")).thenReturn(false);
        when(ecs.readsEvent("aws.ecs", "ECS Task State Change")).thenReturn(true);
        when(ecs.buildIdOf(any())).thenReturn(TASK_ARN);
        when(ecs.readsBackEveryEvent()).thenReturn(true);
        when(ecs.status(TASK_ARN)).thenReturn(SUCCEEDED);
        when(completions.onBuildEvent(eq(TASK_ARN), any())).thenAnswer(call -> {
            verify(ecs).status(TASK_ARN);
            Supplier<BuildStatusResult> status = call.getArgument(1);
            assertSame(SUCCEEDED, status.get());
            return new TaskCompletions.Answer(TaskCompletions.Status.TASK_SUCCEEDED, TASK_ARN, "done");
        });
        // when
        dispatcher.dispatch(bytes(eventBridge("aws.ecs", "ECS Task State Change")));
        // then
        verify(ecs, times(1)).status(TASK_ARN);
        verify(codeBuild, never()).status(any());
    }

    @Test
    void buildIdAlone_isAStatusRequest() {
        // given
        when(codeBuild.owns(BUILD_ID)).thenReturn(true);
        when(aws.status(BUILD_ID)).thenReturn(SUCCEEDED);
        // when
        Object result = dispatcher.dispatch(bytes("{\"buildId\": \"" + BUILD_ID + "\"}"));
        // then
        assertSame(SUCCEEDED, result);
        verifyNoInteractions(steps, schedules, completions);
    }

    @Test
    void buildIdNoExecutorOwns_isInvalidStep_namingBuildId_andReadsNothing() {
        // given
        when(codeBuild.buildIdForm()).thenReturn("PROJECT:BUILD-UUID");
        when(ecs.buildIdForm()).thenReturn("TASK-ARN");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> dispatcher.dispatch(bytes("{\"buildId\": \"not-a-build\"}")));
        // then
        assertEquals("buildId: a status request is {\"buildId\": \"PROJECT:BUILD-UUID\"} or {\"buildId\": \"TASK-ARN\"} alone,"
                + " as a run returned it", e.getMessage());
        verifyNoInteractions(aws, steps, schedules, completions);
    }

    @Test
    void buildIdWithOtherFields_isNoStatusRequest() {
        // given
        when(codeBuild.buildIdForm()).thenReturn("PROJECT:BUILD-UUID");
        when(ecs.buildIdForm()).thenReturn("TASK-ARN");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> dispatcher.dispatch(bytes("{\"buildId\": \"" + BUILD_ID + "\", \"wait\": true}")));
        // then
        assertTrue(e.getMessage().startsWith("buildId: "), e.getMessage());
        verifyNoInteractions(aws, steps);
    }

    @Test
    void anythingElse_isAManualStepPayload() {
        // given: a payload with a step, even one that also carries a buildId
        ObjectNode payload = Fixtures.basePayload().put("buildId", BUILD_ID);
        when(steps.handle(payload, TriggerType.MANUAL)).thenReturn("answer");
        // when
        Object result = dispatcher.dispatch(bytes(payload.toString()));
        // then
        assertEquals("answer", result);
        verifyNoInteractions(aws, schedules, completions);
    }

    @Test
    void eventBridgeEventOfAnotherType_isInvalidStep_namingDetailType() {
        // given: no executor reads it
        String event = eventBridge("aws.ec2", "EC2 Instance State-change Notification");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> dispatcher.dispatch(bytes(event)));
        // then
        assertTrue(e.getMessage().startsWith("detail-type: "), e.getMessage());
        assertTrue(e.getMessage().contains("\"EC2 Instance State-change Notification\" from aws.ec2"), e.getMessage());
        verifyNoInteractions(steps, aws, schedules, completions);
    }

    @Test
    void notJson_isInvalidStep_sayingWhere_withoutQuotingTheInput() {
        // given: broken JSON that holds a token
        byte[] event = bytes("{\"mode\": \"run\",\n \"oidcToken\": eyJhbGciOiJSUzI1NiJ9.secret-part}");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> dispatcher.dispatch(event));
        // then
        assertTrue(e.getMessage().startsWith("payload: is not valid JSON (line 2, column "), e.getMessage());
        assertFalse(e.getMessage().contains("eyJhbGciOiJSUzI1NiJ9"), e.getMessage());
        assertFalse(e.getMessage().contains("secret-part"), e.getMessage());
        verifyNoInteractions(steps, aws, schedules, completions);
    }

    @Test
    void emptyEvent_isInvalidStep() {
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> dispatcher.dispatch(new byte[0]));
        // then
        assertTrue(e.getMessage().startsWith("payload: is empty"), e.getMessage());
        verifyNoInteractions(steps, aws, schedules, completions);
    }

    /** The envelope needs all of source, detail-type and detail: without detail it is read as a step payload. */
    @Test
    void eventBridgeLookalikeWithoutDetail_isAStepPayload() {
        // given
        JsonNode lookalike = json("{\"source\": \"aws.events\", \"detail-type\": \"Scheduled Event\"}");
        when(steps.handle(lookalike, TriggerType.MANUAL)).thenThrow(new InvalidStepException("step: is required"));
        // when
        assertThrows(InvalidStepException.class, () -> dispatcher.dispatch(bytes(lookalike.toString())));
        // then
        verifyNoInteractions(schedules);
    }
}
