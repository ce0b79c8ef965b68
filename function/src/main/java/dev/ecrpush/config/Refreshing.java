package dev.ecrpush.config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Configuration read on first use and again once it is older than its refresh period, so that an edit (a
 * trigger set) or a rotation (a webhook secret) takes effect without a deployment. Concurrent callers of a stale
 * value wait for one read.
 *
 * <p>A read that fails keeps no value. Without a failure period the next call tries again; with one, the failure
 * itself is kept for that long and thrown to every caller without reading: a read that callers can trigger at
 * will (a webhook delivery needs the secret before it can be refused) then costs at most one call per period,
 * however many arrive while the source is down.
 *
 * @param <T> what the read gives
 */
public final class Refreshing<T> {
    private final Supplier<T> read;
    private final Duration period;
    private final Duration failurePeriod;
    private final Clock clock;
    private volatile State<T> last;

    private sealed interface State<T> {
        Instant at();
    }

    private record Read<T>(T value, Instant at) implements State<T> {
    }

    private record Failed<T>(RuntimeException failure, Instant at) implements State<T> {
    }

    /** @param period how long a read is used; null reads once */
    public Refreshing(Supplier<T> read, Duration period, Clock clock) {
        this(read, period, null, clock);
    }

    /**
     * @param period        how long a read is used; null reads once
     * @param failurePeriod how long a failed read is thrown again instead of reading; null keeps no failure
     */
    public Refreshing(Supplier<T> read, Duration period, Duration failurePeriod, Clock clock) {
        this.read = read;
        this.period = period;
        this.failurePeriod = failurePeriod;
        this.clock = clock;
    }

    /** @throws RuntimeException what the read threw, now or (with a failure period) within that period */
    public T get() {
        State<T> current = last;
        if (stale(current)) {
            synchronized (this) {
                if (last == current) {
                    last = readNow();
                }
                current = last;
            }
        }
        if (current instanceof Failed<T> failed) {
            throw failed.failure();
        }
        return ((Read<T>) current).value();
    }

    private boolean stale(State<T> state) {
        if (state == null) {
            return true;
        }
        Duration kept = state instanceof Failed ? failurePeriod : period;
        return kept != null && state.at().plus(kept).isBefore(clock.instant());
    }

    private State<T> readNow() {
        try {
            return new Read<>(read.get(), clock.instant());
        } catch (RuntimeException e) {
            if (failurePeriod == null) {
                throw e;
            }
            return new Failed<>(e, clock.instant());
        }
    }
}
