package dev.ecrpush.error;

/**
 * A failure as every caller sees it: an HTTP answer's body, a failed trigger's entry in a webhook answer, and
 * the record of a failed run kept under its idempotency key.
 *
 * @param errorType the exception's simple class name (public API: callers branch on it)
 */
public record ErrorBody(String errorType, String errorMessage, boolean retryable) {

    public static ErrorBody of(BuildPushException e) {
        return new ErrorBody(e.errorType(), e.getMessage(), e.retryable());
    }
}
