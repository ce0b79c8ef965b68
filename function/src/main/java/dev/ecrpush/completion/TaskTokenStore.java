package dev.ecrpush.completion;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.idempotency.IdempotencyTable;
import dev.ecrpush.step.SecretText;

/**
 * The Step Functions task token a build completes when it ends, kept in the idempotency table under
 * {@code build#<build ID or task ARN>} (no index needed: the state-change event names the build). Once the task
 * is completed the token is removed and the outcome kept, so that a task that asks again later (a Step Functions
 * retry brings a new token) is answered at once.
 */
public final class TaskTokenStore {
    private static final String IMAGE_URIS = "imageUris";

    private final IdempotencyTable table;
    private final ObjectMapper json;

    public TaskTokenStore(IdempotencyTable table, ObjectMapper json) {
        this.table = table;
        this.json = json;
    }

    /** A build as stored: waiting for its end with a token, or ended with the outcome its task got. */
    public sealed interface Entry {
        record Waiting(SecretText taskToken, List<String> imageUris) implements Entry {
        }

        record Ended(TaskOutcome outcome) implements Entry {
        }
    }

    /**
     * Makes {@code taskToken} the one the build completes, replacing an earlier one, unless the build has
     * already ended: then its stored outcome is returned for the caller to complete the new task with.
     *
     * @return the entry as it now is
     */
    public Entry await(String buildId, SecretText taskToken, List<String> imageUris) {
        Instant now = table.clock().instant();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":token", AttributeValue.fromS(taskToken.value()));
        values.put(":uris", AttributeValue.fromL(imageUris.stream().map(AttributeValue::fromS).toList()));
        values.put(":inProgress", AttributeValue.fromS(IdempotencyTable.Status.IN_PROGRESS.name()));
        values.put(":expires", AttributeValue.fromN(Long.toString(now.plus(table.ttl()).getEpochSecond())));
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(key(buildId))
                    .updateExpression("SET #token = :token, #uris = if_not_exists(#uris, :uris),"
                            + " #status = if_not_exists(#status, :inProgress), #expires = :expires")
                    .conditionExpression("attribute_not_exists(#key) OR #status = :inProgress")
                    .expressionAttributeNames(Map.of("#token", IdempotencyTable.TASK_TOKEN, "#uris", IMAGE_URIS,
                            "#status", IdempotencyTable.STATUS, "#expires", IdempotencyTable.EXPIRES_AT,
                            "#key", IdempotencyTable.KEY))
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Entry.Waiting(taskToken, imageUris);
        } catch (ConditionalCheckFailedException ended) {
            Entry entry = entry(ended.hasItem() ? ended.item() : null);
            return entry != null ? entry : find(buildId);
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", buildId);
        }
    }

    /** The build's entry, or null when no task waits for it. */
    public Entry find(String buildId) {
        GetItemResponse response;
        try {
            response = table.client().getItem(r -> r.tableName(table.name()).key(key(buildId)).consistentRead(true));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", buildId);
        }
        return response.hasItem() ? entry(response.item()) : null;
    }

    /** Records how the task was completed and forgets its token. */
    public void ended(String buildId, TaskOutcome outcome) {
        IdempotencyTable.Status status = outcome instanceof TaskOutcome.Success
                ? IdempotencyTable.Status.DONE
                : IdempotencyTable.Status.FAILED;
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(key(buildId))
                    .updateExpression("SET #status = :status, #result = :result REMOVE #token")
                    .expressionAttributeNames(Map.of("#status", IdempotencyTable.STATUS,
                            "#result", IdempotencyTable.RESULT, "#token", IdempotencyTable.TASK_TOKEN))
                    .expressionAttributeValues(Map.of(":status", AttributeValue.fromS(status.name()),
                            ":result", AttributeValue.fromS(outcome.toJson(json)))));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", buildId);
        }
    }

    private Entry entry(Map<String, AttributeValue> item) {
        if (item == null || item.isEmpty()) {
            return null;
        }
        String status = item.containsKey(IdempotencyTable.STATUS) ? item.get(IdempotencyTable.STATUS).s() : "";
        if (!status.equals(IdempotencyTable.Status.IN_PROGRESS.name()) && item.containsKey(IdempotencyTable.RESULT)) {
            try {
                return new Entry.Ended(TaskOutcome.fromJson(json.readTree(item.get(IdempotencyTable.RESULT).s())));
            } catch (IOException e) {
                throw new InternalErrorException("the stored outcome of a build in table " + table.name() + " is not JSON", e);
            }
        }
        if (!item.containsKey(IdempotencyTable.TASK_TOKEN)) {
            return null;
        }
        List<String> uris = new ArrayList<>();
        if (item.containsKey(IMAGE_URIS) && item.get(IMAGE_URIS).hasL()) {
            item.get(IMAGE_URIS).l().forEach(v -> uris.add(v.s()));
        }
        return new Entry.Waiting(new SecretText(item.get(IdempotencyTable.TASK_TOKEN).s()), uris);
    }

    private static Map<String, AttributeValue> key(String buildId) {
        return Map.of(IdempotencyTable.KEY, AttributeValue.fromS(IdempotencyTable.BUILD_PREFIX + buildId));
    }

    private RuntimeException failure(SdkException e, String operation, String buildId) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for build " + buildId,
                InternalErrorException::new);
    }
}
