package dev.ecrpush.error;

/**
 * Thrown for a failure of the function itself. Retryable, since it may be transient; report it if it
 * repeats.
 */
public final class InternalErrorException extends BuildPushException {
    public InternalErrorException(String message) {
        super(message, null, true, 500);
    }

    public InternalErrorException(String message, Throwable cause) {
        super(message, cause, true, 500);
    }
}
