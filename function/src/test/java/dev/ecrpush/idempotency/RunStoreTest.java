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
    /** The content hash of the payload every claim here comes from, unless a test says otherwise. */
    private static final String HASH = "a".repeat(64);
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
        Claim first = store.claim(key, HASH);
        clock.advance(Duration.ofSeconds(30));
        Claim second = store.claim(key, HASH);
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
        store.claim(key, HASH);
        // when
        store.complete(key, "{\"status\":\"STARTED\",\"buildId\":\"p:1\"}", "p:1");
        // then
        assertEquals(new Claim.Done("{\"status\":\"STARTED\",\"buildId\":\"p:1\"}"), store.claim(key, HASH));
        clock.advance(Duration.ofDays(6));
        assertInstanceOf(Claim.Done.class, store.claim(key, HASH));
        Map<String, AttributeValue> item = item(key);
        assertEquals("DONE", item.get("status").s());
        assertEquals("p:1", item.get("buildId").s());
        assertFalse(item.containsKey("inProgressUntil"));
    }

    @Test
    void failedRun_freesTheKey_andKeepsTheErrorUntilThen() {
        String key = key("failed");
        store.claim(key, HASH);
        // when
        store.fail(key, "{\"errorType\":\"LaunchFailedException\"}");
        // then
        assertEquals("FAILED", item(key).get("status").s());
        assertInstanceOf(Claim.Claimed.class, store.claim(key, HASH));
    }

    @Test
    void abandonedClaim_isTakenOverAfterTheInProgressExpiry() {
        String key = key("abandoned");
        store.claim(key, HASH);
        clock.advance(Duration.ofMinutes(1));
        assertInstanceOf(Claim.InProgress.class, store.claim(key, HASH));
        // when: the run that claimed it died and its claim ran out
        clock.advance(Duration.ofMinutes(2));
        // then
        assertInstanceOf(Claim.Claimed.class, store.claim(key, HASH));
    }

    @Test
    void expiredResult_thatTtlHasNotDeletedYet_doesNotCount() {
        String key = key("expired");
        store.claim(key, HASH);
        store.complete(key, "{}", null);
        // DynamoDB deletes expired items lazily, up to days later
        clock.advance(Duration.ofDays(8));
        assertInstanceOf(Claim.Claimed.class, store.claim(key, HASH));
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
                return store.claim(key, HASH);
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

    private static final String OTHER = "b".repeat(64);

    @Test
    void keyOfADoneRun_claimedWithAnotherPayload_isRefused_andNothingOfTheRunIsHandedOut() {
        String key = key("other-done");
        store.claim(key, HASH);
        store.complete(key, "{\"status\":\"STARTED\",\"buildId\":\"p:1\"}", "p:1");
        // when
        Claim other = store.claim(key, OTHER);
        // then
        assertEquals(new Claim.OtherPayload(HASH), other);
        assertEquals(HASH, item(key).get("payloadHash").s());
        assertEquals("DONE", item(key).get("status").s());
    }

    @Test
    void keyOfARunInProgress_failed_orAbandoned_staysBoundToItsPayload() {
        String key = key("other-unfinished");
        store.claim(key, HASH);
        assertEquals(new Claim.OtherPayload(HASH), store.claim(key, OTHER));
        store.fail(key, "{\"errorType\":\"ThrottledException\"}");
        assertEquals(new Claim.OtherPayload(HASH), store.claim(key, OTHER));
        // the same payload takes its failed key over, and its claim is abandoned past the in-progress expiry
        assertInstanceOf(Claim.Claimed.class, store.claim(key, HASH));
        clock.advance(Duration.ofMinutes(3));
        assertEquals(new Claim.OtherPayload(HASH), store.claim(key, OTHER));
        // once the item has expired the key is anyone's
        clock.advance(Duration.ofDays(8));
        assertInstanceOf(Claim.Claimed.class, store.claim(key, OTHER));
        assertEquals(OTHER, item(key).get("payloadHash").s());
    }

    /** Items written before content hashes were kept: their result goes to no one, an unfinished run is waited for. */
    @Test
    void itemWithoutAHash_handsItsResultToNoOne_butIsWaitedFor_andTakenOverOnceFailed() {
        long now = START.getEpochSecond();
        String done = key("legacy-done");
        client.putItem(r -> r.tableName(TABLE).item(Map.of("idempotencyKey", AttributeValue.fromS(done),
                "status", AttributeValue.fromS("DONE"), "result", AttributeValue.fromS("{\"buildId\":\"p:1\"}"),
                "startedAt", AttributeValue.fromN(Long.toString(now)), "expiresAt", AttributeValue.fromN(Long.toString(now + 86400)))));
        String running = key("legacy-running");
        client.putItem(r -> r.tableName(TABLE).item(Map.of("idempotencyKey", AttributeValue.fromS(running),
                "status", AttributeValue.fromS("IN_PROGRESS"), "startedAt", AttributeValue.fromN(Long.toString(now)),
                "inProgressUntil", AttributeValue.fromN(Long.toString(now + 120)),
                "expiresAt", AttributeValue.fromN(Long.toString(now + 86400)))));
        String failed = key("legacy-failed");
        client.putItem(r -> r.tableName(TABLE).item(Map.of("idempotencyKey", AttributeValue.fromS(failed),
                "status", AttributeValue.fromS("FAILED"), "result", AttributeValue.fromS("{}"),
                "expiresAt", AttributeValue.fromN(Long.toString(now + 86400)))));
        // then
        assertEquals(new Claim.OtherPayload(null), store.claim(done, HASH));
        assertEquals(new Claim.InProgress(START), store.claim(running, HASH));
        assertInstanceOf(Claim.Claimed.class, store.claim(failed, HASH));
        assertEquals(HASH, item(failed).get("payloadHash").s());
    }
}
