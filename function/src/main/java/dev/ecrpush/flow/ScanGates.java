package dev.ecrpush.flow;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.ScanGateStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.launch.ScanSummary;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.scan.ImageScans;
import dev.ecrpush.scan.ScanJudge;
import dev.ecrpush.scan.ScanReading;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.Rules;
import dev.ecrpush.step.ScanGate;
import dev.ecrpush.trigger.MonotonicTags;

/**
 * The scan gate of a step with {@code scanGate} (docs/scan-gate.md). The run records the gate with its build
 * ({@link ScanGateStore}); from then on, the build as every status request, state-change event, scan event and sweep
 * sees it is judged here: a build that succeeded is IN_PROGRESS in phase {@code SCANNING} until its image's scan
 * passes ({@code SUCCEEDED}) or fails the gate ({@code FAILED} in phase {@code SCAN_GATE}, which fails a waiting task
 * with {@code ScanGateFailed}). The scan is read with {@code DescribeImageScanFindings} in the target account, signed
 * as the run was; the verdict is written once and stands.
 */
@ApplicationScoped
public class ScanGates {
    private static final Logger LOG = Logger.getLogger(ScanGates.class);
    /** The phase of a build whose gate failed. */
    public static final String FAILED_PHASE = "SCAN_GATE";
    /** The phase of a build that succeeded, while its scan has not passed. */
    public static final String SCANNING_PHASE = "SCANNING";
    /** The most builds one scan event or one sweep re-judges: each costs a read-back and a scan read. */
    static final int MAX_PER_EVENT = 20;
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    private final IdempotencyTables tables;
    private final AwsClients clients;
    private final CredentialsResolver credentials;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    @Inject
    public ScanGates(IdempotencyTables tables, AwsClients clients, CredentialsResolver credentials) {
        this(tables, clients, credentials, Clock.systemUTC());
    }

    ScanGates(IdempotencyTables tables, AwsClients clients, CredentialsResolver credentials, Clock clock) {
        this.tables = tables;
        this.clients = clients;
        this.credentials = credentials;
        this.clock = clock;
    }

    /**
     * Fails before any AWS call when the gate could not be kept: it lives in the idempotency table, and the function
     * signs into the target account again when the build has pushed, which a web identity's token (the caller's, good
     * for the start) cannot do.
     */
    public void requireRunnable(Plan plan) {
        if (plan.payload().step().spec().scanGate() == null) {
            return;
        }
        if (!tables.configured()) {
            throw new InvalidStepException("step.spec.scanGate: the gate is kept in the idempotency table until the scan has"
                    + " passed, and none is configured (buildpush.idempotency.table); configure the table, or drop the gate");
        }
        if (plan.credentials().base() instanceof CredentialsPlan.Base.WebIdentity) {
            throw new InvalidStepException("step.spec.scanGate: the function reads the scan when the build has pushed, signed"
                    + " into the target account again, and an OIDC connector's token is good for the start only; use a"
                    + " connector with access keys or the function's role (with a cross-account role) for a gated step");
        }
    }

    /** Records the gate of a build just started; a build without one records nothing. */
    public void remember(Plan plan, String buildId) {
        EcrSpec spec = plan.payload().step().spec();
        ScanGate gate = spec.scanGate();
        if (gate == null) {
            return;
        }
        // The moving tags are those that do not name the commit: the ones a later build would take over anyway.
        List<String> untag = gate.untagOnFailure()
                ? MonotonicTags.split(spec.tags(), plan.payload().codebase() == null ? null : plan.payload().codebase().commitSha())
                        .moving()
                : List.of();
        tables.scanGates().remember(new ScanGateStore.Gate(buildId, gate, new ScanGateStore.Target(spec.account(),
                spec.region(), plan.repository(), plan.credentials()), untag, null, null, null));
    }

    /** The build's gate; null when it has none, or no table is configured. */
    public ScanGateStore.Gate gateOf(String buildId) {
        return tables.configured() ? tables.scanGates().find(buildId) : null;
    }

