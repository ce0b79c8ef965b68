package dev.ecrpush.error;

import java.util.List;

/**
 * Thrown when a payload asks for something the deployer's policy does not allow: an account, a role, a secret, a
 * registry or a Git host outside the {@code buildpush.policy.*} lists. Checked before any AWS call; the message
 * names the field. Only a change of the payload (or of the policy) can help, so it is never retried.
 */
public final class NotAllowedException extends BuildPushException {
    public NotAllowedException(String message) {
        super(message, null, false, 403);
    }

    /**
     * Every refused field of one payload, one line each: each line printable and cut like an invalid step's
     * problems, so the input it quotes can forge no line of its own.
     */
    public NotAllowedException(List<String> refusals) {
        super(String.join("\n", refusals.stream().map(r -> ErrorText.cut(ErrorText.printable(r), ErrorText.MAX_PROBLEM)).toList()),
                null, false, 403, true);
    }
}
