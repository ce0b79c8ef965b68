package dev.ecrpush.error;

/**
 * Thrown when a payload's {@code idempotencyKey} belongs to a run that has not finished yet: the first call is
 * still starting the build, or died mid-run and its claim has not expired. Not retryable by a Step Functions
 * {@code Retry} as a throttle would be: the run is not refused, it is underway, and a later call with the same
 * key gets its result.
 */
public final class RunInProgressException extends BuildPushException {
    public RunInProgressException(String message) {
        super(message, null, false, 409);
    }
}
