package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.SupersededStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.trigger.Trigger;

/**
 * A trigger with {@code cancelSuperseded}: a new push to a ref stops the trigger's earlier builds of that ref that
 * are still running (docs/triggers.md, "Superseded builds"). "Earlier" is the order the deliveries arrived in, a
 * position taken in the ref's sequence ({@link SupersededStore#arrive}) before the build is started, never a commit
 * date. Once the new build has started, it is remembered with its position, and every remembered build of the
 * sequence with a lower position is stopped; one with a higher position never is. A late build of an older delivery
 * (one that started after a newer delivery's build) is itself superseded: it is stopped at once, and its answer says
 * by which push, so that the newest push is the one that runs, whichever started first.
 *
 * <p>Only builds the function remembered under this very sequence are considered, each is read back by its executor
 * first ({@link BuildExecutor#status}: the function's own, by its ID and as the service reports it), and only one not
 * yet ended is stopped ({@link BuildExecutor#stop}). Nothing here fails the new build: a stop that fails is logged and
 * listed, and the build stays remembered for the next push (or its end event) to deal with.
 */
@ApplicationScoped
public class SupersededBuilds {
    private static final Logger LOG = Logger.getLogger(SupersededBuilds.class);
    /** What a stopped build's stopped reason starts with (ECS keeps it); never the timeout's. */
    public static final String STOP_REASON = "ecr-build-push: superseded";

    private final IdempotencyTables tables;
    private final Executors executors;

    @Inject
    public SupersededBuilds(IdempotencyTables tables, Executors executors) {
        this.tables = tables;
        this.executors = executors;
    }

