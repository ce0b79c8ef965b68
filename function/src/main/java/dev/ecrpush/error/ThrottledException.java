package dev.ecrpush.error;

/**
 * Thrown when AWS still throttles or fails with a server error after the SDK's own retries. Retryable: a
 * later attempt with the same idempotency key starts at most one build.
 */
public final class ThrottledException extends BuildPushException {
    public ThrottledException(String message) {
        super(message, null, true, 429);
    }

    public ThrottledException(String message, Throwable cause) {
        super(message, cause, true, 429);
    }
}
