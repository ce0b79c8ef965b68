package dev.ecrpush.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.MutableClock;

/** Where a build's commit statuses go, kept under the table's own prefix, against DynamoDB Local. */
class CommitStatusStoreTest {
    private static final String TABLE = "commit-status-test";
    private static final String SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static CommitStatusStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new CommitStatusStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    @Test
    void aRememberedStatus_isFoundByItsBuild_underTheReservedPrefix_withTheTablesTtl() {
        CommitStatusStore.Reported reported = new CommitStatusStore.Reported("gitlab", "group/sub/app", SHA, "ecr-push/app",
                "https://console.aws.amazon.com/codesuite/codebuild/projects/p/build/p%3A1/?region=us-east-1");
        store.remember("ecr-build-push:1", reported);
        assertEquals(reported, store.find("ecr-build-push:1"));
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TABLE)
                .key(Map.of("idempotencyKey", AttributeValue.fromS("build#status#ecr-build-push:1")))).item();
        assertEquals("gitlab", item.get("host").s());
        assertEquals(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
    }

    @Test
    void aStatusWithoutLink_isFoundWithoutOne_andABuildWithNoneIsNull() {
        CommitStatusStore.Reported reported = new CommitStatusStore.Reported("bitbucket", "acme/app", SHA, "ecr-push/app", null);
        store.remember("arn:aws:ecs:us-east-1:111111111111:task/c/0f1e", reported);
        assertEquals(reported, store.find("arn:aws:ecs:us-east-1:111111111111:task/c/0f1e"));
        assertNull(store.find("ecr-build-push:never-started"));
    }
}
