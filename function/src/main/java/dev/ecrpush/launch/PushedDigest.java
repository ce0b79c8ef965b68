package dev.ecrpush.launch;

import java.util.regex.Pattern;

/**
 * The digest of the image a build pushed, as the build itself reported it (each executor reads its own report:
 * CodeBuild's exported variable, the last line of an ECS plugin container's log). Never what a tag points at
 * when someone asks: a shared tag such as {@code latest} may name another build's image by then. Anything that
 * is not a well-formed digest is no digest.
 */
public final class PushedDigest {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private PushedDigest() {
    }

    /** {@code text} when it is a {@code sha256:<64 lower-case hex>} digest; null otherwise. */
    public static String valid(String text) {
        return text != null && DIGEST.matcher(text).matches() ? text : null;
    }
}
