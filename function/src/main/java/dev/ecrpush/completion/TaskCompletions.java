package dev.ecrpush.completion;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.step.SecretText;

/**
 * Completes the Step Functions tasks runs were given ({@code taskToken}) when their build ends: a run stores its
 * token with the build ({@link #await}), next to those of earlier tasks waiting for the same build (none is ever
 * replaced), and the build's state-change event completes every one ({@link #onBuildEvent})
 * with {@code SendTaskSuccess} (build ID, image URIs, the digest the build reported, its phase timings) or
 * {@code SendTaskFailure}
 * (the outcome as {@code error}, the failed phase as {@code cause}). A state change for a build no task waits
 * for is acknowledged and ignored.
 */
@ApplicationScoped
public class TaskCompletions {
    private static final Logger LOG = Logger.getLogger(TaskCompletions.class);
    /** Step Functions' answers for a token whose task is over or never was: nothing left to complete. */
    private static final List<String> TASK_GONE = List.of("TaskDoesNotExist", "TaskTimedOut", "InvalidToken");
    private static final int MAX_CAUSE = 32_768;
    /** The {@code error} of a task whose build pushed an image that failed its scan gate (docs/scan-gate.md). */
    public static final String SCAN_GATE_FAILED = "ScanGateFailed";

    private final AwsClients clients;
    private final IdempotencyTables tables;
    private final ObjectMapper json;

    /** What became of a build's state change. */
    public record Answer(Status status, String buildId, String reason) {
    }

    public enum Status {
        /** No task waits for the build, or it is not over. */
        IGNORED,
        /** Step Functions no longer knows the task (timed out, or completed elsewhere). */
        TASK_GONE,
        TASK_SUCCEEDED,
        TASK_FAILED
    }

    @Inject
    public TaskCompletions(AwsClients clients, IdempotencyTables tables, ObjectMapper json) {
        this.clients = clients;
        this.tables = tables;
        this.json = json;
    }

    /** Whether task tokens can be kept at all (an idempotency table is configured). */
    public boolean available() {
        return tables.configured();
    }

    /**
     * Makes the build complete {@code taskToken} when it ends; a build that already ended completes it now.
     *
     * @param imageUris the images the build pushes, for the task's output
     */
    public void await(String buildId, SecretText taskToken, List<String> imageUris) {
        await(buildId, taskToken, imageUris, null);
    }

    /**
     * The same, keeping the function's own time to the build's launch ({@code functionMillis}; null when not known)
     * for the task's output. The first run that waits for the build keeps it: the build is that run's.
     */
    public void await(String buildId, SecretText taskToken, List<String> imageUris, Long functionMillis) {
        TaskTokenStore.Entry entry = store().await(buildId, taskToken, imageUris, functionMillis);
        if (entry instanceof TaskTokenStore.Entry.Ended ended) {
            LOG.infof("build %s has already ended; completing the new task with its outcome", buildId);
            send(taskToken, ended.outcome(), buildId);
        }
    }

    /**
     * Completes {@code taskToken} at once with {@code SendTaskSuccess} for a run that started nothing because its image
     * exists ({@code ALREADY_BUILT}): no build event will ever come for it. The output has the status, the image URIs,
     * the digest (as a build's completion has them), the repository and the function's own time; nothing of the plan.
     * A task that is gone already is logged, as for a build.
     *
     * @param result the run's result, as returned (or as first returned, for a repeat of its idempotency key)
     */
    public void alreadyBuilt(SecretText taskToken, JsonNode result) {
        ObjectNode output = json.createObjectNode();
        output.put("status", result.path("status").asText());
        for (String field : List.of("registry", "repository", "digest")) {
            if (result.path(field).isTextual()) {
                output.put(field, result.path(field).asText());
            }
        }
        output.set("imageUris", result.path("imageUris").isArray() ? result.get("imageUris") : json.createArrayNode());
        JsonNode millis = result.path("timings").path("functionMillis");
        if (millis.canConvertToLong()) {
            output.putObject("timings").put("functionMillis", millis.asLong());
        }
        send(taskToken, new TaskOutcome.Success(output.toString()), "(none: already built as " + output.path("digest").asText() + ")");
    }

