package dev.ecrpush.idempotency;

import java.time.Instant;

/** What claiming an idempotency key found. */
public sealed interface Claim {
    /** The key is this run's: go ahead. */
    record Claimed() implements Claim {
    }

    /** A run with this key already finished; {@code resultJson} is its result as it was returned. */
    record Done(String resultJson) implements Claim {
    }

    /** A run with this key is under way (or died less than the in-progress expiry ago). */
    record InProgress(Instant since) implements Claim {
    }

    /**
     * The key belongs to a run of another payload (another content hash), or to a run recorded before content
     * hashes were kept, whose payload cannot be compared ({@code recordedHash} null). Nothing of that run is
     * handed out.
     */
    record OtherPayload(String recordedHash) implements Claim {
    }
}
