package dev.ecrpush.executor.ecs;

import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Cluster;
import software.amazon.awssdk.services.ecs.model.DescribeClustersResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskResponse;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.launch.ConsoleLinks;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.SecretStash;
import dev.ecrpush.plan.Plan;

/**
 * Starts a plan's build as an ECS task on Fargate, in the function's own account with its own clients:
 * stashes inline secrets ({@link SecretStash}), makes sure the task definition revision exists
 * ({@link TaskDefinitions}), then sends the plan's {@code RunTask} request pinned to that revision. The
 * result's {@code buildId} is the task ARN, which status requests take.
 */
public final class EcsLauncher {
    private static final Logger LOG = Logger.getLogger(EcsLauncher.class);

    private final EcsClient ecs;
    private final SsmClient ssm;
    private final TaskDefinitions definitions;

    /**
     * @param ecs         the function's own client, in the region the tasks run in
     * @param ssm         the function's own client in the same region: ECS reads stashed parameters by name,
     *                    which works only in the task's region
     * @param definitions the task definitions, on the same client
     */
    public EcsLauncher(EcsClient ecs, SsmClient ssm, TaskDefinitions definitions) {
        this.ecs = ecs;
        this.ssm = ssm;
        this.definitions = definitions;
    }

    /**
     * Fails before any AWS call when the configuration cannot run a task: Fargate needs an execution role to
     * pull the images, read the {@code secrets} and write the logs.
     *
     * @throws LaunchFailedException naming the configuration key
     */
    public static void requireRunnable(Plan plan) {
        if (ecs(plan).taskDefinition().executionRoleArn() == null) {
            throw new LaunchFailedException("executor: the ECS executor needs a task execution role; set"
                    + " buildpush.ecs.execution-role-arn (BUILDPUSH_ECS_EXECUTION_ROLE_ARN)");
        }
    }

    /**
     * Starts the task. The request's {@code clientToken} makes a repeated call with the same idempotency key
     * start at most one task.
     *
     * @throws LaunchFailedException                when ECS refuses the definition or the task, or cannot place
     *                                              it (the {@code failures} of the answer, with their reasons)
     * @throws dev.ecrpush.error.ThrottledException when AWS still throttles or fails after the SDK's retries
     */
    public LaunchResult launch(Plan plan) {
        requireRunnable(plan);
        EcsLaunch launch = ecs(plan);
        SecretStash.store(plan, ssm);
        String revision = definitions.ensure(launch.taskDefinition());
        RunTaskRequest request = launch.request().toBuilder().taskDefinition(revision).build();
        RunTaskResponse response;
        try {
            response = ecs.runTask(request);
        } catch (SdkException e) {
            // The revision may have been deregistered since it was cached: look it up again next time.
            definitions.forget(launch.taskDefinition());
            throw AwsFailures.launch(e, "ecs.RunTask", "cluster " + request.cluster() + " in " + region());
        }
        if (!response.failures().isEmpty() || response.tasks().isEmpty()) {
            throw new LaunchFailedException("ecs.RunTask could not place the task on cluster " + request.cluster() + " in "
                    + region() + ": " + describe(response));
        }
        Task task = response.tasks().get(0);
        LOG.infof("started ECS task %s (%s) for %s", task.taskArn(), revision, plan.repository());
        // A short-format ARN (an account that never opted in to the long format) names no cluster to link to.
        EcsTaskArn arn = EcsTaskArn.matches(task.taskArn()) ? EcsTaskArn.parse(task.taskArn()) : null;
        String logsUrl = arn == null ? null : ConsoleLinks.ecsTask(arn.region(), arn.cluster(), arn.taskId());
        return new LaunchResult(task.taskArn(), task.taskArn(), logsUrl);
    }

    /**
     * Preflight, read-only: the cluster is active, and whether a run would reuse a task definition revision.
     *
     * @throws LaunchFailedException when the cluster does not exist or is not active, or may not be read
     */
    public EcsCheck check(Plan plan) {
        requireRunnable(plan);
        EcsLaunch launch = ecs(plan);
        String cluster = launch.request().cluster();
        DescribeClustersResponse response;
        try {
            response = ecs.describeClusters(r -> r.clusters(cluster));
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "ecs.DescribeClusters", "cluster " + cluster + " in " + region());
        }
        Cluster found = response.clusters().isEmpty() ? null : response.clusters().get(0);
        if (found == null || !"ACTIVE".equals(found.status())) {
            throw new LaunchFailedException("ecs cluster " + cluster + " in " + region() + " is "
                    + (found == null ? "not there" : found.status()) + "; create it or name another with executor.cluster");
        }
        return new EcsCheck(found.clusterArn(), found.status(), launch.taskDefinition().family(),
                definitions.find(launch.taskDefinition()));
    }

    private static EcsLaunch ecs(Plan plan) {
        if (!(plan.launch() instanceof EcsLaunch launch)) {
            throw new IllegalArgumentException("the plan launches on " + plan.launch().getClass().getSimpleName() + ", not ECS");
        }
        return launch;
    }

    /** Each failure as ECS states it: {@code RESOURCE:ENI (detail) for arn}. */
    private static String describe(RunTaskResponse response) {
        if (response.failures().isEmpty()) {
            return "ECS started no task and gave no reason";
        }
        return response.failures().stream().map(EcsLauncher::describe).collect(Collectors.joining("; "));
    }

    private static String describe(Failure failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure.reason()));
        if (failure.detail() != null && !failure.detail().isBlank()) {
            text.append(" (").append(failure.detail()).append(')');
        }
        if (failure.arn() != null) {
            text.append(" for ").append(failure.arn());
        }
        return text.toString();
    }

    private String region() {
        return ecs.serviceClientConfiguration().region().id();
    }
}
