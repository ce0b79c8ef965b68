package dev.ecrpush.error;

/**
 * Base of the function's failures. The concrete class names are public API: Lambda reports the thrown
 * class as the invocation's {@code errorType}, and Step Functions {@code Retry}/{@code Catch} match on it,
 * so renaming one breaks callers. Messages are for people and never carry a secret value.
 */
public abstract sealed class BuildPushException extends RuntimeException
        permits InvalidStepException, CredentialsRefusedException, PermissionDeniedException, NotAllowedException,
        RepositoryFailedException, LaunchFailedException, RunInProgressException, ThrottledException, InternalErrorException {

    private final boolean retryable;
    private final int httpStatus;

    protected BuildPushException(String message, Throwable cause, boolean retryable, int httpStatus) {
        super(message, cause);
        this.retryable = retryable;
        this.httpStatus = httpStatus;
    }

    /** Whether calling again with the same payload may succeed. */
    public boolean retryable() {
        return retryable;
    }

    /** The HTTP status the internal route and the webhooks answer with. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The short name callers branch on; the Lambda {@code errorType} is the fully qualified class name. */
    public String errorType() {
        return getClass().getSimpleName();
    }
}
