package dev.ecrpush.githost;

/**
 * One ref a push changed, in the terms triggers match on, whichever host sent it.
 *
 * @param host        the {@link GitHost#name()} of the host that sent it
 * @param repository  the repository's full path, e.g. {@code acme/app} or {@code group/sub/app}
 * @param cloneUrl    the http(s) clone URL the build checks out
 * @param commitSha   the commit the ref now points to; null when the push deleted the ref
 * @param files       the files the push changed, or why the event does not tell
 * @param actor       who pushed, by the login or username the host reports; null when the event names no one
 * @param headMessage the message of the commit the ref now points to; null when the event does not carry it
 * @param before      the commit the ref pointed to before the push, for asking the host's compare API which files
 *                    changed; null (or all zeros) when the push created the ref or the event does not say
 */
public record Push(String host, String repository, String cloneUrl, Ref ref, String commitSha, ChangedFiles files,
        String actor, String headMessage, String before) {

    /** What a push of an event that says nothing of its files, pusher or message is. */
    public static final ChangedFiles NOT_READ = new ChangedFiles.Unknown("the event was not read for them");

    public Push {
        files = files == null ? NOT_READ : files;
    }

    /** A push whose event was read for its ref and commit only. */
    public Push(String host, String repository, String cloneUrl, Ref ref, String commitSha) {
        this(host, repository, cloneUrl, ref, commitSha, NOT_READ, null, null, null);
    }

    /** A push whose event does not say where the ref was before. */
    public Push(String host, String repository, String cloneUrl, Ref ref, String commitSha, ChangedFiles files, String actor,
            String headMessage) {
        this(host, repository, cloneUrl, ref, commitSha, files, actor, headMessage, null);
    }

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
