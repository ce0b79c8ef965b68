package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.StashCleanup;
import dev.ecrpush.step.PayloadJson;
import dev.ecrpush.step.Rules;
import dev.ecrpush.step.TriggerType;

/**
 * Decides what a non-HTTP event is and hands it to the stage that owns it: an EventBridge event by its
 * {@code source} and {@code detail-type} (a Scheduled Event, an executor's build state change, or a scan event of
 * ECR or Inspector for a scan gate, {@link ScanGates}); the scan gates' sweep, {@code {"scanGateSweep": {}}}; a status
 * request, {@code {"buildId": ...}} alone; everything else is read as a step payload, so a payload that
 * lacks its {@code step} still gets every problem listed. Every event is read strictly and within a size
 * ({@link PayloadJson}).
 */
@ApplicationScoped
public class EventDispatcher {
    private static final Logger LOG = Logger.getLogger(EventDispatcher.class);
    static final String SCHEDULED_EVENT = "Scheduled Event";
    /** ECR's basic scanning event, and Inspector's for enhanced scanning (docs/scan-gate.md). */
    static final String ECR_IMAGE_SCAN = "ECR Image Scan";
    static final String INSPECTOR_SCAN = "Inspector2 Scan";
    /** The sweep's input, as the template's schedule sends it: {@code {"scanGateSweep": {}}}. */
    static final String SCAN_GATE_SWEEP = "scanGateSweep";

    private final StepService steps;
    private final AwsStages aws;
    private final ScheduledRebuilds schedules;
    private final TaskCompletions completions;
    private final Executors executors;
    private final StashCleanup stashes;
    private final TagMoves tagMoves;
    private final SupersededBuilds superseded;
    private final CommitStatuses statuses;
    private final ScanGates gates;

    /** A dispatcher without scan gates: scan events and sweeps are refused. */
    public EventDispatcher(StepService steps, AwsStages aws, ScheduledRebuilds schedules, TaskCompletions completions,
            Executors executors, StashCleanup stashes, TagMoves tagMoves, SupersededBuilds superseded,
            CommitStatuses statuses) {
        this(steps, aws, schedules, completions, executors, stashes, tagMoves, superseded, statuses, null);
    }

    @Inject
    public EventDispatcher(StepService steps, AwsStages aws, ScheduledRebuilds schedules, TaskCompletions completions,
            Executors executors, StashCleanup stashes, TagMoves tagMoves, SupersededBuilds superseded,
            CommitStatuses statuses, ScanGates gates) {
        this.steps = steps;
        this.aws = aws;
        this.schedules = schedules;
        this.completions = completions;
        this.executors = executors;
        this.stashes = stashes;
        this.tagMoves = tagMoves;
        this.superseded = superseded;
        this.statuses = statuses;
        this.gates = gates;
    }

    public Object dispatch(byte[] event) {
        JsonNode root = PayloadJson.read(event);
        if (isEventBridge(root)) {
            return eventBridge(root);
        }
        if (root.isObject() && root.has("buildId") && !root.has("step")) {
            return aws.status(buildId(root));
        }
        if (root.isObject() && root.size() == 1 && root.has(SCAN_GATE_SWEEP) && gates != null) {
            return sweep();
        }
        return steps.handle(root, TriggerType.MANUAL);
    }

    private Object eventBridge(JsonNode event) {
        String source = event.path("source").asText();
        String type = event.path("detail-type").asText();
        // EventBridge rules send their own Scheduled Event; an EventBridge Scheduler schedule (the template's)
        // sends its input, which the template shapes as one from aws.scheduler.
        if ((source.equals("aws.events") || source.equals("aws.scheduler")) && type.equals(SCHEDULED_EVENT)) {
            return schedules.run(event);
        }
        if (gates != null && (source.equals("aws.ecr") && type.equals(ECR_IMAGE_SCAN)
                || source.equals("aws.inspector2") && type.equals(INSPECTOR_SCAN))) {
            return scanEvent(event);
        }
        BuildExecutor executor = executors.reading(source, type);
        if (executor != null) {
            return buildEvent(executor, executor.buildIdOf(event), event);
        }
        throw new InvalidStepException("detail-type: the function handles the EventBridge events \"" + SCHEDULED_EVENT
                + "\" (aws.events, aws.scheduler) and its executors' build events, not " + Rules.quoted(type) + " from "
                + Rules.shown(source));
    }

