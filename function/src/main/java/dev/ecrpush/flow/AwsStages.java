package dev.ecrpush.flow;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.launch.BuildStatus;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.CodeBuildLauncher;
import dev.ecrpush.launch.EcsBuildStatus;
import dev.ecrpush.launch.EcsCheck;
import dev.ecrpush.launch.EcsLauncher;
import dev.ecrpush.launch.EcsPluginLogs;
import dev.ecrpush.launch.EcsTaskArn;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.PluginImageCheck;
import dev.ecrpush.launch.ProjectCheck;
import dev.ecrpush.launch.TaskDefinitions;
import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.KnownRepositories;
import dev.ecrpush.registry.RepositoryCheck;
import dev.ecrpush.registry.RepositoryDefaults;
import dev.ecrpush.registry.RepositoryEnsurer;
import dev.ecrpush.result.StepResult;

/**
 * The stages after the plan: credentials for the target account, the repositories, the launch. The
 * function's own clients are made on first use (never during init, for SnapStart) and kept for warm
 * invocations, as are the target credentials, the repositories known to exist and the ECS task definition
 * revisions known to exist.
 */
@ApplicationScoped
public class AwsStages {
    private final AwsClients clients;
    private final CredentialsResolver credentials;
    private final RepositoryDefaults repositoryDefaults;
    private final KnownRepositories known = new KnownRepositories();
    private final TaskDefinitions.Known knownTaskDefinitions = new TaskDefinitions.Known();
    private final Region buildRegion;
    private final Region ecsRegion;
    /** The function's own clients by region; made on first use. */
    private final Map<Region, CodeBuildClient> codeBuild = new ConcurrentHashMap<>();
    private final Map<Region, SsmClient> ssm = new ConcurrentHashMap<>();
    private final Map<Region, EcsClient> ecs = new ConcurrentHashMap<>();
    private final Map<Region, CloudWatchLogsClient> logs = new ConcurrentHashMap<>();
    private final String ecsLogGroup;
    private final Clock clock;
    /** Target ECR clients by region and credentials, least recently used first; a few targets per function is usual. */
    private final Map<TargetClientKey, EcrClient> targetClients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<TargetClientKey, EcrClient> eldest) {
            if (size() > MAX_TARGET_CLIENTS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    private static final int MAX_TARGET_CLIENTS = 16;

    /** Providers compare by identity: a refreshed target gets a new provider, and so a new client. */
    private record TargetClientKey(Region region, AwsCredentialsProvider provider) {
    }

    @Inject
    public AwsStages(AwsClients clients, CredentialsResolver credentials, ServiceConfig config) {
        this(clients, credentials, config, Clock.systemUTC());
    }

    AwsStages(AwsClients clients, CredentialsResolver credentials, ServiceConfig config, Clock clock) {
        this.clients = clients;
        this.credentials = credentials;
        ServiceConfig.Repository repository = config.repository();
        this.repositoryDefaults = new RepositoryDefaults(repository.scanOnPush(),
                RepositoryDefaults.TagMutability.valueOf(repository.tagMutability()), repository.kmsKey().orElse(null),
                repository.untaggedExpiryDays(), repository.cacheImagesKept(), repository.buildPrincipal().orElse(null));
        this.buildRegion = Region.of(config.codebuild().region().orElseGet(Settings::functionRegion));
        this.ecsRegion = Region.of(config.ecs().region().orElseGet(Settings::functionRegion));
        this.ecsLogGroup = config.ecs().logGroup();
        this.clock = clock;
    }

    /** Ensures the repositories, then starts the build. Nothing is started when any earlier stage fails. */
    public StepResult run(Plan plan) {
        PluginImageCheck.require(plan);
        if (plan.launch() instanceof LaunchRequest.Ecs) {
            EcsLauncher.requireRunnable(plan);
        }
        boolean created = new RepositoryEnsurer(targetEcr(plan), repositoryDefaults, known).ensure(plan);
        LaunchResult launch = plan.launch() instanceof LaunchRequest.Ecs
                ? ecsLauncher().launch(plan)
                : codeBuildLauncher().launch(plan);
        return StepResult.started(plan, launch, created);
    }

    /** The same credentials and read-only checks: nothing is created or started. */
    public StepResult preflight(Plan plan) {
        PluginImageCheck.require(plan);
        if (plan.launch() instanceof LaunchRequest.Ecs) {
            EcsLauncher.requireRunnable(plan);
        }
        List<RepositoryCheck> repositories = new RepositoryEnsurer(targetEcr(plan), repositoryDefaults, known).check(plan);
        if (plan.launch() instanceof LaunchRequest.CodeBuild codeBuild) {
            ProjectCheck check = codeBuildLauncher().check(codeBuild.request().projectName());
            return StepResult.preflightOk(plan, repositories, check);
        }
        EcsCheck check = ecsLauncher().check(plan);
        return StepResult.preflightOk(plan, repositories, check);
    }

    /** A status request: the build as CodeBuild or ECS reports it, and the digest once pushed. */
    public BuildStatusResult status(String buildId) {
        if (EcsTaskArn.matches(buildId)) {
            return ecsStatus().status(buildId);
        }
        return new BuildStatus(codeBuild(buildRegion)).status(buildId);
    }

    /**
     * An EventBridge "ECS Task State Change" event's {@code detail}, for the completion of a waiting task
     * token: the status as a status request would report it, after stopping a task that has outrun its step
     * timeout. Complete the token when {@link BuildStatusResult.Status#terminal()}.
     *
     * @throws IllegalArgumentException when {@code detail} is not an ECS task's
     */
    public BuildStatusResult ecsTaskStateChange(JsonNode detail) {
        return ecsStatus().stateChange(detail);
    }

    private EcsBuildStatus ecsStatus() {
        return new EcsBuildStatus(region -> ecs(Region.of(region)),
                new EcsPluginLogs(region -> logs(Region.of(region)), ecsLogGroup), clock);
    }

    /** The target's ECR client, kept while its credentials are: the resolver hands out the same provider until then. */
    private EcrClient targetEcr(Plan plan) {
        Region region = Region.of(plan.payload().step().spec().region());
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), region);
        synchronized (targetClients) {
            return targetClients.computeIfAbsent(new TargetClientKey(region, provider), k -> clients.ecr(region, provider));
        }
    }

    private CodeBuildLauncher codeBuildLauncher() {
        return new CodeBuildLauncher(codeBuild(buildRegion), ssm(buildRegion));
    }

    private EcsLauncher ecsLauncher() {
        EcsClient client = ecs(ecsRegion);
        return new EcsLauncher(client, ssm(ecsRegion), new TaskDefinitions(client, knownTaskDefinitions));
    }

    private CodeBuildClient codeBuild(Region region) {
        return codeBuild.computeIfAbsent(region, r -> clients.codeBuild(r, clients.functionCredentials()));
    }

    private SsmClient ssm(Region region) {
        return ssm.computeIfAbsent(region, r -> clients.ssm(r, clients.functionCredentials()));
    }

    private CloudWatchLogsClient logs(Region region) {
        return logs.computeIfAbsent(region, r -> clients.logs(r, clients.functionCredentials()));
    }

    private EcsClient ecs(Region region) {
        return ecs.computeIfAbsent(region, r -> clients.ecs(r, clients.functionCredentials()));
    }

    @PreDestroy
    void close() {
        for (Map<Region, ? extends SdkClient> own : List.of(codeBuild, ssm, ecs, logs)) {
            own.values().forEach(SdkClient::close);
        }
        synchronized (targetClients) {
            targetClients.values().forEach(EcrClient::close);
            targetClients.clear();
        }
    }
}