    /**
     * Completes the task waiting for {@code buildId}, if there is one, when the build has ended. The build is read
     * back ({@code status}) only when a task waits for it: what the event said is never trusted on its own.
     *
     * @param status the build as its executor judges it now (a status request's answer); asked at most once
     */
    public Answer onBuildEvent(String buildId, Supplier<BuildStatusResult> status) {
        if (!tables.configured()) {
            return new Answer(Status.IGNORED, buildId, "no idempotency table is configured, so no task token is kept");
        }
        TaskTokenStore.Entry entry = store().find(buildId);
        if (!(entry instanceof TaskTokenStore.Entry.Waiting waiting)) {
            return new Answer(Status.IGNORED, buildId, entry == null
                    ? "no task token is stored for this build"
                    : "its task was already completed");
        }
        BuildStatusResult build = status.get();
        if (!build.status().terminal()) {
            return new Answer(Status.IGNORED, buildId, "the build is " + build.status() + ", not over");
        }
        TaskOutcome outcome = build.status() == BuildStatusResult.Status.SUCCEEDED
                ? success(build.succeededWith(waiting.imageUris()), waiting.functionMillis())
                : failure(build);
        boolean delivered = false;
        RuntimeException undelivered = null;
        for (SecretText token : waiting.taskTokens()) {
            try {
                delivered |= send(token, outcome, buildId);
            } catch (RuntimeException e) {
                // The other tasks are still completed; the event then fails, and its retry finds this one waiting.
                undelivered = undelivered == null ? e : undelivered;
            }
        }
        if (undelivered != null) {
            throw undelivered;
        }
        List<SecretText> late = new ArrayList<>(store().ended(buildId, outcome));
        late.removeAll(waiting.taskTokens());
        for (SecretText token : late) {
            // Stored while this build was being read back: the outcome is recorded now, so no retry of this event
            // would find it; a failure here is logged, never thrown.
            try {
                delivered |= send(token, outcome, buildId);
            } catch (RuntimeException e) {
                LOG.warnf("a task that began waiting for build %s as it ended was not completed: %s", buildId, e.getMessage());
            }
        }
        Status answer = !delivered ? Status.TASK_GONE
                : outcome instanceof TaskOutcome.Success ? Status.TASK_SUCCEEDED : Status.TASK_FAILED;
        return new Answer(answer, buildId, build.status() + " in phase " + build.phase());
    }

    /**
     * The build as read back (its timings too), with the images the waiting run asked for, and the function's own
     * time to its launch as {@code timings.functionMillis}, as the run's result has it (left out when not kept).
     */
    private TaskOutcome success(BuildStatusResult result, Long functionMillis) {
        JsonNode output = json.valueToTree(result);
        if (functionMillis != null && output instanceof ObjectNode object) {
            JsonNode timings = object.get("timings");
            (timings instanceof ObjectNode known ? known : object.putObject("timings")).put("functionMillis", functionMillis);
        }
        return new TaskOutcome.Success(output.toString());
    }

    private static TaskOutcome failure(BuildStatusResult build) {
        String cause = "build " + build.buildId() + " " + build.status() + " in phase " + build.phase()
                + (build.reason() == null || build.reason().isEmpty() ? "" : ": " + build.reason());
        // A build whose image did not pass its scan gate is told apart from one that failed to build.
        return new TaskOutcome.Failure(build.scanGateFailed() ? SCAN_GATE_FAILED : build.status().taskError(),
                cause.length() > MAX_CAUSE ? cause.substring(0, MAX_CAUSE) : cause);
    }

    /** @return false when Step Functions no longer knows the task (timed out, or already completed) */
    private boolean send(SecretText taskToken, TaskOutcome outcome, String buildId) {
        try {
            if (outcome instanceof TaskOutcome.Success success) {
                sfn().sendTaskSuccess(r -> r.taskToken(taskToken.value()).output(success.output()));
            } else if (outcome instanceof TaskOutcome.Failure failure) {
                sfn().sendTaskFailure(r -> r.taskToken(taskToken.value()).error(failure.error()).cause(failure.cause()));
            }
            LOG.infof("completed the task of build %s: %s", buildId,
                    outcome instanceof TaskOutcome.Failure f ? f.error() : "success");
            return true;
        } catch (AwsServiceException e) {
            if (TASK_GONE.contains(AwsFailures.errorCode(e))) {
                LOG.warnf("the task of build %s is gone (%s); nothing to complete", buildId, AwsFailures.errorCode(e));
                return false;
            }
            throw AwsFailures.translate(e, "states:SendTask for build " + buildId, InternalErrorException::new);
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "states:SendTask for build " + buildId, InternalErrorException::new);
        }
    }

    private TaskTokenStore store() {
        return new TaskTokenStore(tables.table(), json);
    }

    /** The factory keeps one client per region and credentials, so asking each time costs nothing. */
    private SfnClient sfn() {
        return clients.sfn(clients.functionRegion(), clients.functionCredentials());
    }
}
