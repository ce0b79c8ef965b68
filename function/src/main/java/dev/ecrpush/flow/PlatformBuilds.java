package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.PlatformBuildStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.StashedParameter;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.registry.ImageIndexWriter;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.Platform;

/**
 * A step with two or more {@code platforms} (docs/executors.md, "Platforms"): one build per platform, started
 * together, each natively on its own architecture and pushing its own tag; the step's tags then name the index the
 * function writes over them. The builds are one build to every caller: the run answers the first platform's build
 * ID, and a status request or a state-change event of any of them is judged for the whole here, once:
 * <ul>
 * <li>one platform that failed, timed out or was stopped fails the whole, naming the platform, and the others still
 * running are stopped;</li>
 * <li>when every platform has succeeded, the index is written ({@link ImageIndexWriter}) and its digest is the
 * whole's; until then the whole is in progress (or queued while every build is).</li>
 * </ul>
 */
@ApplicationScoped
public class PlatformBuilds {
    private static final Logger LOG = Logger.getLogger(PlatformBuilds.class);

    private final IdempotencyTables tables;
    private final AwsClients clients;
    private final CredentialsResolver credentials;

    @Inject
    public PlatformBuilds(IdempotencyTables tables, AwsClients clients, CredentialsResolver credentials) {
        this.tables = tables;
        this.clients = clients;
        this.credentials = credentials;
    }

    /**
     * Fails before any AWS call when the index could not be written later: the group is kept in the idempotency
     * table, and the function signs into the target account again when the last build ends, which a web identity's
     * token (the caller's, good for the start) cannot do.
     */
    public void requireRunnable(Plan plan) {
        if (!tables.configured()) {
            throw new InvalidStepException("step.spec.platforms: a multi-platform run keeps its builds in the idempotency table"
                    + " until the last one ends, and none is configured (buildpush.idempotency.table); build one platform, or"
                    + " configure the table");
        }
        if (plan.credentials().base() instanceof CredentialsPlan.Base.WebIdentity) {
            throw new InvalidStepException("step.spec.platforms: the function writes the image index when the last platform's"
                    + " build ends, signed into the target account again, and an OIDC connector's token is good for the start"
                    + " only; use a connector with access keys or the function's role (with a cross-account role) for a"
                    + " multi-platform image");
        }
    }

    /**
     * Starts every platform's build, then records them as one. When a launch fails, or the record cannot be written,
     * the builds already started are stopped and the failure is thrown: nothing is left running that no one judges.
     */
    public StepResult launch(Plan plan, BuildExecutor executor, boolean repositoryCreated) {
        List<StepResult.PlatformStarted> started = new ArrayList<>();
        try {
            for (Plan.PlatformBuild build : plan.platformBuilds()) {
                LaunchResult launch = executor.launch(plan.forPlatform(build));
                started.add(new StepResult.PlatformStarted(build.platform().wire(), build.imageUri(), launch.buildId(),
                        launch.buildArn(), launch.logsUrl()));
            }
            EcrSpec spec = plan.payload().step().spec();
            List<PlatformBuildStore.Member> members = new ArrayList<>();
            for (int i = 0; i < started.size(); i++) {
                Plan.PlatformBuild build = plan.platformBuilds().get(i);
                members.add(new PlatformBuildStore.Member(build.platform(), started.get(i).buildId(), build.tag()));
            }
            tables.platformBuilds().remember(new PlatformBuildStore.Group(started.get(0).buildId(), members,
                    new PlatformBuildStore.Target(spec.account(), spec.region(), plan.repository(), spec.tags(),
                            plan.credentials()), null));
        } catch (RuntimeException e) {
            stopAll(executor, started.stream().map(StepResult.PlatformStarted::buildId).toList(),
                    "another platform's build of the same image could not be started");
            throw e;
        }
        LOG.infof("started %d platform builds of %s: %s", started.size(), plan.repository(),
                started.stream().map(s -> s.platform() + " " + s.buildId()).toList());
        return StepResult.started(plan, started, repositoryCreated);
    }

    /** The group {@code buildId} belongs to; null when it is a build of one platform, or no table is configured. */
    public PlatformBuildStore.Group groupOf(String buildId) {
        return tables.configured() ? tables.platformBuilds().find(buildId) : null;
    }

