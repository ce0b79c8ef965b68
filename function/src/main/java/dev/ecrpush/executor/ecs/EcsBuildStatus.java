package dev.ecrpush.executor.ecs;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;
import software.amazon.awssdk.services.ecs.model.Task;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.executor.ecs.EcsTaskStatus.Snapshot;
import dev.ecrpush.executor.ecs.EcsTaskStatus.Verdict;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.PhaseTimings;
import dev.ecrpush.launch.PushedImages;
import dev.ecrpush.launch.StashedParameter;

/**
 * The status of an ECS build, read back with {@code DescribeTasks} for a status request and for the completion of
 * a Step Functions task alike, and judged by {@link EcsTaskStatus}. ECS has no task timeout, so whichever of the
 * two sees a task running past its step timeout first stops it ({@code StopTask}) and reports TIMED_OUT. Once the
 * task has succeeded, the digest is the one the plugin container printed last ({@link EcsPluginLogs#digestOf}); where
 * its time went is read from the task's timestamps ({@link EcsTimings}).
 */
public final class EcsBuildStatus {
    private static final Logger LOG = Logger.getLogger(EcsBuildStatus.class);
    /** The longest reason {@code StopTask} takes. */
    private static final int MAX_REASON = 255;

    /** The function's own ECS client in a region (a task ARN names its region). */
    @FunctionalInterface
    public interface Clusters {
        EcsClient ecs(String region);
    }

    /** The last events of a task's plugin container log (oldest first), where the build printed its digest. */
    @FunctionalInterface
    public interface PluginLogs {
        List<OutputLogEvent> tail(EcsTaskArn task);
    }

    private final Clusters clusters;
    private final PluginLogs logs;
    private final Clock clock;
    private final EcsOwnTasks own;

    /**
     * @param clusters the function's own ECS client per region
     * @param logs     the plugin container's log, for the digest of this build
     * @param clock    what "now" is when a task's age is held against its timeout
     * @param own      which tasks are the function's: no other is reported or stopped
     */
    public EcsBuildStatus(Clusters clusters, PluginLogs logs, Clock clock, EcsOwnTasks own) {
        this.clusters = clusters;
        this.logs = logs;
        this.clock = clock;
        this.own = own;
    }

    /**
     * @throws LaunchFailedException                       when ECS knows no such task (stopped tasks are kept
     *                                                     for about an hour)
     * @throws NotAllowedException                         when the task is not the function's, by its ARN (before
     *                                                     any call) or as ECS reports it (before it is stopped)
     * @throws IllegalArgumentException                    when {@code taskArn} is not a long-format task ARN
     * @throws dev.ecrpush.error.ThrottledException        when AWS still throttles after the SDK's retries
     */
    public BuildStatusResult status(String taskArn) {
        EcsTaskArn arn = EcsTaskArn.parse(taskArn);
        String foreign = own.foreignArn(arn);
        if (foreign != null) {
            throw new NotAllowedException("buildId: " + foreign);
        }
        DescribeTasksResponse response;
        try {
            response = clusters.ecs(arn.region()).describeTasks(r -> r.cluster(arn.cluster()).tasks(taskArn));
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "ecs.DescribeTasks", "task " + taskArn);
        }
        if (response.tasks().isEmpty()) {
            String reason = response.failures().isEmpty() ? "MISSING" : response.failures().get(0).reason();
            throw new LaunchFailedException("ecs task " + taskArn + " was not found in cluster " + arn.cluster() + " (" + reason
                    + "); ECS keeps a stopped task for about an hour");
        }
        Task task = response.tasks().get(0);
        // What the event or the request said is not evidence: the task ECS reports must be the function's, or
        // nothing is reported, completed or stopped for it.
        foreign = taskArn.equals(task.taskArn()) ? own.foreignTask(task)
                : "ECS answered for task " + task.taskArn() + " when asked for " + taskArn;
        if (foreign != null) {
            throw new NotAllowedException("buildId: " + foreign);
        }
        Instant now = clock.instant();
        return act(Snapshot.of(task), now, stashed(task, arn.region()), EcsTimings.of(task, now));
    }

    /** The parameters the task's secrets were stashed in, as its source container's overrides name them. */
    private static List<StashedParameter> stashed(Task task, String region) {
        List<StashedParameter> parameters = new ArrayList<>();
        if (task.overrides() != null) {
            task.overrides().containerOverrides().stream().filter(o -> EcsTaskLayout.SOURCE_CONTAINER.equals(o.name()))
                    .flatMap(o -> o.environment().stream())
                    .filter(pair -> EcsTaskLayout.STASHED_PARAMETERS.equals(pair.name()) && pair.value() != null)
                    .flatMap(pair -> Arrays.stream(pair.value().split(",")))
                    .filter(name -> !name.isBlank())
                    .forEach(name -> parameters.add(new StashedParameter(region, name.strip())));
        }
        return parameters;
    }

    private BuildStatusResult act(Snapshot task, Instant now, List<StashedParameter> stashed, PhaseTimings timings) {
        Verdict verdict = EcsTaskStatus.judge(task, now);
        if (verdict.stopForTimeout()) {
            stop(task.taskArn(), verdict.reason());
        }
        PushedImages images = new PushedImages(task.pluginEnv());
        String digest = verdict.status() == Status.SUCCEEDED ? digest(task.taskArn()) : null;
        return new BuildStatusResult(task.taskArn(), verdict.status(), verdict.phase(), images.imageUris(), digest,
                verdict.reason(), stashed, timings);
    }

    /** A log that cannot be read leaves the digest out rather than failing a build that has succeeded. */
    private String digest(String taskArn) {
        try {
            return EcsPluginLogs.digestOf(logs.tail(EcsTaskArn.parse(taskArn)));
        } catch (SdkException e) {
            LOG.warnf("the digest of task %s could not be read from its log: %s", taskArn, e.getMessage());
            return null;
        }
    }

    private void stop(String taskArn, String reason) {
        EcsTaskArn arn = EcsTaskArn.parse(taskArn);
        stop(clusters.ecs(arn.region()), arn, reason);
    }

    /**
     * Stops the task with {@code reason}, cut to the 255 characters {@code StopTask} takes: the task's stopped reason,
     * which tells a timeout ({@link EcsTaskLayout#TIMEOUT_STOP_REASON}) from any other stop.
     */
    static void stop(EcsClient ecs, EcsTaskArn arn, String reason) {
        String kept = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON);
        try {
            ecs.stopTask(r -> r.cluster(arn.cluster()).task(arn.arn()).reason(kept));
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "ecs.StopTask", "task " + arn.arn());
        }
        LOG.infof("stopped ECS task %s: %s", arn.arn(), kept);
    }
}
