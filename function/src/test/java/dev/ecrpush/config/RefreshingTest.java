package dev.ecrpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.ecrpush.support.MutableClock;

class RefreshingTest {
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final AtomicInteger reads = new AtomicInteger();

    @Test
    void aRead_isKeptForItsPeriod_thenReadAgain() {
        // given
        Refreshing<Integer> value = new Refreshing<>(reads::incrementAndGet, Duration.ofMinutes(5), clock);
        // when / then
        assertEquals(1, value.get());
        clock.advance(Duration.ofMinutes(5));
        assertEquals(1, value.get());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(2, value.get());
        assertEquals(2, reads.get());
    }

    @Test
    void noPeriod_readsOnce() {
        Refreshing<Integer> value = new Refreshing<>(reads::incrementAndGet, null, clock);
        value.get();
        clock.advance(Duration.ofDays(365));
        assertEquals(1, value.get());
    }

    @Test
    void aFailedRead_keepsNothing_soTheNextCallReadsAgain() {
        // given: the first read fails
        Refreshing<Integer> value = new Refreshing<>(() -> {
            if (reads.incrementAndGet() == 1) {
                throw new IllegalStateException("throttled");
            }
            return reads.get();
        }, Duration.ofMinutes(5), clock);
        // when / then
        assertThrows(IllegalStateException.class, value::get);
        assertEquals(2, value.get());
    }

    @Test
    void withAFailurePeriod_aFailedReadIsThrownAgainWithoutReading_untilThePeriodHasPassed() {
        // given: the source is down
        IllegalStateException down = new IllegalStateException("down");
        Refreshing<Integer> value = new Refreshing<>(() -> {
            reads.incrementAndGet();
            throw down;
        }, Duration.ofMinutes(15), Duration.ofSeconds(30), clock);
        // when: a hundred callers within the period
        for (int i = 0; i < 100; i++) {
            assertSame(down, assertThrows(IllegalStateException.class, value::get));
            clock.advance(Duration.ofMillis(300));
        }
        // then: one read
        assertEquals(1, reads.get());
        // and once the period has passed, the next caller reads again
        clock.advance(Duration.ofMillis(1));
        assertThrows(IllegalStateException.class, value::get);
        assertEquals(2, reads.get());
    }

    @Test
    void withAFailurePeriod_aReadThatSucceedsAfterIsKeptForTheNormalPeriod() {
        // given: the first read fails
        Refreshing<Integer> value = new Refreshing<>(() -> {
            if (reads.incrementAndGet() == 1) {
                throw new IllegalStateException("throttled");
            }
            return reads.get();
        }, Duration.ofMinutes(15), Duration.ofSeconds(30), clock);
        assertThrows(IllegalStateException.class, value::get);
        // when: after the failure period
        clock.advance(Duration.ofSeconds(31));
        // then: read again, and kept as any read is
        assertEquals(2, value.get());
        clock.advance(Duration.ofMinutes(10));
        assertEquals(2, value.get());
        assertEquals(2, reads.get());
    }
}
