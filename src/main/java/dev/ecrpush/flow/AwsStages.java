package dev.ecrpush.flow;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.launch.BuildStatus;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.CodeBuildLauncher;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.ProjectCheck;
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
 * invocations, as are the target credentials and the repositories known to exist.
 */
@ApplicationScoped
public class AwsStages {
    private final AwsClients clients;
    private final CredentialsResolver credentials;
    private final RepositoryDefaults repositoryDefaults;
    private final KnownRepositories known = new KnownRepositories();
    private final String buildRegion;
    private volatile Own own;
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

    /** The function's own clients, in the build account's region. */
    private record Own(CodeBuildClient codeBuild, SsmClient ssm) {
    }

    @Inject
    public AwsStages(AwsClients clients, CredentialsResolver credentials, ServiceConfig config) {
        this.clients = clients;
        this.credentials = credentials;
        ServiceConfig.Repository repository = config.repository();
        this.repositoryDefaults = new RepositoryDefaults(repository.scanOnPush(),
                RepositoryDefaults.TagMutability.valueOf(repository.tagMutability()), repository.kmsKey().orElse(null),
                repository.untaggedExpiryDays(), repository.cacheImagesKept(), repository.buildPrincipal().orElse(null));
        this.buildRegion = config.codebuild().region().orElseGet(() -> System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
    }

    /** Ensures the repositories, then starts the build. Nothing is started when any earlier stage fails. */
    public StepResult run(Plan plan) {
        requireCodeBuild(plan);
        boolean created = new RepositoryEnsurer(targetEcr(plan), repositoryDefaults, known).ensure(plan);
        LaunchResult launch = launcher().launch(plan);
        return StepResult.started(plan, launch, created);
    }

    /** The same credentials and read-only checks: nothing is created or started. */
    public StepResult preflight(Plan plan) {
        requireCodeBuild(plan);
        List<RepositoryCheck> repositories = new RepositoryEnsurer(targetEcr(plan), repositoryDefaults, known).check(plan);
        String project = ((LaunchRequest.CodeBuild) plan.launch()).request().projectName();
        ProjectCheck check = launcher().check(project);
        return StepResult.preflightOk(plan, repositories, check);
    }

    /** A status request: the build as CodeBuild reports it, and the digest once pushed. */
    public BuildStatusResult status(String buildId) {
        // The digest is read with the function's own role: the repository's account must allow it.
        return new BuildStatus(own().codeBuild(), (account, region) ->
                clients.ecr(Region.of(region), clients.functionCredentials())).status(buildId);
    }

    /** The target's ECR client, kept while its credentials are: the resolver hands out the same provider until then. */
    private EcrClient targetEcr(Plan plan) {
        Region region = Region.of(plan.payload().step().spec().region());
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), region);
        synchronized (targetClients) {
            return targetClients.computeIfAbsent(new TargetClientKey(region, provider), k -> clients.ecr(region, provider));
        }
    }

    private CodeBuildLauncher launcher() {
        Own clients = own();
        return new CodeBuildLauncher(clients.codeBuild(), clients.ssm());
    }

    private Own own() {
        Own current = own;
        if (current == null) {
            synchronized (this) {
                if (own == null) {
                    Region region = Region.of(buildRegion);
                    own = new Own(clients.codeBuild(region, clients.functionCredentials()),
                            clients.ssm(region, clients.functionCredentials()));
                }
                current = own;
            }
        }
        return current;
    }

    private static void requireCodeBuild(Plan plan) {
        if (!(plan.launch() instanceof LaunchRequest.CodeBuild)) {
            throw new InvalidStepException("executor.type: ECS runs are not supported yet; use mode plan, or CodeBuild");
        }
    }

    @PreDestroy
    void close() {
        synchronized (targetClients) {
            targetClients.values().forEach(EcrClient::close);
            targetClients.clear();
        }
        Own current = own;
        if (current != null) {
            current.codeBuild().close();
            current.ssm().close();
        }
    }
}
