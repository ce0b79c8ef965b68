package dev.ecrpush.completion;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.idempotency.IdempotencyTable;
import dev.ecrpush.step.SecretText;

/**
 * The Step Functions task tokens a build completes when it ends, kept in the idempotency table under
 * {@code build#<build ID or task ARN>} (no index needed: the state-change event names the build). Every task
 * that waits for the build is kept and completed: a token is never replaced by another, so no caller can take
 * over the completion of another execution's task (a Step Functions retry brings a new token while the first
 * task may be gone; completing a gone task is answered {@code TaskDoesNotExist} and ignored). Once the tasks
 * are completed the tokens are removed and the outcome kept, so that a task that asks again later is answered
 * at once. With the tokens it keeps the images the run asked for and the function's own time to the build's
 * launch ({@value #FUNCTION_MILLIS}, absent in items written before it was kept: their tasks' output leaves it out).
 */
public final class TaskTokenStore {
    private static final String IMAGE_URIS = "imageUris";
    /** The function's own time to the build's launch, as the run that started it measured it; absent in older items. */
    static final String FUNCTION_MILLIS = "functionMillis";
    /** A string set: adding a token that is there already (a retry with the same token) keeps one. */
    static final String TASK_TOKENS = "taskTokens";
    /**
     * The most tasks one build completes: a Step Functions retry policy brings a few tokens; past this, a caller
     * repeating the payload is not a retry but a flood, and the item must stay far below DynamoDB's 400 KB.
     */
    static final int MAX_TOKENS = 16;

    private final IdempotencyTable table;
    private final ObjectMapper json;

    public TaskTokenStore(IdempotencyTable table, ObjectMapper json) {
        this.table = table;
        this.json = json;
    }

    /** A build as stored: waiting for its end with its tasks' tokens, or ended with the outcome its tasks got. */
    public sealed interface Entry {
        /**
         * @param taskTokens     every token to complete, in no particular order
         * @param functionMillis the function's own time to the build's launch; null when not kept (an older item)
         */
        record Waiting(List<SecretText> taskTokens, List<String> imageUris, Long functionMillis) implements Entry {
            public Waiting {
                taskTokens = List.copyOf(taskTokens);
                imageUris = List.copyOf(imageUris);
            }

            public Waiting(List<SecretText> taskTokens, List<String> imageUris) {
                this(taskTokens, imageUris, null);
            }
        }

        record Ended(TaskOutcome outcome) implements Entry {
        }
    }

    /**
     * Adds {@code taskToken} to the tokens the build completes, unless the build has already ended: then its
     * stored outcome is returned for the caller to complete the new task with. Tokens already there stay.
     *
     * @return the entry as it now is
     * @throws InvalidStepException naming {@code taskToken} when {@value #MAX_TOKENS} tasks already wait
     */
    public Entry await(String buildId, SecretText taskToken, List<String> imageUris) {
        return await(buildId, taskToken, imageUris, null);
    }

