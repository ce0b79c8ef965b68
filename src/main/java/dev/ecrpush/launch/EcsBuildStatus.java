package dev.ecrpush.launch;

import java.time.Clock;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeTasksResponse;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.launch.EcsTaskStatus.Snapshot;
import dev.ecrpush.launch.EcsTaskStatus.Verdict;

/**
 * The status of an ECS build, from a status request ({@code {"buildId": "<task ARN>"}}) or from an "ECS Task
 * State Change" event, judged by {@link EcsTaskStatus}. ECS has no task timeout, so whichever of the two sees
 * a task running past its step timeout first stops it ({@code StopTask}) and reports TIMED_OUT. Once the task
 * has succeeded, the digest of the pushed image is read back as for CodeBuild.
 */
public final class EcsBuildStatus {
    private static final Logger LOG = Logger.getLogger(EcsBuildStatus.class);

    /** The function's own ECS client in a region (a task ARN names its region). */
    @FunctionalInterface
    public interface Clusters {
        EcsClient ecs(String region);
    }

    private final Clusters clusters;
    private final BuildStatus.Registries registries;
    private final Clock clock;

    /**
     * @param clusters   the function's own ECS client per region
     * @param registries the ECR client for a registry's account and region, for the digest read-back
     * @param clock      what "now" is when a task's age is held against its timeout
     */
    public EcsBuildStatus(Clusters clusters, BuildStatus.Registries registries, Clock clock) {
        this.clusters = clusters;
        this.registries = registries;
        this.clock = clock;
    }

    /**
     * @throws LaunchFailedException                       when ECS knows no such task (stopped tasks are kept
     *                                                     for about an hour)
     * @throws IllegalArgumentException                    when {@code taskArn} is not a long-format task ARN
     * @throws dev.ecrpush.error.ThrottledException        when AWS still throttles after the SDK's retries
     * @throws dev.ecrpush.error.RepositoryFailedException when the digest may not be read back
     */
    public BuildStatusResult status(String taskArn) {
        EcsTaskArn arn = EcsTaskArn.parse(taskArn);
        DescribeTasksResponse response;
        try {
            response = clusters.ecs(arn.region()).describeTasks(r -> r.cluster(arn.cluster()).tasks(taskArn));
        } catch (SdkException e) {
            throw AwsErrorMapping.launch(e, "ecs.DescribeTasks", "task " + taskArn);
        }
        if (response.tasks().isEmpty()) {
            String reason = response.failures().isEmpty() ? "MISSING" : response.failures().get(0).reason();
            throw new LaunchFailedException("ecs task " + taskArn + " was not found in cluster " + arn.cluster() + " (" + reason
                    + "); ECS keeps a stopped task for about an hour");
        }
        return act(Snapshot.of(response.tasks().get(0)));
    }

    /**
     * The status an "ECS Task State Change" event's {@code detail} reports, acted on as a status request
     * would: a task past its timeout is stopped, a succeeded one's digest is read. The caller decides from
     * {@link Status#terminal()} whether to complete a waiting task token.
     *
     * @throws IllegalArgumentException when {@code detail} is not an ECS task's
     */
    public BuildStatusResult stateChange(JsonNode detail) {
        return act(Snapshot.ofEvent(detail));
    }

    private BuildStatusResult act(Snapshot task) {
        Verdict verdict = EcsTaskStatus.judge(task, clock.instant());
        if (verdict.stopForTimeout()) {
            stop(task.taskArn(), verdict.reason());
        }
        PushedImages images = new PushedImages(task.pluginEnv());
        String digest = verdict.status() == Status.SUCCEEDED ? images.digest(registries) : null;
        return new BuildStatusResult(task.taskArn(), verdict.status(), verdict.phase(), images.imageUris(), digest,
                verdict.reason());
    }

    private void stop(String taskArn, String reason) {
        EcsTaskArn arn = EcsTaskArn.parse(taskArn);
        try {
            clusters.ecs(arn.region()).stopTask(r -> r.cluster(arn.cluster()).task(taskArn).reason(reason));
        } catch (SdkException e) {
            throw AwsErrorMapping.launch(e, "ecs.StopTask", "task " + taskArn);
        }
        LOG.infof("stopped ECS task %s: %s", taskArn, reason);
    }
}
