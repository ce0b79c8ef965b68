package dev.ecrpush.idempotency;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;

import static dev.ecrpush.idempotency.IdempotencyTable.BUILD_ID;
import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.IN_PROGRESS_UNTIL;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.IdempotencyTable.PAYLOAD_HASH;
import static dev.ecrpush.idempotency.IdempotencyTable.RESULT;
import static dev.ecrpush.idempotency.IdempotencyTable.STARTED_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.STATUS;

/**
 * Runs remembered by idempotency key. A run first claims its key with one conditional {@code PutItem}, before
 * anything is started, so of any number of concurrent attempts exactly one proceeds; it then records its result
 * ({@code DONE}) or its failure ({@code FAILED}). A later attempt with the same key gets the stored result,
 * waits while the first is in progress, and may try again after a failure (the cause may have been fixed) or
 * once an unfinished claim has outlived the in-progress expiry (the function died mid-run).
 *
 * <p>A key is bound to the content of the payload that first claimed it ({@value IdempotencyTable#PAYLOAD_HASH}),
 * until its item expires: only a payload with the same content gets the run's result, waits for it, or takes
 * over a failed or abandoned claim; any other payload is {@link Claim.OtherPayload}. An item written before
 * hashes were kept has none: it may still be taken over once failed, abandoned or expired (nothing of it is
 * handed out then), but its result is handed to no one, since whose payload it was cannot be told.
 */
public final class RunStore {
    /**
     * Free or expired; or failed or abandoned by a run of the same payload (or of an unknown one, from before
     * hashes were kept): anything else belongs to another run.
     */
    private static final String CLAIMABLE = "attribute_not_exists(#key) OR #expires < :now"
            + " OR ((#status = :failed OR (#status = :inProgress AND #until < :now))"
            + " AND (attribute_not_exists(#hash) OR #hash = :hash))";

    private final IdempotencyTable table;

    public RunStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * @throws dev.ecrpush.error.ThrottledException     when DynamoDB still throttles after the SDK's retries
     * @throws InternalErrorException                   when the table cannot be used (missing, access denied)
     */
    public Claim claim(String key, String payloadHash) {
        Instant now = table.clock().instant();
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(key));
        item.put(PAYLOAD_HASH, s(payloadHash));
        item.put(STATUS, s(IdempotencyTable.Status.IN_PROGRESS.name()));
        item.put(STARTED_AT, n(now.getEpochSecond()));
        item.put(IN_PROGRESS_UNTIL, n(now.plus(table.inProgressExpiry()).getEpochSecond()));
        item.put(EXPIRES_AT, n(now.plus(table.ttl()).getEpochSecond()));
        try {
            table.client().putItem(r -> r.tableName(table.name()).item(item)
                    .conditionExpression(CLAIMABLE)
                    .expressionAttributeNames(Map.of("#key", KEY, "#expires", EXPIRES_AT, "#status", STATUS,
                            "#until", IN_PROGRESS_UNTIL, "#hash", PAYLOAD_HASH))
                    .expressionAttributeValues(Map.of(":now", n(now.getEpochSecond()),
                            ":failed", s(IdempotencyTable.Status.FAILED.name()),
                            ":inProgress", s(IdempotencyTable.Status.IN_PROGRESS.name()),
                            ":hash", s(payloadHash)))
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claim.Claimed();
        } catch (ConditionalCheckFailedException taken) {
            Map<String, AttributeValue> existing = taken.hasItem() ? taken.item() : read(key);
            return existing == null || existing.isEmpty() ? claim(key, payloadHash) : held(existing, payloadHash);
        } catch (SdkException e) {
            throw failure(e, "dynamodb.PutItem", key);
        }
    }

    /** Records the run's result; later attempts with the key get it back. */
    public void complete(String key, String resultJson, String buildId) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":done", s(IdempotencyTable.Status.DONE.name()));
        values.put(":result", s(resultJson));
        String set = "SET #status = :done, #result = :result";
        if (buildId != null) {
            values.put(":build", s(buildId));
            set += ", #build = :build";
        }
        String expression = set + " REMOVE #until";
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .updateExpression(expression)
                    .expressionAttributeNames(buildId == null
                            ? Map.of("#status", STATUS, "#result", RESULT, "#until", IN_PROGRESS_UNTIL)
                            : Map.of("#status", STATUS, "#result", RESULT, "#until", IN_PROGRESS_UNTIL, "#build", BUILD_ID))
                    .expressionAttributeValues(values));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", key);
        }
    }

    /** Records why the run failed; the key is free again for the next attempt. */
    public void fail(String key, String errorJson) {
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .updateExpression("SET #status = :failed, #result = :error REMOVE #until")
                    .expressionAttributeNames(Map.of("#status", STATUS, "#result", RESULT, "#until", IN_PROGRESS_UNTIL))
                    .expressionAttributeValues(Map.of(":failed", s(IdempotencyTable.Status.FAILED.name()),
                            ":error", s(errorJson))));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", key);
        }
    }

    /** Why the claim failed: the item belongs to a run of the same payload (done, or under way), or to another. */
    private Claim held(Map<String, AttributeValue> existing, String payloadHash) {
        String recorded = existing.containsKey(PAYLOAD_HASH) ? existing.get(PAYLOAD_HASH).s() : null;
        String status = existing.containsKey(STATUS) ? existing.get(STATUS).s() : "";
        boolean done = IdempotencyTable.Status.DONE.name().equals(status);
        // Without a hash, an unfinished run is waited for (nothing of it is handed out); a result is not.
        if (recorded != null ? !recorded.equals(payloadHash) : done) {
            return new Claim.OtherPayload(recorded);
        }
        if (done && existing.containsKey(RESULT)) {
            return new Claim.Done(existing.get(RESULT).s());
        }
        long since = existing.containsKey(STARTED_AT) ? Long.parseLong(existing.get(STARTED_AT).n()) : 0;
        return new Claim.InProgress(Instant.ofEpochSecond(since));
    }

    private Map<String, AttributeValue> read(String key) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(key))).consistentRead(true));
            return response.hasItem() ? response.item() : null;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", key);
        }
    }

    private RuntimeException failure(SdkException e, String operation, String key) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for idempotency key " + key,
                InternalErrorException::new);
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
