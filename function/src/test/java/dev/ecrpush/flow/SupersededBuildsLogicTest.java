package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.ExecutorType;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.SupersededStore;
import dev.ecrpush.idempotency.SupersededStore.Running;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;

/** What a cancelSuperseded trigger's new build stops, decided against a mocked store and mocked executors. */
@ExtendWith(MockitoExtension.class)
class SupersededBuildsLogicTest {
    private static final String SEQUENCE = "app/github/acme/app/refs/heads/main";
    private static final String NEW = "ecr-build-push:00000000-0000-4000-8000-000000000003";
    private static final String OLD_1 = "ecr-build-push:00000000-0000-4000-8000-000000000001";
    private static final String OLD_2 = "ecr-build-push:00000000-0000-4000-8000-000000000002";
    private static final String NEWER = "ecr-build-push:00000000-0000-4000-8000-000000000005";

    @Mock
    IdempotencyTables tables;
    @Mock
    SupersededStore store;
    @Mock
    BuildExecutor codeBuild;
    @Mock
    BuildExecutor ecs;

    private SupersededBuilds superseded;

    @BeforeEach
    void setUp() {
        when(codeBuild.kind()).thenReturn(ExecutorType.CODEBUILD);
        when(ecs.kind()).thenReturn(ExecutorType.ECS);
        lenient().when(codeBuild.owns(anyString())).thenAnswer(call -> ((String) call.getArgument(0)).startsWith("ecr-build-push:"));
        lenient().when(tables.configured()).thenReturn(true);
        lenient().when(tables.superseded()).thenReturn(store);
        superseded = new SupersededBuilds(tables, new Executors(List.of(codeBuild, ecs)));
    }

    private static Trigger trigger(boolean cancelSuperseded) {
        return new Trigger("app", "github", "acme/app", List.of(RefPattern.of("main")), List.of(), List.of(),
                Fixtures.JSON.createObjectNode(), null, null, false, null, null, null, cancelSuperseded);
    }

    private static TriggeredBuild started(String buildId) {
        StepResult result = new StepResult(StepResult.STARTED, "run", "CODEBUILD", buildId, null, null, null, null, List.of(),
                null, null, null, null, null, null);
        return new TriggeredBuild("app", "refs/heads/main", StepResult.STARTED, result, null, null);
    }

    private void readsBack(String buildId, Status status) {
        when(codeBuild.status(buildId)).thenReturn(new BuildStatusResult(buildId, status, "BUILD", List.of(), null, null));
    }

    private SupersededBuilds.Report run(long position, SupersededStore.Sequence seen) {
        when(store.arrive(SEQUENCE)).thenReturn(position);
        when(store.start("app", SEQUENCE, position, NEW)).thenReturn(seen);
        TriggeredBuild build = superseded.run(trigger(true), SEQUENCE, () -> started(NEW));
        assertEquals(StepResult.STARTED, build.status(), "the new build is started whatever it stops");
        return build.cancelSuperseded();
    }

    @Test
    void aTriggerWithoutCancelSuperseded_justRunsTheBuild_andKeepsNothing() {
        TriggeredBuild build = started(NEW);
        assertSame(build, superseded.run(trigger(false), SEQUENCE, () -> build));
        verifyNoInteractions(tables, store);
        verify(codeBuild, never()).stop(anyString(), anyString());
    }

    @Test
    void theNewBuild_stopsTheOlderRunningOnes_andForgetsThem_andAnEndedOneIsOnlyForgotten() {
        readsBack(OLD_1, Status.IN_PROGRESS);
        readsBack(OLD_2, Status.SUCCEEDED);
        SupersededBuilds.Report report = run(3, new SupersededStore.Sequence(List.of(new Running(OLD_1, 1), new Running(OLD_2, 2)), 2));
        assertEquals(new SupersededBuilds.Report(3, List.of(
                new SupersededBuilds.Stop(OLD_1, 1, SupersededBuilds.Result.STOPPED, null),
                new SupersededBuilds.Stop(OLD_2, 2, SupersededBuilds.Result.ENDED, "it had ended: SUCCEEDED")), null, null), report);
        verify(codeBuild).stop(OLD_1, "ecr-build-push: superseded by build " + NEW + " (push 3)");
        verify(codeBuild, never()).stop(eq(OLD_2), anyString());
        verify(codeBuild, never()).stop(eq(NEW), anyString());
        verify(store).forget(SEQUENCE, OLD_1);
        verify(store).forget(SEQUENCE, OLD_2);
    }

