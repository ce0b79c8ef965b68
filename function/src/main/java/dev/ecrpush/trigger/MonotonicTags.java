package dev.ecrpush.trigger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A monotonic trigger's tags, split by whether they name the commit: an <em>immutable</em> tag contains the
 * commit's SHA, in full or in the short form {@code <+codebase.shortCommitSha>} gives (its first
 * {@value #SHORT} characters), so no other commit's build ever pushes it; every other tag ({@code latest},
 * {@code main-latest}) is <em>moving</em>. The build pushes the immutable ones, and the function moves the moving
 * ones to the image once the build has succeeded, unless a newer push of the ref has moved them already.
 */
public final class MonotonicTags {
    /** The length of {@code <+codebase.shortCommitSha>}. */
    public static final int SHORT = 7;

    private MonotonicTags() {
    }

    /** @param immutable in the step's order; never empty for a valid monotonic trigger */
    public record Split(List<String> immutable, List<String> moving) {
        public Split {
            immutable = List.copyOf(immutable);
            moving = List.copyOf(moving);
        }
    }

    /**
     * @param tags      the step's tags, expressions resolved
     * @param commitSha the commit the run builds; compared without case (a tag may spell the SHA in capitals)
     */
    public static Split split(List<String> tags, String commitSha) {
        List<String> immutable = new ArrayList<>();
        List<String> moving = new ArrayList<>();
        String sha = commitSha == null ? "" : commitSha.toLowerCase(Locale.ROOT);
        String shortSha = sha.substring(0, Math.min(SHORT, sha.length()));
        for (String tag : tags) {
            boolean namesCommit = shortSha.length() == SHORT && tag.toLowerCase(Locale.ROOT).contains(shortSha);
            (namesCommit ? immutable : moving).add(tag);
        }
        return new Split(immutable, moving);
    }
}
