package dev.ecrpush.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Configuration read on first use and again once it is older than its refresh period, so that an edit (a
 * trigger set) or a rotation (a webhook secret) takes effect without a deployment. Concurrent callers of a stale
 * value wait for one read; a read that fails keeps nothing, so the next call tries again.
 *
 * @param <T> what the read gives
 */
public final class Refreshing<T> {
    private final Supplier<T> read;
    private final Duration period;
    private final Clock clock;
    private volatile Read<T> last;

    private record Read<T>(T value, Instant at) {
    }

    /** @param period how long a read is used; null reads once */
    public Refreshing(Supplier<T> read, Duration period, Clock clock) {
        this.read = read;
        this.period = period;
        this.clock = clock;
    }

    public T get() {
        Read<T> current = last;
        if (current == null || (period != null && current.at().plus(period).isBefore(clock.instant()))) {
            synchronized (this) {
                if (last == current) {
                    last = new Read<>(read.get(), clock.instant());
                }
                current = last;
            }
        }
        return current.value();
    }
}
