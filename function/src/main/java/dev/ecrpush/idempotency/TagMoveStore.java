package dev.ecrpush.idempotency;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * The order of a monotonic trigger's pushes of one ref, and the tags its builds are to move (docs/triggers.md,
 * "Moving tags"). Two kinds of items, both under the table's own {@value IdempotencyTable#BUILD_PREFIX} prefix,
 * which no payload's key may take:
 * <ul>
 * <li>{@code build#sequence#<ref>}: {@value #NEXT}, the position the last run of the ref was given (one atomic
 * {@code ADD} per run, in the order the deliveries arrived), and {@value #MOVED}, the position of the run whose
 * image the moving tags were last moved to, with that image's digest ({@value #MOVED_DIGEST});</li>
 * <li>{@code build#tags#<build ID>}: the run a build belongs to, its position, and its trigger's payload, so that
 * its success event can plan the move again ({@link Pending}).</li>
 * </ul>
 * Moving is decided by one conditional write ({@link #moveTo}), so of two builds that end at once, and of an older
 * one that ends after a newer one, only the newest moves the tags.
 */
public final class TagMoveStore {
    static final String SEQUENCE_PREFIX = IdempotencyTable.BUILD_PREFIX + "sequence#";
    static final String PENDING_PREFIX = IdempotencyTable.BUILD_PREFIX + "tags#";
    static final String NEXT = "next";
    static final String MOVED = "moved";
    static final String MOVED_DIGEST = "movedDigest";
    static final String TRIGGER = "trigger";
    static final String REF = "ref";
    static final String POSITION = "position";
    static final String PAYLOAD = "payload";

    private final IdempotencyTable table;

    public TagMoveStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * A build whose moving tags wait for its success.
     *
     * @param ref      the ref's sequence ({@link dev.ecrpush.trigger.TriggerPayloads#refSequence})
     * @param position the run's place in it
     * @param payload  the step payload the trigger built for the run (no token: a trigger's payload carries none)
     */
    public record Pending(String trigger, String ref, long position, String payload) {
    }

    /** The next position in the ref's sequence; every call gets a greater one than the calls before it. */
    public long nextPosition(String ref) {
        try {
            UpdateItemResponse response = table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + ref)))
                    .updateExpression("ADD #next :one SET #expires = :expires")
                    .expressionAttributeNames(Map.of("#next", NEXT, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":one", n(1), ":expires", n(expiry())))
                    .returnValues(ReturnValue.UPDATED_NEW));
            return Long.parseLong(response.attributes().get(NEXT).n());
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + ref);
        }
    }

    /** Records the build's moving tags, to be moved when its success event comes. */
    public void await(String buildId, Pending pending) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(PENDING_PREFIX + buildId));
        item.put(TRIGGER, s(pending.trigger()));
        item.put(REF, s(pending.ref()));
        item.put(POSITION, n(pending.position()));
        item.put(PAYLOAD, s(pending.payload()));
        item.put(EXPIRES_AT, n(expiry()));
        try {
            table.client().putItem(r -> r.tableName(table.name()).item(item));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.PutItem", PENDING_PREFIX + buildId);
        }
    }

    /** The build's pending move, or null when the build has none (not a monotonic trigger's, or expired). */
    public Pending pending(String buildId) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(PENDING_PREFIX + buildId))).consistentRead(true));
            Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
            if (!item.containsKey(POSITION) || !item.containsKey(PAYLOAD)) {
                return null;
            }
            return new Pending(item.get(TRIGGER).s(), item.get(REF).s(), Long.parseLong(item.get(POSITION).n()),
                    item.get(PAYLOAD).s());
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", PENDING_PREFIX + buildId);
        }
    }

    /** The ref's last claim: its position, and the digest of its image (null when its build reported none). */
    public record Moved(long position, String digest) {
    }

    /**
     * Claims the ref's moving tags for the run at {@code position}, whose image is {@code digest} (nullable): true
     * unless a run with a later position has claimed them. The same position wins again, so that a redelivered
     * success event of the build that owns the tags moves them again (which changes nothing) rather than leaving a
     * move that failed half done.
     */
    public boolean moveTo(String ref, long position, String digest) {
        Map<String, String> names = new HashMap<>(Map.of("#moved", MOVED, "#expires", EXPIRES_AT, "#digest", MOVED_DIGEST));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":position", n(position), ":expires", n(expiry())));
        String update = "SET #moved = :position, #expires = :expires";
        if (digest != null) {
            values.put(":digest", s(digest));
            update += ", #digest = :digest";
        } else {
            update += " REMOVE #digest";
        }
        String expression = update;
        try {
            table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + ref)))
                    .updateExpression(expression)
                    .conditionExpression("attribute_not_exists(#moved) OR #moved <= :position")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException newer) {
            return false;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + ref);
        }
    }

    /** The ref's last claim, read consistently; null when none was made. */
    public Moved moved(String ref) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + ref))).consistentRead(true));
            Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
            if (!item.containsKey(MOVED)) {
                return null;
            }
            return new Moved(Long.parseLong(item.get(MOVED).n()), item.containsKey(MOVED_DIGEST) ? item.get(MOVED_DIGEST).s() : null);
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", SEQUENCE_PREFIX + ref);
        }
    }

    private long expiry() {
        return Instant.now(table.clock()).plus(table.ttl()).getEpochSecond();
    }

    private RuntimeException failure(SdkException e, String operation, String key) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + key, InternalErrorException::new);
    }
}
