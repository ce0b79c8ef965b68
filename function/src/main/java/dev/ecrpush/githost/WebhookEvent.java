package dev.ecrpush.githost;

import java.util.List;

/** What a verified delivery is about. Pushes and pull requests can start builds, and approval comments on them. */
public sealed interface WebhookEvent {
    /** The provider's name for the event, as its header gave it (e.g. {@code push}, {@code Tag Push Hook}). */
    String name();

    /** A push: one ref per change (Bitbucket may report several refs in one delivery). */
    record Pushes(String name, List<Push> pushes) implements WebhookEvent {
        public Pushes {
            pushes = List.copyOf(pushes);
        }
    }

    /** A pull (merge) request was opened, got new commits, was reopened, or was closed (merged or not). */
    record PullRequestChange(String name, Action action, PullRequest pullRequest) implements WebhookEvent {
        /** What happened to the request; any other change of it (an edited title, a label) is {@link Ignored}. */
        public enum Action { OPENED, UPDATED, REOPENED, CLOSED }
    }

    /**
     * A comment made on a pull (merge) request, which may approve a held build of it ({@code /build}).
     *
     * @param repository  the base repository's full path
     * @param number      the request's number in it
     * @param author      who wrote it, by login or username; null when the event names no one
     * @param association what the host says the author is to the repository ({@code OWNER}, {@code MEMBER},
     *                    {@code COLLABORATOR}, ...; GitHub's {@code author_association}); null for a host whose
     *                    event does not say
     * @param onCommit    the commit the comment was made on, or the request's head commit when the event names it;
     *                    null when the event does not say
     * @param body        the comment's text
     */
    record PullRequestComment(String name, String host, String repository, int number, String author, String association,
            String onCommit, String body) implements WebhookEvent {
    }

    /** The host checking that the webhook works. */
    record Ping(String name) implements WebhookEvent {
    }

    /** Any event this function does not build for, with why. */
    record Ignored(String name, String reason) implements WebhookEvent {
    }
}
