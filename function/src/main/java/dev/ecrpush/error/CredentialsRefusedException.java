package dev.ecrpush.error;

/**
 * Thrown when AWS refuses the credentials, the role or the web identity token of the step's connector
 * (access denied, expired or invalid token, untrusted role). Nothing was started. Not retryable: the
 * connector or the role's trust policy must change first.
 */
public final class CredentialsRefusedException extends BuildPushException {
    public CredentialsRefusedException(String message) {
        super(message, null, false, 403);
    }

    public CredentialsRefusedException(String message, Throwable cause) {
        super(message, cause, false, 403);
    }
}