    /**
     * The same, keeping {@code functionMillis} (the function's own time to the build's launch) unless the item has one:
     * the first run's, which started the build.
     */
    public Entry await(String buildId, SecretText taskToken, List<String> imageUris, Long functionMillis) {
        Instant now = table.clock().instant();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":token", AttributeValue.fromSs(List.of(taskToken.value())));
        values.put(":uris", AttributeValue.fromL(imageUris.stream().map(AttributeValue::fromS).toList()));
        values.put(":inProgress", AttributeValue.fromS(IdempotencyTable.Status.IN_PROGRESS.name()));
        values.put(":expires", AttributeValue.fromN(Long.toString(now.plus(table.ttl()).getEpochSecond())));
        values.put(":max", AttributeValue.fromN(Integer.toString(MAX_TOKENS)));
        values.put(":one", AttributeValue.fromS(taskToken.value()));
        Map<String, String> names = new HashMap<>(Map.of("#tokens", TASK_TOKENS, "#uris", IMAGE_URIS,
                "#status", IdempotencyTable.STATUS, "#expires", IdempotencyTable.EXPIRES_AT, "#key", IdempotencyTable.KEY));
        // The first run that waits for the build keeps its time: the build is that run's.
        String keepMillis = functionMillis == null ? "" : " #millis = if_not_exists(#millis, :millis),";
        if (functionMillis != null) {
            values.put(":millis", AttributeValue.fromN(Long.toString(functionMillis)));
            names.put("#millis", FUNCTION_MILLIS);
        }
        try {
            UpdateItemResponse updated = table.client().updateItem(r -> r.tableName(table.name()).key(key(buildId))
                    .updateExpression("SET #uris = if_not_exists(#uris, :uris), #status = if_not_exists(#status, :inProgress),"
                            + keepMillis + " #expires = :expires ADD #tokens :token")
                    .conditionExpression("(attribute_not_exists(#key) OR #status = :inProgress)"
                            + " AND (attribute_not_exists(#tokens) OR size(#tokens) < :max OR contains(#tokens, :one))")
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return entry(updated.attributes());
        } catch (ConditionalCheckFailedException refused) {
            Map<String, AttributeValue> item = refused.hasItem() ? refused.item() : null;
            if (item != null && IdempotencyTable.Status.IN_PROGRESS.name().equals(text(item, IdempotencyTable.STATUS))) {
                throw new InvalidStepException("taskToken: " + MAX_TOKENS + " tasks already wait for build " + buildId
                        + "; a payload repeated more often than Step Functions retries a task is refused");
            }
            Entry entry = entry(item);
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

    /**
     * Records how the tasks were completed and forgets their tokens.
     *
     * @return the tokens that waited at the moment the outcome was recorded (read atomically with it): a task that
     *         added its token after the caller read the build's entry is among them, and must be completed too,
     *         since every later {@link #await} sees the outcome instead
     */
    public List<SecretText> ended(String buildId, TaskOutcome outcome) {
        IdempotencyTable.Status status = outcome instanceof TaskOutcome.Success
                ? IdempotencyTable.Status.DONE
                : IdempotencyTable.Status.FAILED;
        try {
            UpdateItemResponse updated = table.client().updateItem(r -> r.tableName(table.name()).key(key(buildId))
                    .updateExpression("SET #status = :status, #result = :result REMOVE #token, #tokens")
                    .expressionAttributeNames(Map.of("#status", IdempotencyTable.STATUS,
                            "#result", IdempotencyTable.RESULT, "#token", IdempotencyTable.TASK_TOKEN,
                            "#tokens", TASK_TOKENS))
                    .expressionAttributeValues(Map.of(":status", AttributeValue.fromS(status.name()),
                            ":result", AttributeValue.fromS(outcome.toJson(json))))
                    .returnValues(ReturnValue.ALL_OLD));
            // An item that had an outcome already (the same event handled twice at once) hands out no token again.
            return entry(updated.attributes()) instanceof Entry.Waiting waiting ? waiting.taskTokens() : List.of();
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
        // The one token of an item written before tokens were kept as a set, then the set's.
        Set<String> tokens = new LinkedHashSet<>();
        if (item.containsKey(IdempotencyTable.TASK_TOKEN)) {
            tokens.add(item.get(IdempotencyTable.TASK_TOKEN).s());
        }
        if (item.containsKey(TASK_TOKENS) && item.get(TASK_TOKENS).hasSs()) {
            tokens.addAll(new TreeSet<>(item.get(TASK_TOKENS).ss()));
        }
        if (tokens.isEmpty()) {
            return null;
        }
        List<String> uris = new ArrayList<>();
        if (item.containsKey(IMAGE_URIS) && item.get(IMAGE_URIS).hasL()) {
            item.get(IMAGE_URIS).l().forEach(v -> uris.add(v.s()));
        }
        Long millis = null;
        if (item.containsKey(FUNCTION_MILLIS) && item.get(FUNCTION_MILLIS).n() != null) {
            try {
                millis = Long.parseLong(item.get(FUNCTION_MILLIS).n());
            } catch (NumberFormatException e) {
                // Only the function writes it; an item it cannot read leaves the time out rather than failing the task.
                millis = null;
            }
        }
        return new Entry.Waiting(tokens.stream().map(SecretText::new).toList(), uris, millis);
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? item.get(name).s() : null;
    }

    private static Map<String, AttributeValue> key(String buildId) {
        return Map.of(IdempotencyTable.KEY, AttributeValue.fromS(IdempotencyTable.BUILD_PREFIX + buildId));
    }

    private RuntimeException failure(SdkException e, String operation, String buildId) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for build " + buildId,
                InternalErrorException::new);
    }
}