    /** The build as its gate judges it now ({@code build} as its executor read it back). */
    public BuildStatusResult judge(ScanGateStore.Gate gate, BuildStatusResult build) {
        if (gate.verdict() != null) {
            return apply(read(gate.verdict()), build);
        }
        if (build.status() != Status.SUCCEEDED) {
            if (build.status().terminal()) {
                forget(gate);
            }
            return build.gated(build.status(), build.phase(), build.reason(), new ScanSummary(ScanSummary.State.WAITING_FOR_BUILD,
                    null, null, null, build.status().terminal() ? "the build " + build.status() + "; no image to scan"
                            : "the build is " + build.status() + "; its image is scanned once it has pushed", null));
        }
        if (build.digest() == null) {
            return decided(gate, build, new ScanSummary(ScanSummary.State.FAILED, null, null, null, "the build succeeded"
                    + " without reporting the digest it pushed; the gate does not pass an image it cannot name", null));
        }
        Instant now = clock.instant();
        ScanGateStore.Gate scanning = tables.scanGates().scanning(gate, build.digest(), now);
        if (scanning == null) {
            return decided(gate, build, new ScanSummary(ScanSummary.State.FAILED, null, null, null,
                    "the gate's record expired before the scan was judged", null));
        }
        if (scanning.verdict() != null) {
            return apply(read(scanning.verdict()), build);
        }
        ScanGateStore.Target target = scanning.target();
        ScanReading reading = new ImageScans(ecr(target)).read(target.account(), target.repository(), scanning.digest(),
                scanning.rule().ignoreUnfixed());
        ScanJudge.Decision decision = ScanJudge.decide(scanning.rule(), reading, scanning.startedAt(), now);
        LOG.infof("build %s: scan gate on %s@%s: %s", build.buildId(), target.repository(), scanning.digest(),
                decision.summary().reason());
        if (decision instanceof ScanJudge.Decision.Wait wait) {
            return build.gated(Status.IN_PROGRESS, SCANNING_PHASE, null, wait.summary());
        }
        return decided(scanning, build, decision.summary());
    }

    /**
     * The builds a scan event may concern: those whose gate judges the image it names, as {@link ScanGateStore}
     * recorded them. Every field of the event is checked for its form and used only to look the gate up; the gate's
     * own target and credentials are what the scan is then read with.
     *
     * @return the build IDs (at most {@value #MAX_PER_EVENT}); empty when the event names no image a gate judges
     */
    public List<String> buildsScanning(JsonNode event) {
        if (!tables.configured()) {
            return List.of();
        }
        String account = event.path("account").asText("");
        String region = event.path("region").asText("");
        JsonNode detail = event.path("detail");
        String repository = detail.path("repository-name").asText("");
        String digest = detail.path("image-digest").asText("");
        if (repository.startsWith("arn:")) {
            // Inspector names the repository by its ARN: it must be the event's own account and region.
            String prefix = ":ecr:" + region + ":" + account + ":repository/";
            int at = repository.indexOf(prefix);
            repository = at < 0 ? "" : repository.substring(at + prefix.length());
        }
        if (!ACCOUNT.matcher(account).matches() || !Rules.isRegion(region) || !Rules.isRepository(repository)
                || !DIGEST.matcher(digest).matches()) {
            return List.of();
        }
        Set<String> builds = tables.scanGates().buildsOf(account, region, repository, digest);
        return builds.stream().limit(MAX_PER_EVENT).toList();
    }

    /**
     * The builds whose gate has no verdict yet, for the sweep; at most {@value #MAX_PER_EVENT}. A build listed whose gate
     * is no longer recorded (expired) is taken off the list, so that it never takes a newer gate's place.
     */
    public List<String> pending() {
        if (!tables.configured()) {
            return List.of();
        }
        List<String> pending = new ArrayList<>();
        for (String buildId : tables.scanGates().pending(MAX_PER_EVENT)) {
            if (gateOf(buildId) == null) {
                tables.scanGates().notPending(buildId);
            } else {
                pending.add(buildId);
            }
        }
        return pending;
    }