    /**
     * A build's state changed: its waiting task, if any, is completed with the build as its executor reads it back
     * (the event only says which build), and a monotonic run's build that succeeded moves its moving tags. An
     * executor that acts on every event (ECS, which stops a task past its step timeout) reads the build back even
     * when no task waits. A build a {@code cancelSuperseded} trigger remembers is forgotten once it has ended. A build
     * that is not the function's, by its ID or as read back, changes nothing: no task is
     * completed, nothing is stopped, no tag is moved, and the event is acknowledged as IGNORED with the reason (a
     * forged event is no error to retry). A build that reports commit statuses has its end sent to its Git host
     * ({@link CommitStatuses}). An event that mentions the OIDC stash prefix has the build read back too,
     * and once it has ended its stashed token is deleted ({@link StashCleanup}).
     */
    private Object buildEvent(BuildExecutor executor, String buildId, JsonNode event) {
        String foreign = executor.foreignBuild(buildId);
        if (foreign != null) {
            return new TaskCompletions.Answer(TaskCompletions.Status.IGNORED, buildId, foreign);
        }
        BuildStatusResult[] read = new BuildStatusResult[1];
        Supplier<BuildStatusResult> status = () -> {
            if (read[0] == null) {
                read[0] = executor.status(buildId);
            }
            return read[0];
        };
        TaskCompletions.Answer answer;
        AwsStages.Subject subject;
        try {
            if (executor.readsBackEveryEvent()) {
                status.get();
            }
            // One platform's build of a multi-platform step: the task, the tags and the host wait for the whole.
            subject = aws.subjectOf(executor, buildId, status);
            if (subject.gated()) {
                // The gate is judged on every event, waiting task or not: it is how a scan gets its verdict.
                subject.status().get();
            }
            answer = completions.onBuildEvent(subject.buildId(), subject.status());
        } catch (NotAllowedException notTheFunctions) {
            // Thrown by the read-back alone, before anything was sent or stopped.
            return new TaskCompletions.Answer(TaskCompletions.Status.IGNORED, buildId, notTheFunctions.getMessage());
        }
        moveTags(subject.buildId(), subject.status());
        forgetEnded(subject.buildId(), subject.status());
        if (event != null && stashes.mayConcern(event)) {
            try {
                stashes.buildEnded(status.get());
            } catch (RuntimeException e) {
                // The task is completed; a stash left behind is swept later, so this event is not failed for it.
                LOG.warnf("the OIDC token stash of build %s was not deleted: %s", buildId, e.getMessage());
            }
        }
        // Last: the host hears of the build's end once the function has done its own part of it.
        statuses.onBuildEvent(subject.buildId(), subject.status());
        return answer;
    }

    /**
     * A monotonic run's build that succeeded moves its trigger's moving tags ({@link TagMoves}); the task is
     * completed already, so nothing here fails the event.
     */
    private void moveTags(String buildId, Supplier<BuildStatusResult> status) {
        try {
            TagMoves.Outcome outcome = tagMoves.onBuildEvent(buildId, status);
            if (outcome != TagMoves.Outcome.NONE) {
                LOG.infof("build %s: moving tags %s", buildId, outcome);
            }
        } catch (NotAllowedException notTheFunctions) {
            LOG.warnf("build %s: not the function's as read back (%s); no tag moved", buildId, notTheFunctions.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("build %s: its moving tags were not moved: %s", buildId, e.getMessage());
        }
    }

    /**
     * A build a {@code cancelSuperseded} trigger remembers is forgotten once it has ended, as read back
     * ({@link SupersededBuilds}); nothing here fails the event: a build not forgotten is only read back again by the
     * next push of its ref, which finds it ended.
     */
    private void forgetEnded(String buildId, Supplier<BuildStatusResult> status) {
        try {
            if (superseded.onBuildEvent(buildId, status) == SupersededBuilds.Forgotten.FORGOTTEN) {
                LOG.infof("build %s: ended; no longer among its ref's running builds", buildId);
            }
        } catch (NotAllowedException notTheFunctions) {
            LOG.warnf("build %s: not the function's as read back (%s); not forgotten", buildId, notTheFunctions.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("build %s: not forgotten among its ref's running builds: %s", buildId, e.getMessage());
        }
    }

    /**
     * A scan finished or changed: each build whose gate the function recorded for that very image (repository, digest,
     * account, region) is judged again, as its state-change event would be: read back, and its scan read with the
     * gate's own credentials. The event chooses nothing else; what it says of the scan is never believed. An image no
     * gate judges is acknowledged as IGNORED.
     */
    private Object scanEvent(JsonNode event) {
        List<String> builds = gates.buildsScanning(event);
        if (builds.isEmpty()) {
            return new TaskCompletions.Answer(TaskCompletions.Status.IGNORED, null,
                    "no scan gate the function recorded judges this image");
        }
        return judgeAgain(builds, event);
    }

    /**
     * The fallback when no scan event comes (lost, or sent to another account's bus): every pending gate is judged
     * again, as a status request would, and its task completed once it has a verdict. Bounded by the gate's timeout.
     */
    private Object sweep() {
        List<String> pending = gates.pending();
        return pending.isEmpty() ? List.of() : judgeAgain(pending, null);
    }

    private Object judgeAgain(List<String> builds, JsonNode event) {
        List<TaskCompletions.Answer> answers = new ArrayList<>();
        for (String buildId : builds) {
            BuildExecutor executor = executors.owning(buildId);
            if (executor == null) {
                answers.add(new TaskCompletions.Answer(TaskCompletions.Status.IGNORED, buildId, "no executor owns this build"));
                continue;
            }
            try {
                answers.add((TaskCompletions.Answer) buildEvent(executor, buildId, event));
            } catch (RuntimeException e) {
                // One build's failure leaves the others judged; its gate is judged again by the next event or sweep.
                LOG.warnf("build %s: its scan gate was not judged again: %s", buildId, e.getMessage());
                answers.add(new TaskCompletions.Answer(TaskCompletions.Status.IGNORED, buildId, e.getMessage()));
            }
        }
        return answers.size() == 1 ? answers.get(0) : answers;
    }

    /** EventBridge's envelope: no step payload has these fields. */
    private static boolean isEventBridge(JsonNode root) {
        return root.isObject() && root.path("detail-type").isTextual() && root.path("source").isTextual()
                && root.has("detail");
    }

    /** A build ID alone, as a run returned it; which executor's it is, the status request finds out. */
    private String buildId(JsonNode request) {
        JsonNode id = request.get("buildId");
        if (request.size() != 1 || !id.isTextual() || executors.owning(id.asText()) == null) {
            throw new InvalidStepException("buildId: a status request is " + executors.buildIdForms()
                    + " alone, as a run returned it");
        }
        return id.asText();
    }
}
