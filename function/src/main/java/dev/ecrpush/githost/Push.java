package dev.ecrpush.githost;

/**
 * One ref a push changed, in the terms triggers match on, whichever host sent it.
 *
 * @param host       the {@link GitHost#name()} of the host that sent it
 * @param repository the repository's full path, e.g. {@code acme/app} or {@code group/sub/app}
 * @param cloneUrl   the http(s) clone URL the build checks out
 * @param commitSha  the commit the ref now points to; null when the push deleted the ref
 */
public record Push(String host, String repository, String cloneUrl, Ref ref, String commitSha) {

    /** A branch or a tag, by its short name ({@code main}, {@code v1.2.0}). */
    public record Ref(Kind kind, String name) {
        public enum Kind { BRANCH, TAG }

        /** The full ref, e.g. {@code refs/heads/main}. */
        public String full() {
            return (kind == Kind.BRANCH ? "refs/heads/" : "refs/tags/") + name;
        }
    }

    public boolean deleted() {
        return commitSha == null;
    }
}
