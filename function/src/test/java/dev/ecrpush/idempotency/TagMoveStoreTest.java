package dev.ecrpush.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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

/** A ref's push order and its builds' pending moves, against DynamoDB Local. */
class TagMoveStoreTest {
    private static final String TABLE = "tag-moves-test";
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static TagMoveStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new TagMoveStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    private static String ref() {
        return "app/github/acme/app/refs/heads/main-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    }

    @Test
    void positions_followTheOrderOfTheCalls_perRef() {
        String main = ref();
        String other = ref();
        assertEquals(List.of(1L, 2L, 1L, 3L), List.of(store.nextPosition(main), store.nextPosition(main), store.nextPosition(other),
                store.nextPosition(main)));
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TABLE)
                .key(Map.of("idempotencyKey", AttributeValue.fromS("build#sequence#" + main)))).item();
        assertEquals(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
    }

    @Test
    void concurrentRuns_eachGetAPositionOfTheirOwn() throws Exception {
        String main = ref();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> positions = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                positions.add(pool.submit(() -> store.nextPosition(main)));
            }
            Set<Long> distinct = new TreeSet<>();
            for (Future<Long> position : positions) {
                distinct.add(position.get());
            }
            assertEquals(24, distinct.size());
            assertEquals(24L, distinct.stream().mapToLong(Long::longValue).max().orElseThrow());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void moveTo_anOlderPositionAfterANewerOne_isRefused_theSameOneWinsAgain() {
        String main = ref();
        assertNull(store.moved(main));
        assertTrue(store.moveTo(main, 2, "sha256:2"));
        assertFalse(store.moveTo(main, 1, "sha256:1"));
        assertEquals(new TagMoveStore.Moved(2, "sha256:2"), store.moved(main));
        assertTrue(store.moveTo(main, 2, "sha256:2"));
        assertTrue(store.moveTo(main, 3, null));
        assertFalse(store.moveTo(main, 2, "sha256:2"));
        assertEquals(new TagMoveStore.Moved(3, null), store.moved(main));
    }

    @Test
    void buildsEndingAtOnce_inAnyOrder_leaveTheNewestPositionAsMoved() throws Exception {
        String main = ref();
        List<Long> positions = new ArrayList<>();
        for (long p = 1; p <= 16; p++) {
            positions.add(p);
        }
        Collections.shuffle(positions);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> moves = new ArrayList<>();
            positions.forEach(p -> moves.add(pool.submit(() -> store.moveTo(main, p, "sha256:" + p))));
            for (Future<Boolean> move : moves) {
                move.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(new TagMoveStore.Moved(16, "sha256:16"), store.moved(main));
        assertFalse(store.moveTo(main, 15, "sha256:15"));
    }

    @Test
    void pending_isKeptUnderTheBuild_andNoneForAnotherBuild() {
        TagMoveStore.Pending pending = new TagMoveStore.Pending("app", ref(), 7, "{\"mode\":\"run\"}");
        store.await("ecr-build-push:aaaa0000-0000-4000-8000-000000000007", pending);
        assertEquals(pending, store.pending("ecr-build-push:aaaa0000-0000-4000-8000-000000000007"));
        assertNull(store.pending("ecr-build-push:aaaa0000-0000-4000-8000-000000000008"));
    }
}
