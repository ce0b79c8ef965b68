package dev.ecrpush.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.MutableClock;

/** A pull request's recorded tags, against DynamoDB Local. */
class PullRequestImageStoreTest {
    private static final String TABLE = "pr-images-test";
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static PullRequestImageStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new PullRequestImageStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    private static String key() {
        return PullRequestImageStore.key("app-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), "github", "Acme/App", 12);
    }

    @Test
    void buildsAddTheirTags_withTheRepositoryAndTheTablesTtl() {
        String key = key();
        assertTrue(key.startsWith("build#pr-images#github/acme/app/12/app-"), key);
        assertTrue(store.record(key, "us-east-1", "123456789012", "acme/app", Set.of("pr-12", "pr-12-3f2a9c1")));
        assertTrue(store.record(key, "us-east-1", "123456789012", "acme/app", Set.of("pr-12", "pr-12-9e8d7c6")));
        assertEquals(new PullRequestImageStore.Recorded("us-east-1", "123456789012", "acme/app",
                new TreeSet<>(Set.of("pr-12", "pr-12-3f2a9c1", "pr-12-9e8d7c6"))), store.recorded(key));
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key))))
                .item();
        assertEquals(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
    }

    @Test
    void aBuildOfAnotherRepository_isNotRecordedWithTheFirst() {
        String key = key();
        assertTrue(store.record(key, "us-east-1", "123456789012", "acme/app", Set.of("pr-12")));
        assertFalse(store.record(key, "us-east-1", "123456789012", "acme/other", Set.of("pr-12-x")));
        assertFalse(store.record(key, "us-east-1", "222222222222", "acme/app", Set.of("pr-12-y")));
        assertFalse(store.record(key, "eu-west-1", "123456789012", "acme/app", Set.of("pr-12-z")));
        assertEquals(Set.of("pr-12"), store.recorded(key).tags());
    }

    @Test
    void concurrentBuilds_allStayRecorded() throws Exception {
        String key = key();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < 18; i++) {
                String tag = "pr-12-" + i;
                done.add(pool.submit(() -> store.record(key, "us-east-1", "123456789012", "acme/app", Set.of(tag))));
            }
            for (Future<Boolean> each : done) {
                assertTrue(each.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(18, store.recorded(key).tags().size());
    }

    @Test
    void forgetting_keepsWhatWasNotDeleted_andRemovesTheRecordOnceEmpty() {
        String key = key();
        store.record(key, "us-east-1", "123456789012", "acme/app", Set.of("pr-12", "pr-12-a", "pr-12-b"));
        store.forget(key, Set.of("pr-12", "pr-12-a"));
        assertEquals(Set.of("pr-12-b"), store.recorded(key).tags());
        store.forget(key, Set.of("pr-12-b"));
        assertNull(store.recorded(key));
        assertFalse(client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).hasItem());
        store.forget(key, Set.of("pr-12"));
        assertFalse(client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).hasItem(),
                "forgetting what is gone creates nothing");
    }
}
