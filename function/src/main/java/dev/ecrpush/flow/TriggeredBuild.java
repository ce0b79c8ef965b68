package dev.ecrpush.flow;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorBody;

/**
 * One build a trigger asked for, as a webhook answer or a schedule's result lists it.
 *
 * @param ref    the pushed ref ({@code refs/heads/main}); null for a schedule
 * @param status the result's status ({@code STARTED}, {@code PLANNED}, ...), {@code DUPLICATE} for a repeat
 *               of a delivery already built, {@code IN_PROGRESS} when that build is still being started,
 *               {@code FAILED}, {@code SKIPPED} when nothing was asked for it, or {@code FILTERED} when the trigger's
 *               filters left the push out (see {@code reason}), or {@code HELD} for a pull request from a fork that
 *               waits for an approval (the reason says how to give it)
 * @param reason why it was skipped or filtered out, naming the filter
 * @param note   for a build asked for, what its filters could not tell and built anyway
 *               ({@code changed files unknown: ...; built}); null otherwise
 * @param result the step result (the first one, for a duplicate)
 * @param error  why it failed, as HTTP callers see every error of the function
 * @param cancelSuperseded for a trigger with {@code cancelSuperseded}: the build's place in its ref's order, and
 *               the earlier builds it stopped (or the newer one that superseded it); null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TriggeredBuild(String trigger, String ref, String status, String reason, String note, Object result,
        ErrorBody error, @JsonIgnore BuildPushException failure, SupersededBuilds.Report cancelSuperseded) {
    /** The status of a build a delivery did not ask for. */
    public static final String SKIPPED = "SKIPPED";
    /** The status of a matching trigger whose filters left the push out. */
    public static final String FILTERED = "FILTERED";

    public TriggeredBuild(String trigger, String ref, String status, String reason, String note, Object result,
            ErrorBody error, BuildPushException failure) {
        this(trigger, ref, status, reason, note, result, error, failure, null);
    }
    /** The status of a pull request from a fork, held until an approver comments {@code /build <sha>} on it. */
    public static final String HELD = "HELD";

    /** Asked for: started, planned, a duplicate, in progress or failed. */
    public TriggeredBuild(String trigger, String ref, String status, Object result, ErrorBody error, BuildPushException failure) {
        this(trigger, ref, status, null, null, result, error, failure);
    }

    public static TriggeredBuild failed(String trigger, String ref, BuildPushException failure) {
        return new TriggeredBuild(trigger, ref, "FAILED", null,
                ErrorBody.of(failure), failure);
    }

    /** Not asked for, and why: no run, no AWS call, nothing remembered. */
    public static TriggeredBuild skipped(String trigger, String ref, String reason) {
        return new TriggeredBuild(trigger, ref, SKIPPED, reason, null, null, null, null);
    }

    /** Left out by the trigger's filters, {@code reason} naming the filter: no run, no AWS call, nothing remembered. */
    public static TriggeredBuild filtered(String trigger, String ref, String reason) {
        return new TriggeredBuild(trigger, ref, FILTERED, reason, null, null, null, null);
    }

    /** Held until an approval, {@code reason} saying how to give it: no run, no AWS call besides the hold's record. */
    public static TriggeredBuild held(String trigger, String ref, String reason) {
        return new TriggeredBuild(trigger, ref, HELD, reason, null, null, null, null);
    }

    /** Whether the trigger's filters left the push out. */
    public boolean filteredOut() {
        return FILTERED.equals(status);
    }

    /** This build, with what its filters could not tell; itself when {@code note} is null. */
    public TriggeredBuild withNote(String note) {
        return note == null ? this : new TriggeredBuild(trigger, ref, status, reason, note, result, error, failure,
                cancelSuperseded);
    }

    /** This build, with what cancelling superseded builds did for it. */
    public TriggeredBuild withCancelSuperseded(SupersededBuilds.Report report) {
        return new TriggeredBuild(trigger, ref, status, reason, note, result, error, failure, report);
    }

    /**
     * The failure that speaks for a whole delivery or schedule: the first retryable one, so that a retry of the
     * whole may help (builds already started come back as duplicates), else the first; null when none failed.
     */
    public static BuildPushException worst(List<TriggeredBuild> builds) {
        BuildPushException first = null;
        for (TriggeredBuild build : builds) {
            if (build.failure() != null && build.failure().retryable()) {
                return build.failure();
            }
            if (first == null) {
                first = build.failure();
            }
        }
        return first;
    }
}
