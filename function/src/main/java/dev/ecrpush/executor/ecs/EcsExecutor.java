package dev.ecrpush.executor.ecs;

import java.time.Clock;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.ExecutorType;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.ExecutorCheck;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.plan.LaunchInput;
import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.step.ExecutorSpec;
import dev.ecrpush.step.Fields;
import dev.ecrpush.step.Infra;
import dev.ecrpush.step.Problems;
import dev.ecrpush.step.Rules;

/**
 * Builds as ECS Fargate tasks in the function's own account: a {@code source} container clones the commit, then
 * the kaniko plugin builds and pushes ({@link EcsTaskLayout}). Task definitions are registered per content and
 * reused ({@link TaskDefinitions}); ECS has no task timeout, so the status enforces the step's
 * ({@link EcsBuildStatus}).
 */
@Singleton
public class EcsExecutor implements BuildExecutor {
    static final ExecutorType KIND = ExecutorType.ECS;
    private static final Set<String> FIELDS = Set.of("type", "cluster", "subnets", "securityGroups", "assignPublicIp");
    private static final int MAX_SUBNETS = 16;
    private static final int MAX_SECURITY_GROUPS = 5;

    private final EcsSettings settings;
    private final AwsClients clients;
    private final Clock clock;
    private final TaskDefinitions.Known knownTaskDefinitions = new TaskDefinitions.Known();

    @Inject
    public EcsExecutor(ServiceConfig config, AwsClients clients) {
        this(EcsSettings.from(config.ecs()), clients, Clock.systemUTC());
    }

    /**
     * @param clients the function's clients; unused by the pure parts (parsing and planning)
     * @param clock   what "now" is when a task's age is held against its timeout
     */
    public EcsExecutor(EcsSettings settings, AwsClients clients, Clock clock) {
        this.settings = settings;
        this.clients = clients;
        this.clock = clock;
    }

    @Override
    public ExecutorType kind() {
        return KIND;
    }

    @Override
    public ExecutorSpec parse(Fields executor, Infra infra, Problems problems) {
        if (executor == null) {
            // The default executor is CodeBuild's; a payload on ECS names it, so this is never reached without fields.
            problems.error("executor", "is required to run on ECS");
            return null;
        }
        executor.allowOnly(FIELDS, Set.of());
        String cluster = executor.optionalText("cluster");
        EcsOwnTasks own = EcsOwnTasks.of(settings);
        if (cluster != null && settings.cluster() != null && !own.isFunctionCluster(cluster)) {
            // The function reads back, completes and stops tasks of its own cluster only, and the stack's role runs
            // tasks there only: a task elsewhere would be orphaned.
            problems.error("executor.cluster", Rules.quoted(cluster) + " is not the function's ECS cluster ("
                    + settings.cluster() + ", buildpush.ecs.cluster); leave it out or name that one");
        }
        cluster = cluster != null ? cluster : settings.cluster();
        // awsvpc's own bounds: RunTask takes at most 16 subnets and 5 security groups.
        List<String> subnets = executor.has("subnets") ? executor.textList("subnets", true, MAX_SUBNETS) : settings.subnets();
        List<String> groups = executor.has("securityGroups") ? executor.textList("securityGroups", true, MAX_SECURITY_GROUPS)
                : settings.securityGroups();
        boolean publicIp = executor.bool("assignPublicIp", settings.assignPublicIp());
        if (cluster == null) {
            problems.error("executor.cluster", "is required: no default ECS cluster is configured");
        }
        if (subnets.isEmpty()) {
            problems.error("executor.subnets", "must list at least one subnet: none is configured by default");
        }
        for (int i = 0; i < subnets.size(); i++) {
            if (!subnets.get(i).matches("subnet-[0-9a-f]{8,17}")) {
                problems.error("executor.subnets[" + i + "]", Rules.quoted(subnets.get(i)) + " is not a subnet ID");
            }
        }
        for (int i = 0; i < groups.size(); i++) {
            if (!groups.get(i).matches("sg-[0-9a-f]{8,17}")) {
                problems.error("executor.securityGroups[" + i + "]", Rules.quoted(groups.get(i)) + " is not a security group ID");
            }
        }
        return cluster == null ? null : new EcsSpec(cluster, subnets, groups, publicIp, settings.gitTokenHost());
    }

    @Override
    public LaunchRequest plan(ExecutorSpec executor, LaunchInput input) {
        return EcsRequests.launch((EcsSpec) executor, input, settings);
    }

    /** Also refuses a run without a configured cluster: no task elsewhere would ever be read back or completed. */
    @Override
    public void requireRunnable(Plan plan) {
        if (settings.cluster() == null) {
            throw new LaunchFailedException("executor: the ECS executor runs tasks only in its configured cluster; set"
                    + " buildpush.ecs.cluster (BUILDPUSH_ECS_CLUSTER)");
        }
        EcsLauncher.requireRunnable(plan);
    }

    @Override
    public LaunchResult launch(Plan plan) {
        return launcher().launch(plan);
    }

    @Override
    public ExecutorCheck preflight(Plan plan) {
        return launcher().check(plan);
    }

    @Override
    public boolean owns(String buildId) {
        return EcsTaskArn.matches(buildId);
    }

    @Override
    public String buildIdForm() {
        return "arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID";
    }

    /** A task outside the configured cluster and region, by its ARN. */
    @Override
    public String foreignBuild(String buildId) {
        return EcsOwnTasks.of(settings).foreignArn(EcsTaskArn.parse(buildId));
    }

    @Override
    public BuildStatusResult status(String buildId) {
        return new EcsBuildStatus(region -> ecs(Region.of(region)),
                new EcsPluginLogs(region -> clients.logs(Region.of(region), clients.functionCredentials()), settings.logGroup()),
                clock, EcsOwnTasks.of(settings)).status(buildId);
    }

    @Override
    public void stop(String buildId, String reason) {
        EcsTaskArn arn = EcsTaskArn.parse(buildId);
        String foreign = EcsOwnTasks.of(settings).foreignArn(arn);
        if (foreign != null) {
            throw new NotAllowedException("buildId: " + foreign);
        }
        EcsBuildStatus.stop(ecs(Region.of(arn.region())), arn, reason);
    }

    @Override
    public boolean readsBackEveryEvent() {
        return true;
    }

    @Override
    public boolean readsEvent(String source, String detailType) {
        return source.equals("aws.ecs") && detailType.equals("ECS Task State Change");
    }

    @Override
    public String buildIdOf(JsonNode event) {
        String taskArn = event.path("detail").path("taskArn").asText("");
        if (!owns(taskArn)) {
            throw new InvalidStepException("detail.taskArn: an ECS task state change must name the task's ARN");
        }
        return taskArn;
    }

    private EcsLauncher launcher() {
        Region region = Region.of(settings.region());
        EcsClient client = ecs(region);
        return new EcsLauncher(client, clients.ssm(region, clients.functionCredentials()),
                new TaskDefinitions(client, knownTaskDefinitions));
    }

    private EcsClient ecs(Region region) {
        return clients.ecs(region, clients.functionCredentials());
    }
}
