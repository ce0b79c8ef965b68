package dev.ecrpush.error;

/**
 * Thrown when CodeBuild or ECS refuses to start the build (unknown project or cluster, bad parameters,
 * account limits). Not retryable without a change.
 */
public final class LaunchFailedException extends BuildPushException {
    public LaunchFailedException(String message) {
        super(message, null, false, 502);
    }

    public LaunchFailedException(String message, Throwable cause) {
        super(message, cause, false, 502);
    }
}
