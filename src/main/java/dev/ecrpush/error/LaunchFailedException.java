package dev.ecrpush.error;

/**
 * Thrown when CodeBuild or ECS refuses to start the build (unknown project or cluster, bad parameters, account limits). Not retryable without a change.
 */
public final class LaunchFailedException extends BuildPushException {
    public LaunchFailedException(String message) {
        super(message);
    }

    public LaunchFailedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean retryable() {
        return false;
    }

    @Override
    public int httpStatus() {
        return 502;
    }
}