    private BuildStatusResult decided(ScanGateStore.Gate gate, BuildStatusResult build, ScanSummary summary) {
        ScanGateStore.Decided decided = tables.scanGates().decide(gate, write(summary));
        ScanSummary standing = read(decided.verdict());
        if (decided.mine() && standing.state() == ScanSummary.State.FAILED && !gate.untagTags().isEmpty() && gate.digest() != null) {
            List<String> removed = untag(gate);
            if (!removed.isEmpty()) {
                standing = new ScanSummary(standing.state(), standing.scanStatus(), standing.counts(), standing.ignoredUnfixed(),
                        standing.reason(), removed);
                tables.scanGates().amend(gate, write(standing));
            }
        }
        return apply(standing, build);
    }

    /**
     * Removes the step's moving tags that still name the failing image, with {@code BatchDeleteImage} by tag, never by
     * digest: a tag moved to another image meanwhile is left alone, and the image stays while another tag (the one
     * naming the commit) holds it. Nothing here fails the gate's answer: what could not be removed is logged.
     */
    private List<String> untag(ScanGateStore.Gate gate) {
        ScanGateStore.Target target = gate.target();
        List<String> removed = new ArrayList<>();
        try {
            EcrClient ecr = ecr(target);
            DescribeImagesResponse images = ecr.describeImages(r -> r.registryId(target.account())
                    .repositoryName(target.repository()).imageIds(ImageIdentifier.builder().imageDigest(gate.digest()).build()));
            List<String> held = images.imageDetails().isEmpty() ? List.of() : images.imageDetails().get(0).imageTags();
            List<ImageIdentifier> ids = gate.untagTags().stream().filter(held::contains)
                    .map(tag -> ImageIdentifier.builder().imageTag(tag).build()).toList();
            if (ids.isEmpty()) {
                return removed;
            }
            BatchDeleteImageResponse deleted = ecr.batchDeleteImage(r -> r.registryId(target.account())
                    .repositoryName(target.repository()).imageIds(ids));
            deleted.imageIds().forEach(id -> removed.add(id.imageTag()));
            deleted.failures().forEach(f -> LOG.warnf("build %s: tag %s was not removed: %s", gate.buildId(),
                    f.imageId() == null ? "?" : f.imageId().imageTag(), f.failureReason()));
            LOG.infof("build %s: its scan gate failed; removed %s from %s@%s", gate.buildId(), removed, target.repository(),
                    gate.digest());
        } catch (SdkException e) {
            LOG.warnf("build %s: its scan gate failed, and its moving tags were not removed: %s", gate.buildId(), e.getMessage());
        }
        return removed;
    }

    private void forget(ScanGateStore.Gate gate) {
        try {
            tables.scanGates().notPending(gate.buildId());
        } catch (RuntimeException e) {
            // The sweep reads it back again, finds it ended, and tries once more.
            LOG.warnf("build %s: not taken off the pending scan gates: %s", gate.buildId(), e.getMessage());
        }
    }

    private static BuildStatusResult apply(ScanSummary verdict, BuildStatusResult build) {
        if (verdict.state() == ScanSummary.State.PASSED) {
            return build.gated(Status.SUCCEEDED, build.phase(), build.reason(), verdict);
        }
        return build.gated(Status.FAILED, FAILED_PHASE, "scan gate: " + verdict.reason(), verdict);
    }

    private EcrClient ecr(ScanGateStore.Target target) {
        Region region = Region.of(target.region());
        return clients.ecr(region, credentials.resolve(target.credentials(), region));
    }

    private String write(ScanSummary summary) {
        try {
            return json.writeValueAsString(summary);
        } catch (JsonProcessingException e) {
            throw new InternalErrorException("a scan verdict cannot be written: " + e.getMessage());
        }
    }

    private ScanSummary read(String verdict) {
        try {
            return json.readValue(verdict, ScanSummary.class);
        } catch (JsonProcessingException e) {
            throw new InternalErrorException("a recorded scan verdict cannot be read: " + e.getMessage());
        }
    }
}
