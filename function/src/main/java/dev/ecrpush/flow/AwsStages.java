package dev.ecrpush.flow;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.quarkus.runtime.Startup;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.ExecutorCheck;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.PluginImageCheck;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.KnownRepositories;
import dev.ecrpush.registry.RepositoryCheck;
import dev.ecrpush.registry.RepositoryDefaults;
import dev.ecrpush.registry.RepositoryEnsurer;
import dev.ecrpush.result.StepResult;

/**
 * The stages after the plan: credentials for the target account, the repositories, the launch on the plan's
 * executor. Clients are the factory's, kept for warm invocations; so are the target credentials (the resolver's)
 * and the repositories known to exist. Made at start-up, so that a repository setting that is not valid (an
 * account given as the build principal) stops the function's init, naming its key, before any payload is taken.
 */
@ApplicationScoped
@Startup
public class AwsStages {
    private final AwsClients clients;
    private final CredentialsResolver credentials;
    private final Executors executors;
    private final RepositoryDefaults repositoryDefaults;
    private final KnownRepositories known = new KnownRepositories();

    @Inject
    public AwsStages(AwsClients clients, CredentialsResolver credentials, Executors executors, ServiceConfig config) {
        this.clients = clients;
        this.credentials = credentials;
        this.executors = executors;
        this.repositoryDefaults = RepositoryDefaults.from(config.repository());
    }

    /** Ensures the repositories, then starts the build. Nothing is started when any earlier stage fails. */
    public StepResult run(Plan plan) {
        BuildExecutor executor = executorOf(plan);
        PluginImageCheck.require(plan);
        executor.requireRunnable(plan);
        boolean created = new RepositoryEnsurer(targetEcr(plan), repositoryDefaults, known).ensure(plan);
        LaunchResult launch = executor.launch(plan);
        return StepResult.started(plan, launch, created);
    }

    /** The same credentials and read-only checks: nothing is created or started. */
    public StepResult preflight(Plan plan) {
        BuildExecutor executor = executorOf(plan);
        PluginImageCheck.require(plan);
        executor.requireRunnable(plan);
        List<RepositoryCheck> repositories = new RepositoryEnsurer(targetEcr(plan), repositoryDefaults, known).check(plan);
        ExecutorCheck check = executor.preflight(plan);
        return StepResult.preflightOk(plan, repositories, check);
    }

    /**
     * A status request: the build as its executor reports it, and the digest once pushed.
     *
     * @throws InvalidStepException when no executor owns such a build ID
     */
    public BuildStatusResult status(String buildId) {
        BuildExecutor executor = executors.owning(buildId);
        if (executor == null) {
            throw new InvalidStepException("buildId: a status request is " + executors.buildIdForms()
                    + " alone, as a run returned it");
        }
        return executor.status(buildId);
    }

    private BuildExecutor executorOf(Plan plan) {
        return executors.of(plan.payload().executor().type());
    }

    /** The target's ECR client, kept while its credentials are: the resolver hands out the same provider until then. */
    private EcrClient targetEcr(Plan plan) {
        Region region = Region.of(plan.payload().step().spec().region());
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), region);
        return clients.ecr(region, provider);
    }
}
