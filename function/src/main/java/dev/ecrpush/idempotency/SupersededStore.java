package dev.ecrpush.idempotency;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
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
 * The running builds of a {@code cancelSuperseded} trigger, per ref (or pull request), in the order their deliveries
 * arrived (docs/triggers.md, "Superseded builds"). Two kinds of items, both under the table's own
 * {@value IdempotencyTable#BUILD_PREFIX} prefix, which no payload's key may take:
 * <ul>
 * <li>{@code build#running#<sequence>}: {@value #NEXT}, the position the last delivery of the sequence was given
 * (one atomic {@code ADD} per delivery, as it arrives, before its build starts); {@value #BUILDS}, the builds
 * started and not yet known to have ended, each with its position; and {@value #NEWEST}, the highest position whose
 * build has started, so that a late older build learns of a newer one even after that one has ended;</li>
 * <li>{@code build#superseding#<build ID>}: the sequence a build is remembered in, so that its end event, which
 * names the build only, can forget it.</li>
 * </ul>
 * A build is only ever added under its own sequence, and a build found in a sequence's item is only one the function
 * started there: nothing a payload names is looked up here.
 */
public final class SupersededStore {
    static final String SEQUENCE_PREFIX = IdempotencyTable.BUILD_PREFIX + "running#";
    static final String BUILD_PREFIX = IdempotencyTable.BUILD_PREFIX + "superseding#";
    static final String NEXT = "next";
    static final String BUILDS = "builds";
    static final String NEWEST = "newest";
    static final String TRIGGER = "trigger";
    static final String SEQUENCE = "sequence";
    static final String POSITION = "position";

    private final IdempotencyTable table;

    public SupersededStore(IdempotencyTable table) {
        this.table = table;
    }

    /** A build remembered as running in its sequence, at its delivery's position. */
    public record Running(String buildId, long position) {
    }

    /**
     * A sequence as a build's start left it.
     *
     * @param others the other builds remembered as running, oldest first
     * @param newest the highest position whose build had started before this one (0: none)
     */
    public record Sequence(List<Running> others, long newest) {
        public Sequence {
            others = List.copyOf(others);
        }
    }

    /** Where a build is remembered: its trigger, its sequence, and its position there. */
    public record Remembered(String trigger, String sequence, long position) {
    }

    /** The next position in the sequence, for a delivery as it arrives; each call gets a greater one. */
    public long arrive(String sequence) {
        try {
            UpdateItemResponse response = table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + sequence)))
                    .updateExpression("ADD #next :one SET #builds = if_not_exists(#builds, :empty), #expires = :expires")
                    .expressionAttributeNames(Map.of("#next", NEXT, "#builds", BUILDS, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":one", n(1), ":empty", AttributeValue.fromM(Map.of()),
                            ":expires", n(expiry())))
                    .returnValues(ReturnValue.UPDATED_NEW));
            return Long.parseLong(response.attributes().get(NEXT).n());
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + sequence);
        }
    }

    /**
     * Remembers {@code buildId} as started at {@code position} of the sequence, and returns the sequence as it is
     * then. Of two builds that start at once, the one added second sees the first: so whichever order they start
     * in, the newer learns of the older, or the older of the newer.
     */
    public Sequence start(String trigger, String sequence, long position, String buildId) {
        Map<String, AttributeValue> reverse = new HashMap<>();
        reverse.put(KEY, s(BUILD_PREFIX + buildId));
        reverse.put(TRIGGER, s(trigger));
        reverse.put(SEQUENCE, s(sequence));
        reverse.put(POSITION, n(position));
        reverse.put(EXPIRES_AT, n(expiry()));
        try {
            table.client().putItem(r -> r.tableName(table.name()).item(reverse));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.PutItem", BUILD_PREFIX + buildId);
        }
        Map<String, AttributeValue> item = add(sequence, position, buildId);
        long newest = item.containsKey(NEWEST) ? Long.parseLong(item.get(NEWEST).n()) : 0;
        List<Running> others = new ArrayList<>();
        item.getOrDefault(BUILDS, AttributeValue.fromM(Map.of())).m().forEach((id, at) -> {
            if (!id.equals(buildId)) {
                others.add(new Running(id, Long.parseLong(at.n())));
            }
        });
        others.sort(Comparator.comparingLong(Running::position));
        raiseNewest(sequence, position);
        return new Sequence(others, newest);
    }

    /** Adds the build to the sequence's map, which its delivery's {@link #arrive} made (again, if it has expired). */
    private Map<String, AttributeValue> add(String sequence, long position, String buildId) {
        try {
            return table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + sequence)))
                    .updateExpression("SET #builds.#build = :position, #expires = :expires")
                    .conditionExpression("attribute_exists(#builds)")
                    .expressionAttributeNames(Map.of("#builds", BUILDS, "#build", buildId, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":position", n(position), ":expires", n(expiry())))
                    .returnValues(ReturnValue.ALL_NEW)).attributes();
        } catch (ConditionalCheckFailedException gone) {
            // The item expired between the delivery and its build: made again, with this build alone.
            try {
                return table.client().updateItem(r -> r.tableName(table.name())
                        .key(Map.of(KEY, s(SEQUENCE_PREFIX + sequence)))
                        .updateExpression("SET #builds = if_not_exists(#builds, :empty), #expires = :expires")
                        .expressionAttributeNames(Map.of("#builds", BUILDS, "#expires", EXPIRES_AT))
                        .expressionAttributeValues(Map.of(":empty", AttributeValue.fromM(Map.of(buildId, n(position))),
                                ":expires", n(expiry())))
                        .returnValues(ReturnValue.ALL_NEW)).attributes();
            } catch (SdkException e) {
                throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + sequence);
            }
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + sequence);
        }
    }

    /** The newest started position only ever grows. */
    private void raiseNewest(String sequence, long position) {
        try {
            table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + sequence)))
                    .updateExpression("SET #newest = :position")
                    .conditionExpression("attribute_not_exists(#newest) OR #newest < :position")
                    .expressionAttributeNames(Map.of("#newest", NEWEST))
                    .expressionAttributeValues(Map.of(":position", n(position))));
        } catch (ConditionalCheckFailedException newer) {
            // A newer build has started already: it stays the newest.
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + sequence);
        }
    }

    /** Where the build is remembered; null when it is not (not such a trigger's, forgotten, or expired). */
    public Remembered remembered(String buildId) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(BUILD_PREFIX + buildId))).consistentRead(true));
            Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
            if (!item.containsKey(SEQUENCE) || !item.containsKey(POSITION)) {
                return null;
            }
            return new Remembered(item.get(TRIGGER).s(), item.get(SEQUENCE).s(), Long.parseLong(item.get(POSITION).n()));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", BUILD_PREFIX + buildId);
        }
    }

    /** The builds remembered as running in the sequence, oldest first. */
    public List<Running> running(String sequence) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + sequence))).consistentRead(true));
            Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
            List<Running> running = new ArrayList<>();
            item.getOrDefault(BUILDS, AttributeValue.fromM(Map.of())).m()
                    .forEach((id, at) -> running.add(new Running(id, Long.parseLong(at.n()))));
            running.sort(Comparator.comparingLong(Running::position));
            return running;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", SEQUENCE_PREFIX + sequence);
        }
    }

    /** Forgets the build: it was stopped, or has ended. Forgetting a build not remembered changes nothing. */
    public void forget(String sequence, String buildId) {
        try {
            table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(SEQUENCE_PREFIX + sequence)))
                    .updateExpression("REMOVE #builds.#build")
                    .conditionExpression("attribute_exists(#builds)")
                    .expressionAttributeNames(Map.of("#builds", BUILDS, "#build", buildId)));
        } catch (ConditionalCheckFailedException gone) {
            // The sequence has expired: nothing to forget there.
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", SEQUENCE_PREFIX + sequence);
        }
        // Emptied rather than deleted (the table's TTL removes it): the function's role updates items, and deletes none.
        try {
            table.client().updateItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(BUILD_PREFIX + buildId)))
                    .updateExpression("REMOVE #sequence, #position")
                    .conditionExpression("attribute_exists(#sequence)")
                    .expressionAttributeNames(Map.of("#sequence", SEQUENCE, "#position", POSITION)));
        } catch (ConditionalCheckFailedException gone) {
            // Not remembered (any more): nothing to forget.
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", BUILD_PREFIX + buildId);
        }
    }

    private long expiry() {
        return Instant.now(table.clock()).plus(table.ttl()).getEpochSecond();
    }

    private RuntimeException failure(SdkException e, String operation, String key) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + key, InternalErrorException::new);
    }
}
