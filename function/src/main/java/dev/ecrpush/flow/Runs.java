package dev.ecrpush.flow;

import java.io.IOException;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorBody;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.idempotency.Claim;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.RunStore;
import dev.ecrpush.idempotency.TagMoveStore;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.result.RunTimings;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.StepPayload;

/**
 * {@code mode: run} with its guarantees: a payload with an {@code idempotencyKey} first claims the key in the
 * idempotency table (when one is configured), so a repeat gets the first result instead of a second build, for
 * as long as the table keeps it; a {@code taskToken} is stored with the started build for its state-change event
 * to complete. The key is bound to the payload's content ({@link dev.ecrpush.step.StepPayload#contentHash}): the
 * same key with another payload is refused, and gets neither the first run's result nor its build's completion.
 */
@ApplicationScoped
public class Runs {
    private static final Logger LOG = Logger.getLogger(Runs.class);

    private final AwsStages aws;
    private final IdempotencyTables tables;
    private final TaskCompletions completions;
    private final ObjectMapper json;
    private final LongSupplier nanos;

    @Inject
    public Runs(AwsStages aws, IdempotencyTables tables, TaskCompletions completions, ObjectMapper json) {
        this(aws, tables, completions, json, System::nanoTime);
    }

    /** @param nanos the monotonic clock of a run given no {@link Stopwatch} (tests give a fake one) */
    Runs(AwsStages aws, IdempotencyTables tables, TaskCompletions completions, ObjectMapper json, LongSupplier nanos) {
        this.aws = aws;
        this.tables = tables;
        this.completions = completions;
        this.json = json;
        this.nanos = nanos;
    }

    public StepOutcome run(Plan plan) {
        return run(plan, null);
    }

    public StepOutcome run(Plan plan, MonotonicRun.Moving moving) {
        return run(plan, moving, Stopwatch.start(nanos));
    }

    /**
     * @param moving a monotonic trigger's tags to move once the build has succeeded; null for none. The run takes
     *               its place in the ref's push order when its key is claimed (a repeat of the delivery takes none),
     *               and its build is recorded with the tags once started.
     * @param stopwatch started when the function took the payload: the result's {@code timings.functionMillis} is read
     *                  from it as the launch answers, and kept with the result and the task token
     */
    public StepOutcome run(Plan plan, MonotonicRun.Moving moving, Stopwatch stopwatch) {
        StepPayload payload = plan.payload();
        if (payload.taskToken() != null && !completions.available()) {
            throw new InvalidStepException("taskToken: cannot be completed: the function keeps task tokens in its"
                    + " idempotency table, and none is configured (buildpush.idempotency.table)");
        }
        if (moving != null && (payload.idempotencyKey() == null || !tables.configured())) {
            throw new InvalidStepException("monotonicTags: the order of the pushes is kept in the idempotency table, and none"
                    + " is configured (buildpush.idempotency.table); without it the build could move " + moving.tags()
                    + " back to an older commit");
        }
        String key = payload.idempotencyKey();
        if (key == null || !tables.configured()) {
            return new StepOutcome.Finished(launch(plan, stopwatch));
        }
        RunStore runs = tables.runs();
        Claim claim = runs.claim(key, payload.contentHash());
        if (claim instanceof Claim.OtherPayload other) {
            LOG.warnf("idempotency key %s: claimed by another payload (content %s, this one %s); refused", key,
                    other.recordedHash() == null ? "not recorded" : other.recordedHash(), payload.contentHash());
            throw new InvalidStepException("idempotencyKey: \"" + key + "\" " + (other.recordedHash() == null
                    ? "belongs to a run recorded before payloads were bound to their keys, so whether this is the same"
                            + " payload cannot be told"
                    : "belongs to a run of another payload")
                    + "; a key stands for one payload only (a retry of the same one gets its result): choose another key");
        }
        if (claim instanceof Claim.Done done) {
            ObjectNode first = readResult(done.resultJson(), key);
            LOG.infof("idempotency key %s: already run (build %s); nothing started", key, first.path("buildId").asText("-"));
            if (payload.taskToken() != null && StepResult.ALREADY_BUILT.equals(first.path("status").asText())) {
                // Nothing was started, so no build event will come: the new task is completed now, as the first was.
                completions.alreadyBuilt(payload.taskToken(), first);
            } else if (payload.taskToken() != null && first.path("buildId").isTextual()) {
                // The build is the first run's: so is the function's time that started it (none in a result kept before).
                JsonNode millis = first.path("timings").path("functionMillis");
                completions.await(first.path("buildId").asText(), payload.taskToken(), plan.imageUris(),
                        millis.canConvertToLong() ? millis.asLong() : null);
            }
            first.put("duplicate", true);
            return new StepOutcome.Duplicate(first);
        }
        if (claim instanceof Claim.InProgress inProgress) {
            LOG.infof("idempotency key %s: a run is in progress since %s; nothing started", key, inProgress.since());
            return new StepOutcome.InProgress(key, inProgress.since());
        }
        StepResult result;
        long position = 0;
        try {
            // The place in the push order is taken as the delivery arrives, before its build starts.
            position = moving == null ? 0 : tables.tagMoves().nextPosition(moving.run().refSequence());
            // A monotonic push's run builds even when its image exists: only a build's success moves its moving tags.
            result = timed(moving == null ? aws.run(plan) : aws.run(plan, false), stopwatch);
        } catch (RuntimeException e) {
            recordFailure(runs, key, e);
            throw e;
        }
        // The started build is recorded before anything else can fail: a failure to keep the task token after
        // this fails the invocation, and its retry gets this build (and keeps the token) instead of a second one.
        runs.complete(key, json.valueToTree(result).toString(), result.buildId());
        if (moving != null && result.buildId() != null) {
            awaitMove(moving, position, result.buildId());
        }
        awaitCompletion(plan, result);
        return new StepOutcome.Finished(result);
    }

