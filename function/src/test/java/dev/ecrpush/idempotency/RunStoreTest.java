package dev.ecrpush.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.MutableClock;

/** The run records against DynamoDB Local: the real engine decides every conditional write. */
class RunStoreTest {
    private static final Instant START = Instant.parse("2025-06-01T12:00:00Z");
    private static final String TABLE = "runs-test";
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;

    private MutableClock clock;
    private RunStore store;

    @BeforeAll
    static void startDynamoDb() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
    }

    @AfterAll
    static void stopDynamoDb() {
        client.close();
        dynamoDb.close();
    }

    @BeforeEach
    void newStore() {
        clock = new MutableClock(START);
        store = new RunStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2), clock));
    }

    private static String key(String name) {
        return name + "-" + System.nanoTime();
    }

    private static Map<String, AttributeValue> item(String key) {
        return client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
    }

    @Test
    void firstClaim_writesAnInProgressItemWithTtl_andASecondClaimFindsIt() {
        String key = key("first");
        // when
        Claim first = store.claim(key);
        clock.advance(Duration.ofSeconds(30));
        Claim second = store.claim(key);
        // then
        assertInstanceOf(Claim.Claimed.class, first);
        assertEquals(new Claim.InProgress(START), second);
        Map<String, AttributeValue> item = item(key);
        assertEquals("IN_PROGRESS", item.get("status").s());
        assertEquals(Long.toString(START.plus(Duration.ofDays(7)).getEpochSecond()), item.get("expiresAt").n());
        assertEquals(Long.toString(START.plus(Duration.ofMinutes(2)).getEpochSecond()), item.get("inProgressUntil").n());
    }

    @Test
    void completedRun_isReturnedToEveryLaterClaim() {
        String key = key("done");
        store.claim(key);
        // when
        store.complete(key, "{\"status\":\"STARTED\",\"buildId\":\"p:1\"}", "p:1");
        // then
        assertEquals(new Claim.Done("{\"status\":\"STARTED\",\"buildId\":\"p:1\"}"), store.claim(key));
        clock.advance(Duration.ofDays(6));
        assertInstanceOf(Claim.Done.class, store.claim(key));
        Map<String, AttributeValue> item = item(key);
        assertEquals("DONE", item.get("status").s());
        assertEquals("p:1", item.get("buildId").s());
        assertFalse(item.containsKey("inProgressUntil"));
    }

    @Test
    void failedRun_freesTheKey_andKeepsTheErrorUntilThen() {
        String key = key("failed");
        store.claim(key);
        // when
        store.fail(key, "{\"errorType\":\"LaunchFailedException\"}");
        // then
        assertEquals("FAILED", item(key).get("status").s());
        assertInstanceOf(Claim.Claimed.class, store.claim(key));
    }

    @Test
    void abandonedClaim_isTakenOverAfterTheInProgressExpiry() {
        String key = key("abandoned");
        store.claim(key);
        clock.advance(Duration.ofMinutes(1));
        assertInstanceOf(Claim.InProgress.class, store.claim(key));
        // when: the run that claimed it died and its claim ran out
        clock.advance(Duration.ofMinutes(2));
        // then
        assertInstanceOf(Claim.Claimed.class, store.claim(key));
    }

    @Test
    void expiredResult_thatTtlHasNotDeletedYet_doesNotCount() {
        String key = key("expired");
        store.claim(key);
        store.complete(key, "{}", null);
        // DynamoDB deletes expired items lazily, up to days later
        clock.advance(Duration.ofDays(8));
        assertInstanceOf(Claim.Claimed.class, store.claim(key));
    }

    @Test
    void fiftyConcurrentClaims_exactlyOneWins() throws Exception {
        String key = key("burst");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Claim>> claims = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            claims.add(pool.submit(() -> {
                go.await();
                return store.claim(key);
            }));
        }
        go.countDown();
        int won = 0;
        for (Future<Claim> claim : claims) {
            won += claim.get() instanceof Claim.Claimed ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, won);
    }
}
