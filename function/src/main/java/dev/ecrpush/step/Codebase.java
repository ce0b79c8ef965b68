package dev.ecrpush.step;

/** The commit to build; every part is optional. */
public record Codebase(String repoUrl, String branch, String commitSha, String tag) {
    public static final Codebase NONE = new Codebase(null, null, null, null);

    /** What CodeBuild and git check out: the commit, else the branch, else the tag. */
    public String sourceVersion() {
        if (commitSha != null) {
            return commitSha;
        }
        return branch != null ? branch : tag;
    }
}
