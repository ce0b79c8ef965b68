package dev.ecrpush.error;

/**
 * Thrown when the ECR repository cannot be found or created in the target account. Nothing was started. Not
 * retryable unless the cause was transient, which the SDK has already retried.
 */
public final class RepositoryFailedException extends BuildPushException {
    public RepositoryFailedException(String message) {
        super(message, null, false, 502);
    }

    public RepositoryFailedException(String message, Throwable cause) {
        super(message, cause, false, 502);
    }
}
