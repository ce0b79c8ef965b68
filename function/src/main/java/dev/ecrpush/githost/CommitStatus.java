package dev.ecrpush.githost;

import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.plan.Hashing;

/**
 * What a commit status says of one build, whichever host it is sent to; each host's {@link GitHostApi} words it in
 * its own states and fields (docs/triggers.md, "Commit statuses").
 *
 * @param context     what tells this trigger's statuses apart from every other system's on the commit
 *                    ({@code ecr-push/<trigger>}); a host with a shorter limit shortens it ({@link #shortened})
 * @param targetUrl   the build's logs, or null when the build has no link
 * @param description a short text shown next to the state
 */
public record CommitStatus(State state, String context, String targetUrl, String description) {
    /** Every context starts with this, so that the function's statuses are told apart from other systems'. */
    public static final String CONTEXT_PREFIX = "ecr-push/";

    /** The build's state as the hosts share it; {@code CANCELLED} is a stopped build. */
    public enum State { PENDING, SUCCESS, FAILURE, CANCELLED }

    /** The status of a build the trigger {@code trigger} just started. */
    public static CommitStatus started(String trigger, String targetUrl) {
        return new CommitStatus(State.PENDING, CONTEXT_PREFIX + trigger, targetUrl, "The image build has started");
    }

    /**
     * The status of a run of the trigger {@code trigger} that built nothing, because every tag it would push already
     * names an image of the commit ({@code ALREADY_BUILT}): final at once, as no build will end.
     */
    public static CommitStatus alreadyBuilt(String trigger) {
        return new CommitStatus(State.SUCCESS, CONTEXT_PREFIX + trigger, null, "The image of this commit was already built");
    }

    /**
     * The status of a build that ended as {@code status}, or null for one that has not ended. A build that timed out
     * failed (every host has that state), and says so.
     */
    public CommitStatus ended(BuildStatusResult.Status status) {
        return switch (status) {
            case SUCCEEDED -> new CommitStatus(State.SUCCESS, context, targetUrl, "The image was built and pushed");
            case FAILED -> new CommitStatus(State.FAILURE, context, targetUrl, "The image build failed");
            case TIMED_OUT -> new CommitStatus(State.FAILURE, context, targetUrl, "The image build timed out");
            case STOPPED -> new CommitStatus(State.CANCELLED, context, targetUrl, "The image build was cancelled");
            case QUEUED, IN_PROGRESS -> null;
        };
    }

    /**
     * {@code text} if it has at most {@code max} characters, else its first characters and 8 hexadecimal digits of its
     * SHA-256: two long contexts that differ only at their end stay two contexts.
     */
    public static String shortened(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        String hash = Hashing.sha256(text).substring(0, 8);
        return text.substring(0, max - hash.length() - 1) + "-" + hash;
    }
}
