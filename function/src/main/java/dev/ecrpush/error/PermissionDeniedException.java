package dev.ecrpush.error;

/**
 * Thrown when AWS refuses a call for want of an IAM permission ({@code AccessDeniedException} and its kin),
 * whichever stage made it: the role that signed (the function's, a target role, the build's) or a resource's
 * policy must change first, so no retry can help. Credentials AWS refuses outright are
 * {@link CredentialsRefusedException}.
 */
public final class PermissionDeniedException extends BuildPushException {
    public PermissionDeniedException(String message) {
        super(message, null, false, 403);
    }

    public PermissionDeniedException(String message, Throwable cause) {
        super(message, cause, false, 403);
    }
}
