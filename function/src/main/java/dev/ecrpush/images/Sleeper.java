package dev.ecrpush.images;

import java.time.Duration;

/** Waits: {@link Thread#sleep} on Lambda, a clock that jumps in tests. */
@FunctionalInterface
interface Sleeper {
    Sleeper REAL = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
