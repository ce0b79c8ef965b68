package dev.ecrpush.flow;

import java.io.IOException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.TagMoveStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerSource;

/**
 * Moves a monotonic trigger's moving tags ({@code latest}, ...) to a build's image once the build has succeeded,
 * unless a later push of the same ref has moved them already (docs/triggers.md, "Moving tags"). The build is read
 * back first: only a build the function started, and that succeeded as its executor reports it, moves anything.
 * The move is planned again from the trigger's payload for the push, held to the trigger's current policy, so it
 * is signed with the same target credentials the run used; then the image is read by its digest (or the tag that
 * names its commit) with {@code BatchGetImage}, and its manifest put under each moving tag with {@code PutImage}.
 * Nothing here fails the event: what could not be moved is logged, and the next push of the ref moves the tags.
 */
@ApplicationScoped
public class TagMoves {
    private static final Logger LOG = Logger.getLogger(TagMoves.class);

    /** How often a move catches up with later claims; each round needs another event to have claimed meanwhile. */
    private static final int CATCH_UP_ROUNDS = 3;

    private final IdempotencyTables tables;
    private final TriggerSource triggers;
    private final StepService steps;
    private final AwsClients clients;
    private final CredentialsResolver credentials;
    private final ObjectMapper json;

    /** What became of a build's moving tags; for the log and the tests. */
    public enum Outcome {
        /** The build has none (not a monotonic run's, or its record expired), or it has not ended. */
        NONE,
        /** The build did not succeed, or its trigger is gone or no longer monotonic. */
        NOT_MOVED,
        /** A later push of the ref owns the tags. */
        NEWER_OWNS_THEM,
        MOVED,
        /** The move was allowed, and ECR refused it or failed; logged. */
        FAILED
    }

    @Inject
    public TagMoves(IdempotencyTables tables, TriggerSource triggers, StepService steps, AwsClients clients,
            CredentialsResolver credentials, ObjectMapper json) {
        this.tables = tables;
        this.triggers = triggers;
        this.steps = steps;
        this.clients = clients;
        this.credentials = credentials;
        this.json = json;
    }

    /**
     * @param status the build as its executor reads it back; asked only when the build has tags to move, and throws
     *               {@link dev.ecrpush.error.NotAllowedException} for a build that is not the function's
     */
    public Outcome onBuildEvent(String buildId, Supplier<BuildStatusResult> status) {
        if (!tables.configured()) {
            return Outcome.NONE;
        }
        TagMoveStore store = tables.tagMoves();
        TagMoveStore.Pending pending = store.pending(buildId);
        if (pending == null) {
            return Outcome.NONE;
        }
        BuildStatusResult build = status.get();
        if (!build.status().terminal()) {
            return Outcome.NONE;
        }
        if (build.status() != BuildStatusResult.Status.SUCCEEDED) {
            LOG.infof("build %s %s: its moving tags stay where they are", buildId, build.status());
            return Outcome.NOT_MOVED;
        }
        Trigger trigger = triggers.current().named(pending.trigger()).orElse(null);
        if (trigger == null || !trigger.monotonicTags()) {
            LOG.warnf("build %s: trigger %s is %s; its tags are not moved", buildId, pending.trigger(),
                    trigger == null ? "no longer in the trigger set" : "no longer monotonic");
            return Outcome.NOT_MOVED;
        }
        StepService.Planned planned = steps.plan(read(pending.payload()), TriggerType.WEBHOOK, trigger.policy(), true);
        if (!store.moveTo(pending.ref(), pending.position(), build.digest())) {
            LOG.infof("build %s: a later push of %s (after push %d) has moved %s already; not moved back", buildId,
                    pending.ref(), pending.position(), planned.moving());
            return Outcome.NEWER_OWNS_THEM;
        }
        Outcome outcome = move(buildId, planned, build.digest());
        // A later push may have claimed the tags while these were put, and its puts may have landed first: then
        // its image is put again, until the claim read back is the one whose image was put last.
        long putFor = pending.position();
        for (int round = 0; round < CATCH_UP_ROUNDS; round++) {
            TagMoveStore.Moved now = store.moved(pending.ref());
            if (now == null || now.position() <= putFor || now.digest() == null) {
                break;
            }
            LOG.warnf("build %s: push %d of %s claimed %s while they were moved here; putting its image %s again", buildId,
                    now.position(), pending.ref(), planned.moving(), now.digest());
            move(buildId, planned, now.digest());
            putFor = now.position();
        }
        return outcome;
    }

    private Outcome move(String buildId, StepService.Planned planned, String digest) {
        Plan plan = planned.plan();
        EcrSpec spec = plan.payload().step().spec();
        Region region = Region.of(spec.region());
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), region);
        EcrClient ecr = clients.ecr(region, provider);
        // The digest the build reported is its image; the tag that names the commit is the same image when none was.
        ImageIdentifier image = digest != null ? ImageIdentifier.builder().imageDigest(digest).build()
                : ImageIdentifier.builder().imageTag(spec.tags().get(0)).build();
        Outcome outcome = Outcome.MOVED;
        try {
            BatchGetImageResponse found = ecr.batchGetImage(r -> r.registryId(spec.account()).repositoryName(plan.repository())
                    .imageIds(image).acceptedMediaTypes(ImageIndex.MANIFEST_TYPES));
            if (found.images().isEmpty()) {
                LOG.warnf("build %s: its image %s is not in %s; %s not moved", buildId, image, plan.repository(),
                        planned.moving());
                return Outcome.FAILED;
            }
            Image manifest = found.images().get(0);
            for (String tag : planned.moving()) {
                try {
                    ecr.putImage(r -> r.registryId(spec.account()).repositoryName(plan.repository()).imageTag(tag)
                            .imageManifest(manifest.imageManifest()).imageManifestMediaType(manifest.imageManifestMediaType())
                            .imageDigest(manifest.imageId().imageDigest()));
                    LOG.infof("build %s: moved %s:%s to %s", buildId, plan.repository(), tag, manifest.imageId().imageDigest());
                } catch (ImageAlreadyExistsException already) {
                    // The tag names this image already (a redelivered event): nothing to do.
                } catch (SdkException e) {
                    LOG.warnf("build %s: %s:%s was not moved: %s", buildId, plan.repository(), tag, e.getMessage());
                    outcome = Outcome.FAILED;
                }
            }
        } catch (SdkException e) {
            LOG.warnf("build %s: its image could not be read from %s (%s); %s not moved", buildId, plan.repository(),
                    e.getMessage(), planned.moving());
            return Outcome.FAILED;
        }
        return outcome;
    }

    private JsonNode read(String payload) {
        try {
            return json.readTree(payload);
        } catch (IOException e) {
            throw new IllegalStateException("a recorded trigger payload is not JSON", e);
        }
    }
}
