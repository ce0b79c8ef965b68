package dev.ecrpush.flow;

import java.util.List;
import java.util.function.Supplier;

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
import dev.ecrpush.idempotency.PlatformBuildStore;
import dev.ecrpush.idempotency.ScanGateStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.ExecutorCheck;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.PluginImageCheck;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.ExistingTags;
import dev.ecrpush.registry.KnownRepositories;
import dev.ecrpush.registry.RepositoryCheck;
import dev.ecrpush.registry.RepositoryDefaults;
import dev.ecrpush.registry.RepositoryEnsurer;
import dev.ecrpush.registry.SigningCheck;
import dev.ecrpush.registry.SigningProfile;
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
    private final PlatformBuilds platforms;
    private final ScanGates gates;
    /** The signing status of a succeeded build's digest (docs/signing.md); null in stages made without it (priming). */
    @Inject
    SigningReports signing;

    @Inject
    public AwsStages(AwsClients clients, CredentialsResolver credentials, Executors executors, ServiceConfig config,
            PlatformBuilds platforms, ScanGates gates) {
        this.clients = clients;
        this.credentials = credentials;
        this.executors = executors;
        this.repositoryDefaults = RepositoryDefaults.from(config.repository());
        this.platforms = platforms;
        this.gates = gates;
    }

    /** Stages without scan gates: a step with {@code scanGate} is refused. */
    public AwsStages(AwsClients clients, CredentialsResolver credentials, Executors executors, ServiceConfig config,
            PlatformBuilds platforms) {
        this(clients, credentials, executors, config, platforms, null);
    }

    /** Stages without an idempotency table: a step of one platform only. */
    public AwsStages(AwsClients clients, CredentialsResolver credentials, Executors executors, ServiceConfig config) {
        this(clients, credentials, executors, config, null);
    }

    /**
     * What a run needs of the function's configuration that no AWS call can change, checked before the run's first
     * call (its idempotency claim): a multi-platform step needs the idempotency table and credentials the function can
     * resolve again when its builds end.
     */
    public void requireRunnable(Plan plan) {
        if (plan.multiPlatform() && platforms == null) {
            throw new InvalidStepException("step.spec.platforms: a multi-platform run keeps its builds in the idempotency"
                    + " table, and these stages have none");
        }
        if (plan.multiPlatform()) {
            platforms.requireRunnable(plan);
        }
        if (plan.payload().step().spec().scanGate() != null && gates == null) {
            throw new InvalidStepException("step.spec.scanGate: a gated run keeps its gate in the idempotency table, and these"
                    + " stages have none");
        }
        if (gates != null) {
            gates.requireRunnable(plan);
        }
    }

    /**
     * Ensures the repositories, then starts the build, or every platform's build of a multi-platform step. Nothing is
     * started when any earlier stage fails.
     */
    public StepResult run(Plan plan) {
        return run(plan, true);
    }

    /**
     * The same; then, before anything is started, the tags it would push as the repository has them
     * ({@link ExistingTags}): a run already built answers {@code ALREADY_BUILT}, a refused one throws
     * {@link dev.ecrpush.error.TagExistsException}. Both come after the policy (held in the plan) and are read with
     * the run's own target credentials, like the repositories.
     *
     * @param skipAllowed false for a monotonic trigger's push, which builds to move its moving tags
     */
    public StepResult run(Plan plan, boolean skipAllowed) {
        BuildExecutor executor = executorOf(plan);
        PluginImageCheck.require(plan);
        requireRunnable(plan);
        executor.requireRunnable(plan);
        EcrClient ecr = targetEcr(plan);
        List<String> createdNames = new RepositoryEnsurer(ecr, repositoryDefaults, known).ensureCreating(plan);
        boolean created = !createdNames.isEmpty();
        // A gated step is never answered ALREADY_BUILT: whether the image its tags name passed a scan is not known here
        // (it may have failed its gate, or have been built without one), so it builds and is judged like any other.
        boolean gated = plan.payload().step().spec().scanGate() != null;
        ExistingTags.Check existing = new ExistingTags(ecr).requireBuildable(plan, createdNames.contains(plan.repository())
                ? "the repository was created by this run, so none of its tags exists" : null, skipAllowed && !gated);
        if (existing.decision() == ExistingTags.Decision.ALREADY_BUILT) {
            return StepResult.alreadyBuilt(plan, existing.digest(), existing, created);
        }
        StepResult started;
        if (plan.multiPlatform()) {
            started = platforms.launch(plan, executor, created);
        } else {
            started = StepResult.started(plan, launchGated(plan, executor), created);
        }
        return existing.worthReporting() ? started.withCheck(StepResult.EXISTING_TAGS, existing) : started;
    }

    /** Starts the build; a gated one's gate is recorded before anything else can see the build end. */
    private LaunchResult launchGated(Plan plan, BuildExecutor executor) {
        LaunchResult launch = executor.launch(plan);
        if (gates != null) {
            try {
                gates.remember(plan, launch.buildId());
            } catch (RuntimeException e) {
                // A build whose gate is not kept would succeed unscanned: it is stopped, and the run fails.
                try {
                    executor.stop(launch.buildId(), "its scan gate could not be recorded");
                } catch (RuntimeException stopFailed) {
                    e.addSuppressed(stopFailed);
                }
                throw e;
            }
        }
        if (signing != null) {
            signing.started(plan, launch.buildId());
        }
        return launch;
    }

    /**
     * The same credentials and read-only checks: nothing is created or started. With a signing profile configured, the
     * profile and the registry's signing rule are checked too ({@link SigningCheck}).
     */
    public StepResult preflight(Plan plan) {
        BuildExecutor executor = executorOf(plan);
        PluginImageCheck.require(plan);
        requireRunnable(plan);
        executor.requireRunnable(plan);
        EcrClient ecr = targetEcr(plan);
        List<RepositoryCheck> repositories = new RepositoryEnsurer(ecr, repositoryDefaults, known).check(plan);
        // What a run would do about its tags; a run that would be refused is refused here too. A repository that does
        // not exist yet would be created empty: nothing to read.
        boolean absent = repositories.stream().anyMatch(r -> r.name().equals(plan.repository()) && !r.exists());
        ExistingTags.Check existing = new ExistingTags(ecr).requireBuildable(plan, absent
                ? "the repository does not exist yet, so none of its tags exists (a run would create it)" : null,
                plan.payload().step().spec().scanGate() == null);
        SigningCheck signingCheck = signingCheck(plan);
        ExecutorCheck check = executor.preflight(plan);
        return StepResult.preflightOk(plan, repositories, existing, check, signingCheck);
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
        return subjectOf(executor, buildId, () -> executor.status(buildId)).status().get();
    }

    /**
     * What a build's state change or status request is about: the build itself, or the multi-platform whole it is one
     * platform's build of ({@link PlatformBuilds}), judged once however often it is asked, with the signing status of its
     * digest once it has succeeded ({@link SigningReports}). A build that is not the function's by its ID is never looked
     * up: {@code own} refuses it.
     *
     * @param own the build as its executor reads it back
     */
    public Subject subjectOf(BuildExecutor executor, String buildId, Supplier<BuildStatusResult> own) {
        boolean ours = executor.foreignBuild(buildId) == null;
        PlatformBuildStore.Group group = platforms != null && ours ? platforms.groupOf(buildId) : null;
        BuildStatusResult[] judged = new BuildStatusResult[1];
        if (group == null) {
            // A gated build: what it is to every caller is what its gate makes of it, judged once.
            ScanGateStore.Gate gate = gates != null && ours ? gates.gateOf(buildId) : null;
            return new Subject(buildId, () -> {
                if (judged[0] == null) {
                    BuildStatusResult read = own.get();
                    judged[0] = signed(buildId, gate == null ? read : gates.judge(gate, read), null);
                }
                return judged[0];
            }, gate != null);
        }
        return new Subject(group.id(), () -> {
            if (judged[0] == null) {
                judged[0] = signed(group.id(), platforms.status(group, executor), group);
            }
            return judged[0];
        });
    }

    private BuildStatusResult signed(String buildId, BuildStatusResult result, PlatformBuildStore.Group group) {
        return signing == null ? result : signing.report(buildId, result, group);
    }

    /**
     * A build, or a multi-platform whole under its first platform's build ID, and how to read it back.
     *
     * @param gated whether the build has a scan gate, which every event has judge (read back) even when no task waits
     */
    public record Subject(String buildId, Supplier<BuildStatusResult> status, boolean gated) {
        public Subject(String buildId, Supplier<BuildStatusResult> status) {
            this(buildId, status, false);
        }
    }

    private BuildExecutor executorOf(Plan plan) {
        return executors.of(plan.payload().executor().type());
    }

    /** Preflight's look at the signing profile and the registry's rule; null when no profile is configured (no call). */
    private SigningCheck signingCheck(Plan plan) {
        SigningProfile profile = repositoryDefaults.signing();
        if (profile == null) {
            return null;
        }
        var spec = plan.payload().step().spec();
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), Region.of(spec.region()));
        return SigningCheck.of(clients.signer(Region.of(profile.region()), provider), targetEcr(plan), profile, spec.account(),
                plan.repository());
    }

    /** The target's ECR client, kept while its credentials are: the resolver hands out the same provider until then. */
    private EcrClient targetEcr(Plan plan) {
        Region region = Region.of(plan.payload().step().spec().region());
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), region);
        return clients.ecr(region, provider);
    }
}
