package dev.ecrpush.flow;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The function's own time for one payload ({@link dev.ecrpush.result.RunTimings}), on a monotonic clock: a
 * wall-clock step (an NTP correction) never makes it negative or long.
 */
public final class Stopwatch {
    private final LongSupplier nanos;
    private final long started;

    private Stopwatch(LongSupplier nanos) {
        this.nanos = nanos;
        this.started = nanos.getAsLong();
    }

    /** Started now. */
    public static Stopwatch start() {
        return start(System::nanoTime);
    }

    /** Started now by {@code nanos} (tests give a fake one). */
    static Stopwatch start(LongSupplier nanos) {
        return new Stopwatch(nanos);
    }

    /** Whole milliseconds since the start. */
    public long elapsedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - started);
    }
}