    private StepResult launch(Plan plan, Stopwatch stopwatch) {
        StepResult result = timed(aws.run(plan), stopwatch);
        awaitCompletion(plan, result);
        return result;
    }

    /** The launch has answered: the function's own time ends here, before anything is recorded. */
    private static StepResult timed(StepResult started, Stopwatch stopwatch) {
        return started.withTimings(new RunTimings(stopwatch.elapsedMillis()));
    }

    private void awaitCompletion(Plan plan, StepResult result) {
        if (plan.payload().taskToken() != null && StepResult.ALREADY_BUILT.equals(result.status())) {
            completions.alreadyBuilt(plan.payload().taskToken(), json.valueToTree(result));
        } else if (plan.payload().taskToken() != null) {
            completions.await(result.buildId(), plan.payload().taskToken(), result.imageUris(),
                    result.timings() == null ? null : result.timings().functionMillis());
        }
    }

    /**
     * Records the build's moving tags. The build is started and recorded as the key's run by now, so a failure here
     * is logged, not thrown: a retry would get the recorded run and could not record them either, and the build's
     * own tags are pushed all the same; the moving tags then stay where the next push of the ref moves them.
     */
    private void awaitMove(MonotonicRun.Moving moving, long position, String buildId) {
        try {
            tables.tagMoves().await(buildId, new TagMoveStore.Pending(moving.run().trigger(), moving.run().refSequence(),
                    position, moving.payload()));
            LOG.infof("build %s: %s to be moved when it succeeds (push %d of %s)", buildId, moving.tags(), position,
                    moving.run().refSequence());
        } catch (RuntimeException e) {
            LOG.warnf("build %s: its moving tags %s could not be recorded (%s); they are not moved to its image", buildId,
                    moving.tags(), e.getMessage());
        }
    }

    /** The key is freed for the next attempt; a failure to record it must not hide the run's own failure. */
    private void recordFailure(RunStore runs, String key, RuntimeException failure) {
        ErrorBody error = ErrorBody.of(failure instanceof BuildPushException typed ? typed
                : new InternalErrorException(failure.getClass().getSimpleName()));
        try {
            runs.fail(key, json.valueToTree(error).toString());
        } catch (RuntimeException e) {
            LOG.warnf("idempotency key %s: the failure could not be recorded (%s); the key frees itself after the"
                    + " in-progress expiry", key, e.getMessage());
        }
    }

    private ObjectNode readResult(String resultJson, String key) {
        try {
            JsonNode node = json.readTree(resultJson);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (IOException e) {
            // fall through
        }
        throw new InternalErrorException("the stored result of idempotency key " + key + " is not a JSON object");
    }
}
