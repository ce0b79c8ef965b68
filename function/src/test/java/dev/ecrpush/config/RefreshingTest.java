package dev.ecrpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
