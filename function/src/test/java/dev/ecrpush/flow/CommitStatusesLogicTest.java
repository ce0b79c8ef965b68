package dev.ecrpush.flow;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.Mock;
import org.mockito.junit.jupiter.MockitoExtension;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.githost.CommitStatus;
import dev.ecrpush.githost.GitHostApis;
import dev.ecrpush.idempotency.CommitStatusStore;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.Trigger;

/** When a trigger's build is reported, and what is sent: the decisions of {@link CommitStatuses}, with its seams mocked. */
@ExtendWith(MockitoExtension.class)
class CommitStatusesLogicTest {
    private static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String BUILD = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    private static final String LOGS = "https://console.aws.amazon.com/codesuite/codebuild/projects/ecr-build-push/build/x";

    @Mock
    GitHostApis apis;
    @Mock
    IdempotencyTables tables;
    @Mock
    CommitStatusStore store;

    private static Trigger trigger(Boolean reportStatus) {
        return new Trigger("app", "github", "acme/app", List.of(), List.of(), List.of(), Fixtures.JSON.createObjectNode(), null, null,
                false, null, null, reportStatus, false);
    }

    private static TriggeredBuild started() {
        StepResult result = new StepResult("STARTED", "run", "codebuild", BUILD, null, LOGS, null, null, List.of(), null, null, null,
                List.of(), null, null);
        return new TriggeredBuild("app", "refs/heads/main", "STARTED", result, null, null);
    }

    @Test
    void byDefault_aHostWithAToken_getsPending_onceWhereItGoesIsRemembered() {
        when(apis.configured("github")).thenReturn(true);
        when(tables.configured()).thenReturn(true);
        when(tables.commitStatuses()).thenReturn(store);
        new CommitStatuses(apis, tables).started(trigger(null), "github", "acme/app", SHA, started());
        verify(store).remember(BUILD, new CommitStatusStore.Reported("github", "acme/app", SHA, "ecr-push/app", LOGS));
        verify(apis).post("github", "acme/app", SHA, CommitStatus.started("app", LOGS));
    }

    @Test
    void aRunAlreadyBuilt_getsItsFinalSuccessAtOnce_andNothingIsKeptForAnEnd() {
        when(apis.configured("github")).thenReturn(true);
        StepResult result = new StepResult(StepResult.ALREADY_BUILT, "run", "codebuild", null, null, null, null, null, List.of(),
                null, null, null, List.of(), null, null);
        new CommitStatuses(apis, tables).started(trigger(null), "github", "acme/app", SHA,
                new TriggeredBuild("app", "refs/heads/main", StepResult.ALREADY_BUILT, result, null, null));
        verify(apis).post("github", "acme/app", SHA, new CommitStatus(CommitStatus.State.SUCCESS, "ecr-push/app", null,
                "The image of this commit was already built"));
        verifyNoInteractions(tables);
        // and a trigger that does not report sends nothing
        new CommitStatuses(apis, tables).started(trigger(false), "github", "acme/app", SHA,
                new TriggeredBuild("app", "refs/heads/main", StepResult.ALREADY_BUILT, result, null, null));
        verify(apis).post(anyString(), anyString(), anyString(), any());
    }

    @Test
    void byDefault_aHostWithoutToken_getsNothing() {
        when(apis.configured("github")).thenReturn(false);
        new CommitStatuses(apis, tables).started(trigger(null), "github", "acme/app", SHA, started());
        verify(apis, never()).post(anyString(), anyString(), anyString(), any());
        verifyNoInteractions(tables);
    }

    @Test
    void reportStatusFalse_sendsNothing_evenWithAToken() {
        new CommitStatuses(apis, tables).started(trigger(false), "github", "acme/app", SHA, started());
        verify(apis, never()).post(anyString(), anyString(), anyString(), any());
        verifyNoInteractions(tables);
    }

    @Test
    void reportStatusTrue_withoutTokenOrTable_sendsNothing() {
        when(apis.configured("github")).thenReturn(false, true);
        CommitStatuses statuses = new CommitStatuses(apis, tables);
        statuses.started(trigger(true), "github", "acme/app", SHA, started());
        when(tables.configured()).thenReturn(false);
        statuses.started(trigger(true), "github", "acme/app", SHA, started());
        verify(apis, never()).post(anyString(), anyString(), anyString(), any());
        verify(tables, never()).commitStatuses();
    }

    @Test
    void aBuildThatDidNotStart_orADuplicate_sendsNothing() {
        CommitStatuses statuses = new CommitStatuses(apis, tables);
        statuses.started(trigger(true), "github", "acme/app", SHA, new TriggeredBuild("app", "refs/heads/main", "DUPLICATE",
                started().result(), null, null));
        statuses.started(trigger(true), "github", "acme/app", SHA, TriggeredBuild.failed("app", "refs/heads/main",
                new InternalErrorException("x")));
        verifyNoInteractions(apis, tables);
    }

    @Test
    void aStatusThatCannotBeRemembered_isNotSent_andNothingIsThrown() {
        when(apis.configured("github")).thenReturn(true);
        when(tables.configured()).thenReturn(true);
        when(tables.commitStatuses()).thenReturn(store);
        doThrow(new InternalErrorException("dynamodb.PutItem failed")).when(store).remember(eq(BUILD), any());
        new CommitStatuses(apis, tables).started(trigger(null), "github", "acme/app", SHA, started());
        verify(apis, never()).post(anyString(), anyString(), anyString(), any());
    }

    @Test
    void theEnd_isSentAsReadBack_toWhereThePendingWent() {
        when(tables.configured()).thenReturn(true);
        when(tables.commitStatuses()).thenReturn(store);
        when(store.find(BUILD)).thenReturn(new CommitStatusStore.Reported("gitlab", "group/app", SHA, "ecr-push/app", LOGS));
        new CommitStatuses(apis, tables).onBuildEvent(BUILD, () -> new BuildStatusResult(BUILD, BuildStatusResult.Status.FAILED,
                "COMPLETED", List.of(), null, null));
        verify(apis).post("gitlab", "group/app", SHA, new CommitStatus(CommitStatus.State.FAILURE, "ecr-push/app", LOGS,
                "The image build failed"));
    }

    @Test
    void aBuildThatHasNotEnded_orHasNoRememberedStatus_orIsNotTheFunctions_sendsNothing() {
        when(tables.configured()).thenReturn(true);
        when(tables.commitStatuses()).thenReturn(store);
        when(store.find(BUILD)).thenReturn(new CommitStatusStore.Reported("github", "acme/app", SHA, "ecr-push/app", LOGS));
        CommitStatuses statuses = new CommitStatuses(apis, tables);
        statuses.onBuildEvent(BUILD, () -> new BuildStatusResult(BUILD, BuildStatusResult.Status.IN_PROGRESS, "BUILD", List.of(),
                null, null));
        statuses.onBuildEvent(BUILD, () -> {
            throw new NotAllowedException("not a build of this function's projects");
        });
        statuses.onBuildEvent("other", () -> {
            throw new AssertionError("read back a build with no remembered status");
        });
        verify(apis, never()).post(anyString(), anyString(), anyString(), any());
    }
}
