package dev.ecrpush.error;

/**
 * Thrown before a build starts when tags it would push exist already and the step's {@code onExistingTag} (or its
 * trigger's) says that must not be built over: with {@code fail}, any of its tags that exists; with {@code skip} or
 * {@code rebuild}, an immutable tag that exists (ECR would refuse the push only after the whole build). The message
 * starts with {@code step.spec.tags} and names each tag, its digest and why. Only another tag, another
 * {@code onExistingTag} or a change in the repository helps, so it is never retried; HTTP 409, as for a conflict.
 */
public final class TagExistsException extends BuildPushException {
    public TagExistsException(String message) {
        super(message, null, false, 409);
    }
}
