package dev.ecrpush.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.idempotency.IdempotencyTable;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.MutableClock;

/** The build#<id> items against DynamoDB Local. */
class TaskTokenStoreTest {
    private static final String TABLE = "tokens-test";
    private static final List<String> IMAGES = List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:9f1c2d3");
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static TaskTokenStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new TaskTokenStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))), Fixtures.JSON);
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    private static Map<String, AttributeValue> item(String buildId) {
        return client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS("build#" + buildId)))).item();
    }

    @Test
    void await_keepsTheTokenUnderBuildHash_andALaterTokenIsAddedNeverReplacing() {
        String build = "ecr-build-push:aaaa0000-0000-4000-8000-000000000001";
        // when
        store.await(build, new SecretText("token-1"), IMAGES);
        TaskTokenStore.Entry second = store.await(build, new SecretText("token-2"), List.of("ignored:once-stored"));
        store.await(build, new SecretText("token-1"), IMAGES);
        // then
        Map<String, AttributeValue> item = item(build);
        assertEquals(Set.of("token-1", "token-2"), Set.copyOf(item.get("taskTokens").ss()));
        assertEquals("IN_PROGRESS", item.get("status").s());
        assertEquals(IMAGES.get(0), item.get("imageUris").l().get(0).s());
        assertEquals(Long.toString(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond()), item.get("expiresAt").n());
        TaskTokenStore.Entry.Waiting waiting = new TaskTokenStore.Entry.Waiting(
                List.of(new SecretText("token-1"), new SecretText("token-2")), IMAGES);
        assertEquals(waiting, store.find(build));
        assertEquals(waiting, second);
    }

    @Test
    void await_pastTheMostTasksOneBuildCompletes_isRefusedNamingTheTaskToken() {
        String build = "ecr-build-push:aaaa0000-0000-4000-8000-000000000003";
        for (int i = 0; i < TaskTokenStore.MAX_TOKENS; i++) {
            store.await(build, new SecretText("token-" + i), IMAGES);
        }
        // a token that is there already is no new task
        store.await(build, new SecretText("token-0"), IMAGES);
        // when
        InvalidStepException refused = assertThrows(InvalidStepException.class,
                () -> store.await(build, new SecretText("one-too-many"), IMAGES));
        // then
        assertTrue(refused.getMessage().startsWith("taskToken: "), refused.getMessage());
        assertFalse(refused.getMessage().contains("one-too-many"));
        assertEquals(TaskTokenStore.MAX_TOKENS, item(build).get("taskTokens").ss().size());
    }

    /** An item written when one token was kept per build: that token is still completed, next to new ones. */
    @Test
    void itemWithTheFormerSingleToken_keepsIt_nextToTheNewOnes() {
        String build = "ecr-build-push:aaaa0000-0000-4000-8000-000000000004";
        client.putItem(r -> r.tableName(TABLE).item(Map.of("idempotencyKey", AttributeValue.fromS("build#" + build),
                "taskToken", AttributeValue.fromS("former"), "status", AttributeValue.fromS("IN_PROGRESS"),
                "imageUris", AttributeValue.fromL(List.of(AttributeValue.fromS(IMAGES.get(0)))))));
        // when
        store.await(build, new SecretText("new"), IMAGES);
        // then
        assertEquals(new TaskTokenStore.Entry.Waiting(List.of(new SecretText("former"), new SecretText("new")), IMAGES),
                store.find(build));
        store.ended(build, new TaskOutcome.Success("{}"));
        assertFalse(item(build).containsKey("taskToken"));
        assertFalse(item(build).containsKey("taskTokens"));
    }

    @Test
    void ended_forgetsTheToken_andAnswersALaterTaskWithTheOutcome() {
        String build = "ecr-build-push:aaaa0000-0000-4000-8000-000000000002";
        store.await(build, new SecretText("token-1"), IMAGES);
        TaskOutcome outcome = new TaskOutcome.Failure("BuildFailed", "build failed in phase BUILD");
        // when
        List<SecretText> waited = store.ended(build, outcome);
        // then
        assertEquals(List.of(new SecretText("token-1")), waited);
        Map<String, AttributeValue> item = item(build);
        assertFalse(item.containsKey("taskTokens"));
        assertEquals("FAILED", item.get("status").s());
        assertEquals(List.of(), store.ended(build, outcome), "an outcome recorded twice hands out no token again");
        assertEquals(new TaskTokenStore.Entry.Ended(outcome), store.find(build));
        assertEquals(new TaskTokenStore.Entry.Ended(outcome), store.await(build, new SecretText("token-2"), IMAGES));
        assertFalse(item(build).containsKey("taskTokens"));
    }

    @Test
    void find_unknownBuild_isNull() {
        assertNull(store.find("ecr-build-push:aaaa0000-0000-4000-8000-00000000ffff"));
    }
}
