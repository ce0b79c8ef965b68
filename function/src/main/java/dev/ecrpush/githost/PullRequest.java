package dev.ecrpush.githost;

/**
 * A pull request (GitLab: a merge request), as a Git host's event describes it, in the terms triggers match on:
 * a trigger watches its base (target) repository, and its {@code branches} match the target branch.
 *
 * @param host           the {@link GitHost#name()} of the host that sent it
 * @param repository     the base (target) repository's full path, e.g. {@code acme/app}
 * @param number         the request's number in that repository (GitLab: its {@code iid})
 * @param headRepository the full path of the repository its commits come from; the base repository's unless it is
 *                       from a fork
 * @param headCloneUrl   the http(s) clone URL of that repository, which a build of it checks out
 * @param sourceBranch   the branch its commits are on, in the head repository
 * @param targetBranch   the branch it asks to merge into, in the base repository
 * @param headSha        the commit at the head of the source branch, which a build of it builds; for a
 *                       host that gives it short (Bitbucket: 12 characters), as the host gives it
 * @param actor          who caused the event, by the login or username the host reports; null when the event
 *                       names no one
 * @param title          its title, for the log; null when the event does not carry it
 * @param baseSha        the base commit the host reports with the event, which the request's changed files are
 *                       compared from (GitHub and Gitea: the target branch's head, {@code pull_request.base.sha};
 *                       GitLab: {@code object_attributes.diff_refs.base_sha}; Bitbucket: {@code destination.commit.hash},
 *                       short), as the event gives it and unchecked; null when the event does not carry it
 */
public record PullRequest(String host, String repository, int number, String headRepository, String headCloneUrl,
        String sourceBranch, String targetBranch, String headSha, String actor, String title, String baseSha) {

    /** A request whose event gives no base commit: its changed files are not compared. */
    public PullRequest(String host, String repository, int number, String headRepository, String headCloneUrl,
            String sourceBranch, String targetBranch, String headSha, String actor, String title) {
        this(host, repository, number, headRepository, headCloneUrl, sourceBranch, targetBranch, headSha, actor, title, null);
    }

    /**
     * Whether its commits come from another repository than the one it asks to merge into. Such a request's code is
     * not the repository's members' until one of them approves it, so it is not built before (docs/triggers.md).
     */
    public boolean fromFork() {
        return !repository.equalsIgnoreCase(headRepository);
    }
}
