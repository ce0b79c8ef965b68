package dev.ecrpush.trigger;

import java.util.List;

/**
 * How a trigger whose {@code events} include {@code pull_request} builds pull (merge) requests: its
 * {@code pullRequests} object (docs/triggers.md, "Pull requests").
 *
 * @param tags                  the tags a pull request's build pushes, in place of the payload's; may use
 *                              {@code <+trigger.prNumber>}, {@code <+trigger.sourceBranch>},
 *                              {@code <+trigger.targetBranch>} and the codebase's commit; {@link #DEFAULT_TAGS} when unset
 * @param sourceBranches        the source (head) branches built; any when empty
 * @param excludeSourceBranches source branches not built
 * @param approvers             besides the users the host says own, are members of or collaborate on the repository,
 *                              who may approve a build of a pull request from a fork ({@code /build})
 */
public record PullRequestOptions(List<String> tags, List<RefPattern> sourceBranches, List<RefPattern> excludeSourceBranches,
        List<String> approvers) {

    /** A pull request's own tags, which no push's build pushes: {@code pr-<n>} and {@code pr-<n>-<short sha>}. */
    public static final List<String> DEFAULT_TAGS = List.of("pr-<+trigger.prNumber>",
            "pr-<+trigger.prNumber>-<+codebase.shortCommitSha>");

    public static final PullRequestOptions DEFAULT = new PullRequestOptions(DEFAULT_TAGS, List.of(), List.of(), List.of());

    public PullRequestOptions {
        tags = List.copyOf(tags);
        sourceBranches = List.copyOf(sourceBranches);
        excludeSourceBranches = List.copyOf(excludeSourceBranches);
        approvers = List.copyOf(approvers);
    }
}