    /**
     * The whole, judged from every platform's build as its executor reads it back: a failure stops the others, and
     * success writes the index (once; its digest is kept).
     */
    public BuildStatusResult status(PlatformBuildStore.Group group, BuildExecutor executor) {
        List<BuildStatusResult> builds = new ArrayList<>();
        for (PlatformBuildStore.Member member : group.members()) {
            builds.add(executor.status(member.buildId()));
        }
        List<BuildStatusResult.PlatformStatus> platforms = new ArrayList<>();
        List<StashedParameter> stashed = new ArrayList<>();
        for (int i = 0; i < builds.size(); i++) {
            platforms.add(BuildStatusResult.PlatformStatus.of(group.members().get(i).platform().wire(), builds.get(i)));
            stashed.addAll(builds.get(i).stashedParameters());
        }
        List<String> imageUris = group.target().tags().stream().map(tag -> Planner.registry(
                group.target().account(), group.target().region()) + "/" + group.target().repository() + ":" + tag).toList();
        int failed = failedIndex(builds);
        if (failed >= 0) {
            BuildStatusResult failure = builds.get(failed);
            String platform = group.members().get(failed).platform().wire();
            List<String> running = new ArrayList<>();
            for (int i = 0; i < builds.size(); i++) {
                if (!builds.get(i).status().terminal()) {
                    running.add(builds.get(i).buildId());
                }
            }
            stopAll(executor, running, "the " + platform + " build of the same image " + failure.status());
            return new BuildStatusResult(group.id(), failure.status(), failure.phase(), imageUris, null, platform + ": "
                    + (failure.reason() == null ? "its build " + failure.status() + " in phase " + failure.phase() : failure.reason()),
                    stashed, null, platforms);
        }
        if (builds.stream().anyMatch(b -> !b.status().terminal())) {
            Status status = builds.stream().allMatch(b -> b.status() == Status.QUEUED) ? Status.QUEUED : Status.IN_PROGRESS;
            return new BuildStatusResult(group.id(), status, "PLATFORMS", imageUris, null, null, stashed, null, platforms);
        }
        // Every platform has succeeded.
        Map<Platform, String> digests = new LinkedHashMap<>();
        for (int i = 0; i < builds.size(); i++) {
            if (builds.get(i).digest() == null) {
                String platform = group.members().get(i).platform().wire();
                return new BuildStatusResult(group.id(), Status.FAILED, "INDEX", imageUris, null, platform
                        + ": its build succeeded without reporting the digest it pushed, so the index cannot name its image",
                        stashed, null, platforms);
            }
            digests.put(group.members().get(i).platform(), builds.get(i).digest());
        }
        if (group.indexDigest() != null) {
            return new BuildStatusResult(group.id(), Status.SUCCEEDED, "COMPLETED", imageUris, group.indexDigest(), null, stashed, null,
                    platforms);
        }
        ImageIndexWriter.Outcome outcome = writer(group.target()).write(digests, group.target().tags());
        if (outcome instanceof ImageIndexWriter.Outcome.Refused refused) {
            return new BuildStatusResult(group.id(), Status.FAILED, "INDEX", imageUris, null,
                    "the image index was not written: " + refused.reason(), stashed, null, platforms);
        }
        String digest = ((ImageIndexWriter.Outcome.Written) outcome).index().digest();
        try {
            tables.platformBuilds().indexWritten(group, digest);
        } catch (RuntimeException e) {
            // Written all the same: the next question writes the same bytes again, which ECR takes as done.
            LOG.warnf("the index %s of build %s is written; remembering it failed: %s", digest, group.id(), e.getMessage());
        }
        return new BuildStatusResult(group.id(), Status.SUCCEEDED, "COMPLETED", imageUris, digest, null, stashed, null, platforms);
    }

    /**
     * The build that decides a failure: one that failed or timed out before one that was stopped, since the function
     * stops the others when one fails; -1 when none has.
     */
    private static int failedIndex(List<BuildStatusResult> builds) {
        int stopped = -1;
        for (int i = 0; i < builds.size(); i++) {
            Status status = builds.get(i).status();
            if (status == Status.FAILED || status == Status.TIMED_OUT) {
                return i;
            }
            if (status == Status.STOPPED && stopped < 0) {
                stopped = i;
            }
        }
        return stopped;
    }

    private void stopAll(BuildExecutor executor, List<String> buildIds, String reason) {
        for (String buildId : buildIds) {
            try {
                executor.stop(buildId, reason);
                LOG.infof("stopped build %s: %s", buildId, reason);
            } catch (RuntimeException e) {
                // It may have ended meanwhile; its own state change is judged with the others then.
                LOG.warnf("build %s was not stopped (%s): %s", buildId, reason, e.getMessage());
            }
        }
    }

    private ImageIndexWriter writer(PlatformBuildStore.Target target) {
        Region region = Region.of(target.region());
        return new ImageIndexWriter(clients.ecr(region, credentials.resolve(target.credentials(), region)), target.account(),
                target.repository());
    }
}
