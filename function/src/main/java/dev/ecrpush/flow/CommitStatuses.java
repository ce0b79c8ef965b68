package dev.ecrpush.flow;

import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.githost.CommitStatus;
import dev.ecrpush.githost.GitHostApis;
import dev.ecrpush.idempotency.CommitStatusStore;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.trigger.Trigger;

/**
 * Reports a trigger's builds to the Git host as commit statuses (docs/triggers.md, "Commit statuses"): {@code
 * pending} when a build has started ({@link #started}, for pushes and pull requests alike), its end when its
 * state-change event comes ({@link #onBuildEvent}). The host, repository and commit come only from the signed
 * delivery the trigger matched, and are remembered with the build ({@link CommitStatusStore}); the event only says
 * which build. Nothing here throws: a status is a report, and neither a build, a delivery nor an event fails for it.
 */
@ApplicationScoped
public class CommitStatuses {
    private static final Logger LOG = Logger.getLogger(CommitStatuses.class);

    private final GitHostApis apis;
    private final IdempotencyTables tables;

    @Inject
    public CommitStatuses(GitHostApis apis, IdempotencyTables tables) {
        this.apis = apis;
        this.tables = tables;
    }

    /** Whether the trigger's builds are reported to {@code host}: as it says, else when the host has a token. */
    public boolean reports(Trigger trigger, String host) {
        return trigger.reportStatus() != null ? trigger.reportStatus() : apis.configured(host);
    }

    /**
     * A build the trigger asked for on {@code sha} has been answered: if it started, and the trigger reports, its
     * {@code pending} status is sent, with its logs link, once where it goes is remembered; if it was already built
     * ({@code ALREADY_BUILT}), {@code success} is sent at once.
     *
     * @param host       the Git host whose signed delivery the trigger matched
     * @param repository the repository as that delivery names it (the trigger's)
     * @param sha        the commit the build builds
     * @param build      what became of the trigger's run
     */
    public void started(Trigger trigger, String host, String repository, String sha, TriggeredBuild build) {
        try {
            if (StepResult.ALREADY_BUILT.equals(build.status()) && build.result() instanceof StepResult
                    && reports(trigger, host) && apis.configured(host)) {
                // Nothing was started, so no end will come to report: the final status goes now, and nothing is kept.
                apis.post(host, repository, sha, CommitStatus.alreadyBuilt(trigger.name()));
                return;
            }
            if (!StepResult.STARTED.equals(build.status()) || !(build.result() instanceof StepResult result)
                    || result.buildId() == null || !reports(trigger, host)) {
                return;
            }
            if (!apis.configured(host)) {
                LOG.warnf("trigger %s asks for commit statuses, and %s has no token (buildpush.githosts.%s.token-ref): none sent",
                        trigger.name(), host, host);
                return;
            }
            if (!tables.configured()) {
                LOG.warnf("trigger %s: no commit status is sent without buildpush.idempotency.table, which keeps where the end goes",
                        trigger.name());
                return;
            }
            CommitStatus status = CommitStatus.started(trigger.name(), result.logsUrl());
            tables.commitStatuses().remember(result.buildId(),
                    new CommitStatusStore.Reported(host, repository, sha, status.context(), status.targetUrl()));
            apis.post(host, repository, sha, status);
        } catch (RuntimeException e) {
            LOG.warnf("trigger %s: the pending commit status was not sent: %s", trigger.name(), e.getMessage());
        }
    }

    /**
     * A build's state changed: if it has a remembered status and has ended, as read back with {@code status}, its end
     * is sent.
     *
     * @param status the build as its executor reads it back; asked only for a build with a remembered status
     */
    public void onBuildEvent(String buildId, Supplier<BuildStatusResult> status) {
        try {
            if (!tables.configured()) {
                return;
            }
            CommitStatusStore.Reported reported = tables.commitStatuses().find(buildId);
            if (reported == null) {
                return;
            }
            BuildStatusResult build = status.get();
            CommitStatus end = new CommitStatus(CommitStatus.State.PENDING, reported.context(), reported.targetUrl(), "")
                    .ended(build.status());
            if (end != null) {
                apis.post(reported.host(), reported.repository(), reported.sha(), end);
            }
        } catch (NotAllowedException notTheFunctions) {
            LOG.warnf("build %s: not the function's as read back (%s); no commit status sent", buildId, notTheFunctions.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("build %s: its commit status was not sent: %s", buildId, e.getMessage());
        }
    }
}
