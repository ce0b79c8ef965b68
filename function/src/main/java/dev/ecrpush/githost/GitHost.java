package dev.ecrpush.githost;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.codebuild.model.SourceType;

/**
 * A Git host whose push webhooks start builds: everything that differs from one host to the next, so that
 * every delivery goes through the same stages ({@link dev.ecrpush.flow.WebhookDeliveries}) whichever host sent
 * it. A host lives in a package of its own and is registered in {@link GitHostRegistry#registered()}.
 *
 * <p>Implementations hold no state: one instance serves every delivery, on any thread.
 */
public interface GitHost {
    /**
     * The host's name: its route {@code POST /webhooks/<name>}, a trigger's {@code provider}, and the first
     * segment of every build's idempotency key. Lower case; never renamed once deployed, since the runs
     * remembered under the old name would no longer catch a redelivery, and the trigger sets name it.
     */
    String name();

    /** The fields of the webhook secret this host checks deliveries with, at least one, in the order docs list them. */
    List<SecretField> secretFields();

    /**
     * The clone-URL hosts this Git host serves itself, each with the CodeBuild source type CodeBuild clones it
     * as ({@code github.com} → {@code GITHUB}). Empty for a host that is only ever self-hosted: its host names
     * are the deployer's, given in {@code buildpush.codebuild.git-hosts} if CodeBuild can clone them at all.
     */
    Map<String, SourceType> cloneHosts();

    /**
     * Whether the delivery carries any credential of this host. One that carries none is refused before the
     * secrets are read, so that it costs no AWS call.
     */
    boolean carriesCredentials(WebhookRequest request);

    /**
     * Whether the delivery comes from the host, and if so its identity: made from what the proof that accepted
     * it covers ({@link DeliveryId}), so that a redelivery, a retry or a replay of it builds nothing twice
     * whatever its unsigned headers say. Every comparison is constant-time over fixed-length digests, so the
     * time taken reveals neither how much of a signature matched nor a secret's length; a refusal says what was
     * wrong, never what was expected. Nothing the request carries may make it throw.
     *
     * @param now       the function's clock, for a scheme that signs a timestamp
     * @param tolerance how far such a timestamp may be from {@code now}
     */
    Verdict verify(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance);

    /**
     * The host's own ID of the delivery ({@code X-GitHub-Delivery}, ...), as {@link DeliveryId#printable} lets it
     * be logged, or null: for operators to find the delivery in the host's log. It is not signed, so it is never
     * a key.
     */
    String hostDeliveryId(WebhookRequest request);

    /**
     * Reads a verified delivery's JSON into what it is about, from the fields the host documents for its push
     * event.
     *
     * @throws dev.ecrpush.error.InvalidStepException when a push lacks what a build needs, naming the field
     *                                                ({@code body.repository.clone_url: ...})
     */
    WebhookEvent read(WebhookRequest request, JsonNode body);

    /**
     * The host's REST API, for commit statuses and comparisons ({@link GitHostApis}); null for a host the function
     * calls no API of.
     */
    default GitHostApi api() {
        return null;
    }
}
