package dev.ecrpush.error;

/**
 * Thrown when a payload asks for something the deployer's policy does not allow: an account, a role, a secret, a
 * registry or a Git host outside the {@code buildpush.policy.*} lists. Checked before any AWS call; the message
 * names the field. Only a change of the payload (or of the policy) can help, so it is never retried.
 */
public final class NotAllowedException extends BuildPushException {
    public NotAllowedException(String message) {
        super(message, null, false, 403);
    }
}