    @Test
    void aLateOlderBuild_neverStopsTheNewerOne_andIsStoppedItself() {
        // given: push 2's build is running when push 1's build starts, late
        readsBack(NEW, Status.QUEUED);
        SupersededBuilds.Report report = run(1, new SupersededStore.Sequence(List.of(new Running(NEWER, 2)), 2));
        // then: the newer build is untouched, and the late one is stopped, naming the newer
        verify(codeBuild, never()).status(NEWER);
        verify(codeBuild, never()).stop(eq(NEWER), anyString());
        verify(codeBuild).stop(NEW, "ecr-build-push: superseded by build " + NEWER + " (push 2)");
        assertEquals(new SupersededBuilds.Newer(2, NEWER), report.supersededBy());
        assertEquals(List.of(new SupersededBuilds.Stop(NEW, 1, SupersededBuilds.Result.STOPPED, null)), report.stopped());
        verify(store).forget(SEQUENCE, NEW);
    }

    @Test
    void aLateOlderBuild_whoseNewerBuildHasEndedAlready_isStoppedToo() {
        readsBack(NEW, Status.IN_PROGRESS);
        SupersededBuilds.Report report = run(4, new SupersededStore.Sequence(List.of(), 6));
        assertEquals(new SupersededBuilds.Newer(6, null), report.supersededBy());
        verify(codeBuild).stop(NEW, "ecr-build-push: superseded by push 6");
    }

    @Test
    void aBuildThatIsNotTheFunctionsByItsId_isNeverReadBackOrStopped() {
        when(codeBuild.foreignBuild(OLD_1)).thenReturn("build of CodeBuild project \"other\"");
        SupersededBuilds.Report report = run(3, new SupersededStore.Sequence(List.of(new Running(OLD_1, 1)), 1));
        assertEquals(List.of(new SupersededBuilds.Stop(OLD_1, 1, SupersededBuilds.Result.REFUSED, "build of CodeBuild project \"other\"")),
                report.stopped());
        verify(codeBuild, never()).status(OLD_1);
        verify(codeBuild, never()).stop(anyString(), anyString());
    }

    @Test
    void aBuildThatIsNotTheFunctionsAsReadBack_isNeverStopped() {
        when(codeBuild.status(OLD_1)).thenThrow(new NotAllowedException("buildId: build is of project other"));
        SupersededBuilds.Report report = run(3, new SupersededStore.Sequence(List.of(new Running(OLD_1, 1)), 1));
        assertEquals(SupersededBuilds.Result.REFUSED, report.stopped().get(0).result());
        verify(codeBuild, never()).stop(anyString(), anyString());
        verify(store).forget(SEQUENCE, OLD_1);
    }

    @Test
    void aStopThatFails_isListed_andTheBuildStaysRemembered_andTheNewBuildStands() {
        readsBack(OLD_1, Status.IN_PROGRESS);
        doThrow(new LaunchFailedException("codebuild.StopBuild refused: AccessDeniedException")).when(codeBuild)
                .stop(eq(OLD_1), anyString());
        SupersededBuilds.Report report = run(3, new SupersededStore.Sequence(List.of(new Running(OLD_1, 1)), 1));
        assertEquals(SupersededBuilds.Result.FAILED, report.stopped().get(0).result());
        assertTrue(report.stopped().get(0).reason().contains("AccessDeniedException"), report::toString);
        verify(store, never()).forget(anyString(), anyString());
    }

