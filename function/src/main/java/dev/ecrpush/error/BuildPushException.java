package dev.ecrpush.error;

/**
 * Base of the function's failures. The concrete class names are public API: Lambda reports the thrown
 * class as the invocation's {@code errorType}, and Step Functions {@code Retry}/{@code Catch} match on it,
 * so renaming one breaks callers. Messages are for people and never carry a secret value; whatever input they
 * quote, they are one line (but for {@link InvalidStepException}'s list, one problem a line) with every control
 * character escaped, and bounded ({@link ErrorText}).
 */
public abstract sealed class BuildPushException extends RuntimeException
        permits InvalidStepException, CredentialsRefusedException, PermissionDeniedException, NotAllowedException,
        RepositoryFailedException, LaunchFailedException, RunInProgressException, ThrottledException, InternalErrorException,
        TagExistsException {

    private final boolean retryable;
    private final int httpStatus;

    protected BuildPushException(String message, Throwable cause, boolean retryable, int httpStatus) {
        this(message, cause, retryable, httpStatus, false);
    }

    /** @param linesKept whether the message is a list of lines, each kept a line of its own */
    BuildPushException(String message, Throwable cause, boolean retryable, int httpStatus, boolean linesKept) {
        super(ErrorText.message(message, linesKept), cause);
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