    /**
     * What cancelling superseded builds did for a new build, in its answer ({@code cancelSuperseded}).
     *
     * @param push         the build's place in its ref's order (0 when none could be taken)
     * @param stopped      the earlier builds of the ref it found running, and what became of each
     * @param supersededBy when a newer push's build had started already: that push; this build was then stopped
     *                     itself (its own entry in {@code stopped})
     * @param note         what could not be done, when anything could not
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(long push, List<Stop> stopped, Newer supersededBy, String note) {
        public Report {
            stopped = List.copyOf(stopped);
        }

        static Report note(String note) {
            return new Report(0, List.of(), null, note);
        }
    }

    /** A newer push of the ref, and its build when it is still remembered (null once it has ended). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Newer(long push, String buildId) {
    }

    /** What became of one build that was to be stopped. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stop(String buildId, long push, Result result, String reason) {
    }

    public enum Result {
        /** Stopped: it ends STOPPED as its executor reports it. */
        STOPPED,
        /** It had ended already: nothing to stop. */
        ENDED,
        /** Not the function's, by its ID or as read back: never stopped. */
        REFUSED,
        /** The stop (or the read-back before it) failed: logged, and left to the next push. */
        FAILED
    }

    /**
     * The decision, pure: of the other builds remembered in the sequence, those to stop (a lower position), and the
     * newer push that supersedes this build, if any (a higher position remembered, or a higher one started already).
     */
    record Decision(List<SupersededStore.Running> older, Newer newer) {
        static Decision of(long position, SupersededStore.Sequence sequence) {
            List<SupersededStore.Running> older = sequence.others().stream().filter(r -> r.position() < position)
                    .sorted(Comparator.comparingLong(SupersededStore.Running::position)).toList();
            Newer newer = sequence.others().stream().filter(r -> r.position() > position)
                    .max(Comparator.comparingLong(SupersededStore.Running::position))
                    .map(r -> new Newer(r.position(), r.buildId())).orElse(null);
            if (newer == null && sequence.newest() > position) {
                newer = new Newer(sequence.newest(), null);
            }
            return new Decision(older, newer);
        }
    }

    /**
     * Runs one build of the trigger ({@code submit}) in the ref's order: takes the delivery's place in
     * {@code sequence} first, then, once the build has started, stops what it supersedes. The pull-request path
     * calls it with its own sequence (a pull request's new commits supersede its earlier builds). A trigger without
     * {@code cancelSuperseded} just runs {@code submit}.
     *
     * @param sequence the ref's identity, the same for every delivery of it ({@link
     *                 dev.ecrpush.trigger.TriggerPayloads#refSequence})
     * @return the submitted build, with what it stopped ({@link Report}) when it started
     */
    public TriggeredBuild run(Trigger trigger, String sequence, Supplier<TriggeredBuild> submit) {
        if (!trigger.cancelSuperseded()) {
            return submit.get();
        }
        if (!tables.configured()) {
            LOG.warnf("trigger %s: cancelSuperseded needs the idempotency table (buildpush.idempotency.table); earlier"
                    + " builds of %s are not stopped", trigger.name(), sequence);
            return withReport(submit.get(), Report.note("no idempotency table is configured (buildpush.idempotency.table),"
                    + " so the builds of the ref are not kept: earlier ones were not stopped"));
        }
        long position;
        try {
            position = tables.superseded().arrive(sequence);
        } catch (RuntimeException e) {
            LOG.warnf("trigger %s: no place in the order of %s (%s); the build runs, and stops nothing", trigger.name(),
                    sequence, e.getMessage());
            return withReport(submit.get(), Report.note("the order of the ref's pushes could not be kept (" + e.getMessage()
                    + "): earlier builds were not stopped"));
        }
        TriggeredBuild build = submit.get();
        String buildId = startedBuild(build);
        if (buildId == null) {
            // A duplicate, a failure, a plan: nothing started, so nothing is superseded by it.
            return build;
        }
        return withReport(build, started(trigger.name(), sequence, position, buildId));
    }

    /**
     * Remembers the started build at its delivery's {@code position} of the sequence, stops the older builds it
     * finds, and stops the build itself when a newer push has started one already.
     */
    Report started(String trigger, String sequence, long position, String buildId) {
        SupersededStore store = tables.superseded();
        SupersededStore.Sequence seen;
        try {
            seen = store.start(trigger, sequence, position, buildId);
        } catch (RuntimeException e) {
            LOG.warnf("build %s: not remembered in %s (%s); earlier builds were not stopped", buildId, sequence, e.getMessage());
            return new Report(position, List.of(), null, "the build could not be remembered (" + e.getMessage()
                    + "): earlier builds were not stopped, and a later push will not stop it");
        }
        Decision decision = Decision.of(position, seen);
        List<Stop> stops = new ArrayList<>();
        for (SupersededStore.Running older : decision.older()) {
            stops.add(stop(store, sequence, older, "by build " + buildId + " (push " + position + ")"));
        }
        if (decision.newer() != null) {
            String by = decision.newer().buildId() == null ? "push " + decision.newer().push()
                    : "build " + decision.newer().buildId() + " (push " + decision.newer().push() + ")";
            LOG.infof("build %s (push %d of %s) started after %s: superseded itself", buildId, position, sequence, by);
            stops.add(stop(store, sequence, new SupersededStore.Running(buildId, position), "by " + by));
        }
        return new Report(position, stops, decision.newer(), null);
    }

    /**
     * Stops one remembered build, if it is the function's and has not ended. It is forgotten unless the stop failed,
     * so a failed stop is tried again by the next push, and its end event forgets it.
     */
    private Stop stop(SupersededStore store, String sequence, SupersededStore.Running build, String by) {
        String buildId = build.buildId();
        Stop stop = stopBuild(build, STOP_REASON + " " + by);
        LOG.infof("superseded build %s (push %d of %s) %s: %s", buildId, build.position(), sequence, stop.result(),
                stop.reason() == null ? by : stop.reason());
        if (stop.result() != Result.FAILED) {
            try {
                store.forget(sequence, buildId);
            } catch (RuntimeException e) {
                LOG.warnf("build %s: not forgotten in %s (%s); its end event forgets it", buildId, sequence, e.getMessage());
            }
        }
        return stop;
    }

    private Stop stopBuild(SupersededStore.Running build, String reason) {
        String buildId = build.buildId();
        BuildExecutor executor = executors.owning(buildId);
        if (executor == null) {
            return new Stop(buildId, build.position(), Result.REFUSED, "not a build ID of any executor");
        }
        String foreign = executor.foreignBuild(buildId);
        if (foreign != null) {
            return new Stop(buildId, build.position(), Result.REFUSED, foreign);
        }
        try {
            BuildStatusResult now = executor.status(buildId);
            if (now.status().terminal()) {
                return new Stop(buildId, build.position(), Result.ENDED, "it had ended: " + now.status());
            }
            executor.stop(buildId, reason);
            return new Stop(buildId, build.position(), Result.STOPPED, null);
        } catch (NotAllowedException notTheFunctions) {
            return new Stop(buildId, build.position(), Result.REFUSED, notTheFunctions.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("superseded build %s was not stopped: %s", buildId, e.getMessage());
            return new Stop(buildId, build.position(), Result.FAILED, e.getMessage());
        }
    }

    /** What became of a build's state change here; for the log and the tests. */
    public enum Forgotten {
        /** Not remembered (not such a trigger's build, or forgotten already), or not ended. */
        NONE,
        /** It has ended, as read back: forgotten. */
        FORGOTTEN
    }

    /**
     * A build's state changed: a remembered build that has ended, as its executor reads it back, is forgotten. What
     * the event says is not trusted on its own: a forged end event cannot spare a running build from being stopped.
     *
     * @param status the build as its executor reads it back; asked only when the build is remembered, and throws
     *               {@link NotAllowedException} for a build that is not the function's
     */
    public Forgotten onBuildEvent(String buildId, Supplier<BuildStatusResult> status) {
        if (!tables.configured()) {
            return Forgotten.NONE;
        }
        SupersededStore store = tables.superseded();
        SupersededStore.Remembered remembered = store.remembered(buildId);
        if (remembered == null || !status.get().status().terminal()) {
            return Forgotten.NONE;
        }
        store.forget(remembered.sequence(), buildId);
        return Forgotten.FORGOTTEN;
    }

    /** The ID of the build a run started; null when it started none. */
    private static String startedBuild(TriggeredBuild build) {
        return build.result() instanceof StepResult result && StepResult.STARTED.equals(result.status()) ? result.buildId() : null;
    }

    private static TriggeredBuild withReport(TriggeredBuild build, Report report) {
        return build.withCancelSuperseded(report);
    }
}