    @Test
    void aRunThatStartedNoBuild_takesItsPlace_butStopsNothing() {
        when(store.arrive(SEQUENCE)).thenReturn(7L);
        TriggeredBuild duplicate = new TriggeredBuild("app", "refs/heads/main", "DUPLICATE", Fixtures.JSON.createObjectNode(),
                null, null);
        assertSame(duplicate, superseded.run(trigger(true), SEQUENCE, () -> duplicate));
        verify(store, never()).start(anyString(), anyString(), anyLong(), anyString());
        verify(codeBuild, never()).status(anyString());
        verify(codeBuild, never()).stop(anyString(), anyString());
    }

    @Test
    void theDeliverysPlace_isTakenBeforeItsBuildIsStarted() {
        AtomicInteger order = new AtomicInteger();
        when(store.arrive(SEQUENCE)).thenAnswer(call -> {
            assertEquals(0, order.getAndIncrement(), "arrived before the build started");
            return 1L;
        });
        when(store.start("app", SEQUENCE, 1, NEW)).thenReturn(new SupersededStore.Sequence(List.of(), 0));
        Supplier<TriggeredBuild> submit = () -> {
            assertEquals(1, order.getAndIncrement(), "the build started after its delivery took its place");
            return started(NEW);
        };
        assertEquals(new SupersededBuilds.Report(1, List.of(), null, null), superseded.run(trigger(true), SEQUENCE, submit)
                .cancelSuperseded());
    }

    @Test
    void withoutATable_theBuildRuns_andItsAnswerSaysNothingWasStopped() {
        when(tables.configured()).thenReturn(false);
        TriggeredBuild build = superseded.run(trigger(true), SEQUENCE, () -> started(NEW));
        assertEquals(StepResult.STARTED, build.status());
        assertTrue(build.cancelSuperseded().note().contains("buildpush.idempotency.table"), build::toString);
        verify(tables, never()).superseded();
    }

    @Test
    void aStoreThatFails_neverFailsTheBuild() {
        when(store.arrive(SEQUENCE)).thenThrow(new IllegalStateException("DynamoDB unavailable"));
        TriggeredBuild build = superseded.run(trigger(true), SEQUENCE, () -> started(NEW));
        assertEquals(StepResult.STARTED, build.status());
        assertTrue(build.cancelSuperseded().note().contains("DynamoDB unavailable"), build::toString);
    }

    @Test
    void anEndEvent_forgetsARememberedBuildOnlyOnceItHasEndedAsReadBack() {
        BuildStatusResult running = new BuildStatusResult(OLD_1, Status.IN_PROGRESS, "BUILD", List.of(), null, null);
        BuildStatusResult stopped = new BuildStatusResult(OLD_1, Status.STOPPED, "BUILD", List.of(), null, null);
        // not remembered: not even read back
        Supplier<BuildStatusResult> never = () -> {
            throw new AssertionError("read back");
        };
        assertEquals(SupersededBuilds.Forgotten.NONE, superseded.onBuildEvent(OLD_2, never));
        when(store.remembered(OLD_1)).thenReturn(new SupersededStore.Remembered("app", SEQUENCE, 1));
        // a forged end event of a build still running forgets nothing
        assertEquals(SupersededBuilds.Forgotten.NONE, superseded.onBuildEvent(OLD_1, () -> running));
        verify(store, never()).forget(any(), any());
        assertEquals(SupersededBuilds.Forgotten.FORGOTTEN, superseded.onBuildEvent(OLD_1, () -> stopped));
        verify(store).forget(SEQUENCE, OLD_1);
    }

    @Test
    void theDecision_ordersByPositionOnly() {
        SupersededBuilds.Decision decision = SupersededBuilds.Decision.of(3, new SupersededStore.Sequence(List.of(
                new Running(OLD_2, 2), new Running(OLD_1, 1), new Running(NEWER, 5), new Running("x:4", 4)), 5));
        assertEquals(List.of(new Running(OLD_1, 1), new Running(OLD_2, 2)), decision.older());
        assertEquals(new SupersededBuilds.Newer(5, NEWER), decision.newer());
        assertNull(SupersededBuilds.Decision.of(9, new SupersededStore.Sequence(List.of(new Running(OLD_1, 1)), 8)).newer());
    }
}
