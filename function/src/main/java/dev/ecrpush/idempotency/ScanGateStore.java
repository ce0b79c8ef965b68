package dev.ecrpush.idempotency;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.ScanGate;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * The scan gates of builds (docs/scan-gate.md), under the table's own {@value IdempotencyTable#BUILD_PREFIX} prefix,
 * which no payload's key may take:
 * <ul>
 * <li>{@code build#scangate#<build ID>}: the gate as the run planned it (the bar, the target, how the function signs
 * there: secret references and role ARNs, never a secret value), then when the build was first seen to succeed and
 * the digest it pushed, then the verdict, written once;</li>
 * <li>{@code build#scandigest#<account>/<region>/<repository>@<digest>}: the builds whose gate judges that image, so
 * that a scan event, which names only the image, finds a gate the function recorded (and nothing else);</li>
 * <li>{@code build#scangates#pending}: the builds whose gate has no verdict yet, for the sweep that asks again when
 * no event comes.</li>
 * </ul>
 */
public final class ScanGateStore {
    static final String PREFIX = IdempotencyTable.BUILD_PREFIX + "scangate#";
    static final String DIGEST_PREFIX = IdempotencyTable.BUILD_PREFIX + "scandigest#";
    static final String PENDING = IdempotencyTable.BUILD_PREFIX + "scangates#pending";
    static final String GATE = "gate";
    static final String STARTED = "scanStartedAt";
    static final String DIGEST = "digest";
    static final String VERDICT = "verdict";
    static final String BUILDS = "buildIds";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IdempotencyTable table;

    public ScanGateStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * A build's gate.
     *
     * @param untagTags the step's moving tags, removed from a failing image when {@code untagOnFailure} is set; empty
     *                  otherwise
     * @param startedAt when the build was first seen to have succeeded (the timeout runs from then); null before
     * @param digest    the image the build pushed, as its executor reported it; null before
     * @param verdict   the gate's outcome once decided (a JSON document, {@link dev.ecrpush.launch.ScanSummary}); null before
     */
    public record Gate(String buildId, ScanGate rule, Target target, List<String> untagTags, Instant startedAt, String digest,
            String verdict) {
        public Gate {
            untagTags = List.copyOf(untagTags);
        }
    }

    /**
     * The image's repository and how the function signs there.
     *
     * @param credentials never a web identity: its token is the caller's, good for the start only
     */
    public record Target(String account, String region, String repository, CredentialsPlan credentials) {
        public Target {
            if (credentials.base() instanceof CredentialsPlan.Base.WebIdentity) {
                throw new IllegalArgumentException("a web identity's token is never kept");
            }
        }
    }

    /** Records a build's gate as its run planned it, and puts the build among the pending gates. */
    public void remember(Gate gate) {
        ObjectNode body = JSON.createObjectNode();
        body.put("maxSeverity", gate.rule().maxSeverity().name()).put("ignoreUnfixed", gate.rule().ignoreUnfixed())
                .put("timeoutSeconds", gate.rule().timeout().toSeconds()).put("untagOnFailure", gate.rule().untagOnFailure());
        body.putObject("target").put("account", gate.target().account()).put("region", gate.target().region())
                .put("repository", gate.target().repository()).set("credentials", PlatformBuildStore.credentials(
                        gate.target().credentials()));
        gate.untagTags().forEach(body.withArray("untagTags")::add);
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(PREFIX + gate.buildId()));
        item.put(GATE, s(body.toString()));
        item.put(EXPIRES_AT, expiry());
        try {
            table.client().putItem(r -> r.tableName(table.name()).item(item));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.PutItem", PREFIX + gate.buildId());
        }
        pending(gate.buildId(), true);
    }

    /** The build's gate, or null when it has none (or its record expired). */
    public Gate find(String buildId) {
        return read(get(PREFIX + buildId), buildId);
    }

    /**
     * Notes that the build has succeeded, having pushed {@code digest}: the first call's time and digest are kept (the
     * timeout runs from the first), and the image then names the build, for the scan events.
     *
     * @return the gate as now recorded; null when it expired
     */
    public Gate scanning(Gate gate, String digest, Instant now) {
        UpdateItemResponse updated;
        try {
            updated = table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(PREFIX + gate.buildId())))
                    .updateExpression("SET #started = if_not_exists(#started, :now), #digest = if_not_exists(#digest, :digest)")
                    .conditionExpression("attribute_exists(#gate)")
                    .expressionAttributeNames(Map.of("#started", STARTED, "#digest", DIGEST, "#gate", GATE))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()), ":digest", s(digest)))
                    .returnValues(ReturnValue.ALL_NEW));
        } catch (ConditionalCheckFailedException expired) {
            return null;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", PREFIX + gate.buildId());
        }
        Gate recorded = read(updated.attributes(), gate.buildId());
        String key = digestKey(recorded.target(), recorded.digest());
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .updateExpression("ADD #builds :build SET #expires = :expires")
                    .expressionAttributeNames(Map.of("#builds", BUILDS, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":build", AttributeValue.fromSs(List.of(gate.buildId())),
                            ":expires", expiry())));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", key);
        }
        return recorded;
    }

    /** The builds whose gate judges the image {@code digest} of {@code repository}: only what {@link #scanning} wrote. */
    public Set<String> buildsOf(String account, String region, String repository, String digest) {
        Map<String, AttributeValue> item = get(DIGEST_PREFIX + account + "/" + region + "/" + repository + "@" + digest);
        return item.containsKey(BUILDS) ? new LinkedHashSet<>(item.get(BUILDS).ss()) : Set.of();
    }

    /**
     * Records the gate's verdict, once: a verdict already there (another event's, judged at the same time) wins and is
     * returned, so every task and status request sees one outcome.
     *
     * @return the verdict that stands, and whether it is the one given here
     */
    public Decided decide(Gate gate, String verdict) {
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(PREFIX + gate.buildId())))
                    .updateExpression("SET #verdict = :verdict")
                    .conditionExpression("attribute_exists(#gate) AND attribute_not_exists(#verdict)")
                    .expressionAttributeNames(Map.of("#verdict", VERDICT, "#gate", GATE))
                    .expressionAttributeValues(Map.of(":verdict", s(verdict))));
        } catch (ConditionalCheckFailedException already) {
            Gate stored = find(gate.buildId());
            return new Decided(stored == null || stored.verdict() == null ? verdict : stored.verdict(), false);
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", PREFIX + gate.buildId());
        }
        pending(gate.buildId(), false);
        return new Decided(verdict, true);
    }

    /** Replaces the verdict this build's gate wrote with the same one, completed (the tags a failing gate removed). */
    public void amend(Gate gate, String verdict) {
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(PREFIX + gate.buildId())))
                    .updateExpression("SET #verdict = :verdict").conditionExpression("attribute_exists(#verdict)")
                    .expressionAttributeNames(Map.of("#verdict", VERDICT))
                    .expressionAttributeValues(Map.of(":verdict", s(verdict))));
        } catch (ConditionalCheckFailedException expired) {
            // Nothing to complete.
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", PREFIX + gate.buildId());
        }
    }

    /** A verdict that stands; {@code mine} when this call wrote it (and so does what follows from it, once). */
    public record Decided(String verdict, boolean mine) {
    }

    /** The builds whose gate has no verdict yet, at most {@code max}. */
    public List<String> pending(int max) {
        Map<String, AttributeValue> item = get(PENDING);
        List<String> builds = item.containsKey(BUILDS) ? new ArrayList<>(item.get(BUILDS).ss()) : new ArrayList<>();
        return builds.size() > max ? builds.subList(0, max) : builds;
    }

    /** Takes a build off the pending gates (a build that did not succeed has nothing left to judge). */
    public void notPending(String buildId) {
        pending(buildId, false);
    }

    private void pending(String buildId, boolean add) {
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(PENDING)))
                    .updateExpression((add ? "ADD" : "DELETE") + " #builds :build SET #expires = :expires")
                    .expressionAttributeNames(Map.of("#builds", BUILDS, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":build", AttributeValue.fromSs(List.of(buildId)), ":expires", expiry())));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", PENDING);
        }
    }

    static String digestKey(Target target, String digest) {
        return DIGEST_PREFIX + target.account() + "/" + target.region() + "/" + target.repository() + "@" + digest;
    }

    private Map<String, AttributeValue> get(String key) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .consistentRead(true));
            return response.hasItem() ? response.item() : Map.of();
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", key);
        }
    }

    private AttributeValue expiry() {
        return n(Instant.now(table.clock()).plus(table.ttl()).getEpochSecond());
    }

    private static Gate read(Map<String, AttributeValue> item, String buildId) {
        if (!item.containsKey(GATE)) {
            return null;
        }
        try {
            JsonNode body = JSON.readTree(item.get(GATE).s());
            ScanGate.Severity bar = ScanGate.Severity.bar(body.path("maxSeverity").asText());
            if (bar == null || !body.path("timeoutSeconds").canConvertToLong() || body.path("timeoutSeconds").asLong() <= 0) {
                throw new IOException("no bar or timeout");
            }
            ScanGate rule = new ScanGate(bar, body.path("ignoreUnfixed").asBoolean(false),
                    Duration.ofSeconds(body.path("timeoutSeconds").asLong()), body.path("untagOnFailure").asBoolean(false));
            JsonNode t = body.path("target");
            Target target = new Target(t.path("account").asText(), t.path("region").asText(), t.path("repository").asText(),
                    PlatformBuildStore.credentials(t.path("credentials")));
            List<String> untag = new ArrayList<>();
            body.path("untagTags").forEach(tag -> untag.add(tag.asText()));
            return new Gate(buildId, rule, target, untag,
                    item.containsKey(STARTED) ? Instant.ofEpochSecond(Long.parseLong(item.get(STARTED).n())) : null,
                    item.containsKey(DIGEST) ? item.get(DIGEST).s() : null,
                    item.containsKey(VERDICT) ? item.get(VERDICT).s() : null);
        } catch (IOException | RuntimeException e) {
            throw new InternalErrorException("the scan gate recorded for " + buildId + " cannot be read: " + e.getMessage());
        }
    }

    private RuntimeException failure(SdkException e, String operation, String key) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + key, InternalErrorException::new);
    }
}
