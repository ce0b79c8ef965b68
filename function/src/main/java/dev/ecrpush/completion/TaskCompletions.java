package dev.ecrpush.completion;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.step.SecretText;

/**
 * Completes the Step Functions task a run was given ({@code taskToken}) when its build ends: the run stores the
 * token with the build ({@link #await}), and the build's state-change event completes it ({@link #onStateChange})
 * with {@code SendTaskSuccess} (build ID, image URIs, the digest the build reported) or {@code SendTaskFailure}
 * (the outcome as {@code error}, the failed phase as {@code cause}). A state change for a build no task waits
 * for is acknowledged and ignored.
 */
@ApplicationScoped
public class TaskCompletions {
    private static final Logger LOG = Logger.getLogger(TaskCompletions.class);
    /** Step Functions' answers for a token whose task is over or never was: nothing left to complete. */
    private static final List<String> TASK_GONE = List.of("TaskDoesNotExist", "TaskTimedOut", "InvalidToken");
    private static final int MAX_CAUSE = 32_768;

    private final AwsClients clients;
    private final IdempotencyTables tables;
    private final ObjectMapper json;
    private volatile SfnClient sfn;

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
        TaskTokenStore.Entry entry = store().await(buildId, taskToken, imageUris);
        if (entry instanceof TaskTokenStore.Entry.Ended ended) {
            LOG.infof("build %s has already ended; completing the new task with its outcome", buildId);
            send(taskToken, ended.outcome(), buildId);
        }
    }

    /** The digest of the image a build pushed, as the build reported it; null when it reported none. */
    @FunctionalInterface
    public interface BuildDigests {
        String digest(String buildId);
    }

    /**
     * Completes the task waiting for the build in {@code change}, if there is one.
     *
     * @param digests asked only when the build succeeded and a task waits for it
     */
    public Map<String, Object> onStateChange(StateChange change, BuildDigests digests) {
        if (change instanceof StateChange.Running running) {
            return answer("IGNORED", change.buildId(), "the build is " + running.status() + ", not over");
        }
        StateChange.Ended ended = (StateChange.Ended) change;
        if (!tables.configured()) {
            return answer("IGNORED", change.buildId(), "no idempotency table is configured, so no task token is kept");
        }
        TaskTokenStore.Entry entry = store().find(ended.buildId());
        if (!(entry instanceof TaskTokenStore.Entry.Waiting waiting)) {
            return answer("IGNORED", change.buildId(), entry == null
                    ? "no task token is stored for this build"
                    : "its task was already completed");
        }
        TaskOutcome outcome = ended.outcome() == StateChange.Outcome.SUCCEEDED
                ? success(ended.buildId(), waiting.imageUris(), digests)
                : failure(ended);
        boolean delivered = send(waiting.taskToken(), outcome, ended.buildId());
        store().ended(ended.buildId(), outcome);
        String status = !delivered ? "TASK_GONE" : outcome instanceof TaskOutcome.Success ? "TASK_SUCCEEDED" : "TASK_FAILED";
        return answer(status, ended.buildId(), ended.outcome() + " in phase " + ended.phase());
    }

    private TaskOutcome success(String buildId, List<String> imageUris, BuildDigests digests) {
        String digest = digest(buildId, digests);
        BuildStatusResult result = new BuildStatusResult(buildId, BuildStatusResult.Status.SUCCEEDED, "COMPLETED",
                imageUris, digest, null);
        return new TaskOutcome.Success(json.valueToTree(result).toString());
    }

    private static TaskOutcome failure(StateChange.Ended ended) {
        String cause = "build " + ended.buildId() + " " + ended.outcome() + " in phase " + ended.phase()
                + (ended.reason().isEmpty() ? "" : ": " + ended.reason());
        return new TaskOutcome.Failure(ended.outcome().error(),
                cause.length() > MAX_CAUSE ? cause.substring(0, MAX_CAUSE) : cause);
    }

    /** A build that cannot be read back leaves the digest out rather than failing a task whose build succeeded. */
    private static String digest(String buildId, BuildDigests digests) {
        try {
            return digests.digest(buildId);
        } catch (BuildPushException e) {
            LOG.warnf("the digest of build %s could not be read: %s", buildId, e.getMessage());
            return null;
        }
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

    private static Map<String, Object> answer(String status, String buildId, String reason) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", status);
        answer.put("buildId", buildId);
        answer.put("reason", reason);
        return answer;
    }

    private TaskTokenStore store() {
        return new TaskTokenStore(tables.table(), json);
    }

    private SfnClient sfn() {
        SfnClient current = sfn;
        if (current == null) {
            synchronized (this) {
                if (sfn == null) {
                    sfn = clients.sfn(clients.functionRegion(), clients.functionCredentials());
                }
                current = sfn;
            }
        }
        return current;
    }

    @PreDestroy
    void close() {
        SfnClient current = sfn;
        if (current != null) {
            current.close();
        }
    }
}
