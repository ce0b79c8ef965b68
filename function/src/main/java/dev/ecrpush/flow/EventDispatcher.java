package dev.ecrpush.flow;

import java.io.IOException;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.completion.CodeBuildStateChanges;
import dev.ecrpush.completion.EcsTaskStateChanges;
import dev.ecrpush.completion.StateChange;
import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.EcsTaskArn;
import dev.ecrpush.launch.EcsTaskStatus;

/**
 * Decides what a non-HTTP event is and hands it to the stage that owns it: an EventBridge event by its
 * {@code source} and {@code detail-type} (a Scheduled Event, a CodeBuild build or ECS task state change); a
 * status request, {@code {"buildId": ...}} alone; everything else is read as a step payload, so a payload that
 * lacks its {@code step} still gets every problem listed.
 */
@ApplicationScoped
public class EventDispatcher {
    /** What {@code <+trigger.type>} is for a direct invocation (Step Functions, the CLI, sam local invoke). */
    static final String DIRECT_TRIGGER = "manual";
    static final String SCHEDULED_EVENT = "Scheduled Event";
    static final String CODEBUILD_STATE_CHANGE = "CodeBuild Build State Change";
    static final String ECS_TASK_STATE_CHANGE = "ECS Task State Change";

    @Inject
    ObjectMapper json;

    @Inject
    StepService steps;

    @Inject
    AwsStages aws;

    @Inject
    ScheduledRebuilds schedules;

    @Inject
    TaskCompletions completions;

    public Object dispatch(byte[] event) {
        JsonNode root = read(event);
        if (isEventBridge(root)) {
            return eventBridge(root);
        }
        if (root.isObject() && root.has("buildId") && !root.has("step")) {
            return aws.status(buildId(root));
        }
        return steps.handle(root, DIRECT_TRIGGER);
    }

    private Object eventBridge(JsonNode event) {
        String source = event.path("source").asText();
        String type = event.path("detail-type").asText();
        // EventBridge rules send their own Scheduled Event; an EventBridge Scheduler schedule (the template's)
        // sends its input, which the template shapes as one from aws.scheduler.
        if ((source.equals("aws.events") || source.equals("aws.scheduler")) && type.equals(SCHEDULED_EVENT)) {
            return schedules.run(event);
        }
        if (source.equals("aws.codebuild") && type.equals(CODEBUILD_STATE_CHANGE)) {
            return completions.onStateChange(CodeBuildStateChanges.read(event), this::digest);
        }
        if (source.equals("aws.ecs") && type.equals(ECS_TASK_STATE_CHANGE)) {
            return completions.onStateChange(ecsStateChange(event), this::digest);
        }
        throw new InvalidStepException("detail-type: the function handles the EventBridge events \"" + SCHEDULED_EVENT
                + "\" (aws.events, aws.scheduler), \"" + CODEBUILD_STATE_CHANGE + "\" (aws.codebuild) and \"" + ECS_TASK_STATE_CHANGE
                + "\" (aws.ecs), not \"" + type + "\" from " + source);
    }

    /**
     * The step timeout is enforced here as well as by status requests, whichever sees the task first: a task
     * still running past it is stopped and its waiting task fails as timed out; a task the function stopped
     * for that reason ends as timed out, not as stopped by someone.
     */
    private StateChange ecsStateChange(JsonNode event) {
        StateChange change = EcsTaskStateChanges.read(event);
        if (change instanceof StateChange.Running) {
            BuildStatusResult status = aws.ecsTaskStateChange(event.path("detail"));
            if (status.status() == BuildStatusResult.Status.TIMED_OUT) {
                return new StateChange.Ended(change.buildId(), StateChange.Outcome.TIMED_OUT, status.phase(),
                        status.reason() == null ? "" : status.reason());
            }
        } else if (change instanceof StateChange.Ended ended && ended.outcome() == StateChange.Outcome.STOPPED
                && EcsTaskStatus.ofStateChange(event.path("detail"), Instant.now()).status() == BuildStatusResult.Status.TIMED_OUT) {
            return new StateChange.Ended(ended.buildId(), StateChange.Outcome.TIMED_OUT, ended.phase(), ended.reason());
        }
        return change;
    }

    /** The digest the build itself reported, read back from the build as a status request reads it. */
    private String digest(String buildId) {
        return aws.status(buildId).digest();
    }

    /** EventBridge's envelope: no step payload has these fields. */
    private static boolean isEventBridge(JsonNode root) {
        return root.isObject() && root.path("detail-type").isTextual() && root.path("source").isTextual()
                && root.has("detail");
    }

    /** A CodeBuild build ID ({@code PROJECT:UUID}) or an ECS task ARN, alone, as a run returned it. */
    private static String buildId(JsonNode request) {
        JsonNode id = request.get("buildId");
        boolean known = id.isTextual() && (id.asText().matches("[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[0-9a-f-]{36}")
                || EcsTaskArn.matches(id.asText()));
        if (request.size() != 1 || !known) {
            throw new InvalidStepException("buildId: a status request is {\"buildId\": \"PROJECT:BUILD-UUID\"} or"
                    + " {\"buildId\": \"arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID\"} alone, as a run returned it");
        }
        return id.asText();
    }

    private JsonNode read(byte[] event) {
        try {
            JsonNode root = json.readTree(event);
            if (root == null || root.isMissingNode()) {
                throw new InvalidStepException("payload: is empty; send a step payload (a JSON object)");
            }
            return root;
        } catch (JsonParseException e) {
            // The parser's message quotes the input, which may hold a token: say where, not what.
            throw new InvalidStepException("payload: is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new InvalidStepException("payload: could not be read as JSON");
        }
    }
}
