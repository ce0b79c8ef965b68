package dev.ecrpush.idempotency;

import java.time.Clock;
import java.time.Duration;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The DynamoDB table that outlives CodeBuild's 5-minute idempotency token. It holds two kinds of items under
 * the partition key {@value #KEY}: a run, keyed by its idempotency key ({@link RunStore}), and a build waiting
 * to complete a Step Functions task, keyed {@code build#<build ID or task ARN>}. Every item carries the TTL
 * attribute {@value #EXPIRES_AT} (epoch seconds).
 *
 * @param ttl              how long an item is kept
 * @param inProgressExpiry how long an unfinished run holds its key before another attempt may take it over
 */
public record IdempotencyTable(DynamoDbClient client, String name, Duration ttl, Duration inProgressExpiry, Clock clock) {
    public static final String KEY = "idempotencyKey";
    public static final String EXPIRES_AT = "expiresAt";
    public static final String STATUS = "status";
    public static final String RESULT = "result";
    public static final String BUILD_ID = "buildId";
    public static final String TASK_TOKEN = "taskToken";
    /** Epoch seconds until which an IN_PROGRESS run holds its key. */
    public static final String IN_PROGRESS_UNTIL = "inProgressUntil";
    /** The SHA-256 of the content of the payload that claimed a run's key: the key is bound to it. */
    public static final String PAYLOAD_HASH = "payloadHash";
    /** Epoch seconds at which a run claimed its key. */
    public static final String STARTED_AT = "startedAt";
    /**
     * The prefix of the items the function keeps for itself: a build's task token ({@code build#<build ID>}), and a
     * monotonic trigger's push order and pending tag moves ({@link TagMoveStore}). No run key may start with it.
     */
    public static final String BUILD_PREFIX = "build#";

    /** The status attribute's values. */
    public enum Status { IN_PROGRESS, DONE, FAILED }
}
