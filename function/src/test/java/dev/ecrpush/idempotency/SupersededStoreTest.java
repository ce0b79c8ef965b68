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
import java.util.concurrent.CyclicBarrier;
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

/** The running builds of a cancelSuperseded trigger's refs, against DynamoDB Local. */
class SupersededStoreTest {
    private static final String TABLE = "superseded-test";
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static SupersededStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new SupersededStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    private static String sequence() {
        return "app/github/acme/app/refs/heads/main-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
    }

    private static String build(int n) {
        return "ecr-build-push:aaaa0000-0000-4000-8000-" + String.format("%012d", n);
    }

    private static Map<String, AttributeValue> item(String key) {
        return client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
    }

    @Test
    void positions_followTheOrderOfTheDeliveries_perSequence_withATtl() {
        String main = sequence();
        String other = sequence();
        assertEquals(List.of(1L, 2L, 1L, 3L), List.of(store.arrive(main), store.arrive(main), store.arrive(other),
                store.arrive(main)));
        Map<String, AttributeValue> item = item("build#running#" + main);
        assertEquals(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
        assertEquals(Map.of(), item.get("builds").m());
    }

    @Test
    void concurrentDeliveries_eachGetAPositionOfTheirOwn() throws Exception {
        String main = sequence();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Long>> positions = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                positions.add(pool.submit(() -> store.arrive(main)));
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
    void aStartedBuild_seesTheOthersOfItsSequenceOnly_oldestFirst_andTheNewestStartedBeforeIt() {
        String main = sequence();
        String other = sequence();
        long first = store.arrive(main);
        long second = store.arrive(main);
        long third = store.arrive(main);
        store.arrive(other);
        assertEquals(new SupersededStore.Sequence(List.of(), 0), store.start("app", main, second, build(2)));
        assertEquals(new SupersededStore.Sequence(List.of(), 0), store.start("app", other, 1, build(9)));
        assertEquals(new SupersededStore.Sequence(List.of(new SupersededStore.Running(build(2), second)), second),
                store.start("app", main, first, build(1)));
        // the newest stays the second: the first started after it
        assertEquals(new SupersededStore.Sequence(List.of(new SupersededStore.Running(build(1), first),
                new SupersededStore.Running(build(2), second)), second), store.start("app", main, third, build(3)));
        assertEquals(new SupersededStore.Remembered("app", main, first), store.remembered(build(1)));
        assertEquals(third, Long.parseLong(item("build#running#" + main).get("newest").n()));
    }

    @Test
    void forget_removesTheBuildFromItsSequence_andItsReverseItem_butTheNewestStays() {
        String main = sequence();
        long first = store.arrive(main);
        long second = store.arrive(main);
        store.start("app", main, first, build(11));
        store.start("app", main, second, build(12));
        store.forget(main, build(12));
        assertEquals(List.of(new SupersededStore.Running(build(11), first)), store.running(main));
        assertNull(store.remembered(build(12)));
        // a late build of an earlier position still learns that a newer one has started, though it has ended
        long late = store.arrive(main);
        assertEquals(new SupersededStore.Sequence(List.of(new SupersededStore.Running(build(11), first)), second),
                store.start("app", main, late, build(13)));
        // forgetting twice, or a build never remembered, changes nothing
        store.forget(main, build(12));
        store.forget(main, build(99));
        store.forget(sequence(), build(98));
        assertNull(store.remembered(build(98)));
        assertEquals(List.of(new SupersededStore.Running(build(11), first), new SupersededStore.Running(build(13), late)),
                store.running(main));
    }

    @Test
    void aSequenceThatExpiredBetweenDeliveryAndStart_isMadeAgainWithTheBuild() {
        String main = sequence();
        assertEquals(new SupersededStore.Sequence(List.of(), 0), store.start("app", main, 5, build(21)));
        assertEquals(List.of(new SupersededStore.Running(build(21), 5)), store.running(main));
    }

    /**
     * Two builds of one ref starting at once: in every interleaving, at least one of them sees the other, so the
     * newer stops the older or the older stops itself.
     */
    @Test
    void buildsStartingAtOnce_theLaterAddedAlwaysSeesTheEarlier() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                String main = sequence();
                long older = store.arrive(main);
                long newer = store.arrive(main);
                CyclicBarrier together = new CyclicBarrier(2);
                String olderBuild = build(100 + round * 2);
                String newerBuild = build(101 + round * 2);
                Future<SupersededStore.Sequence> a = pool.submit(() -> {
                    together.await();
                    return store.start("app", main, older, olderBuild);
                });
                Future<SupersededStore.Sequence> b = pool.submit(() -> {
                    together.await();
                    return store.start("app", main, newer, newerBuild);
                });
                boolean newerSawOlder = a.get() != null && b.get().others().stream().anyMatch(r -> r.buildId().equals(olderBuild));
                boolean olderSawNewer = a.get().others().stream().anyMatch(r -> r.position() > older) || a.get().newest() > older;
                assertTrue(newerSawOlder || olderSawNewer, "round " + round + ": neither saw the other");
                assertFalse(b.get().newest() > newer);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
