package dev.ecrpush.step;

/**
 * The commit to build; every part is optional.
 *
 * @param prNumber     the pull (merge) request a trigger builds it for, which {@code <+trigger.prNumber>} resolves
 *                     to; null outside a pull request's build
 * @param sourceBranch that request's source branch ({@code <+trigger.sourceBranch>}); null outside one
 * @param targetBranch that request's target branch ({@code <+trigger.targetBranch>}); null outside one
 */
public record Codebase(String repoUrl, String branch, String commitSha, String tag, Integer prNumber, String sourceBranch,
        String targetBranch) {
    public static final Codebase NONE = new Codebase(null, null, null, null);

    /** A codebase of no pull request. */
    public Codebase(String repoUrl, String branch, String commitSha, String tag) {
        this(repoUrl, branch, commitSha, tag, null, null, null);
    }

    /** What CodeBuild and git check out: the commit, else the branch, else the tag. */
    public String sourceVersion() {
        if (commitSha != null) {
            return commitSha;
        }
        return branch != null ? branch : tag;
    }
}
