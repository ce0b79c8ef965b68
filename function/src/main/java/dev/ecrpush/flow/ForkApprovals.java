package dev.ecrpush.flow;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.trigger.Trigger;

/**
 * Pull requests from forks wait for an approval before they are built: their code is not yet the repository's
 * members'. A held request is remembered; a {@code /build} comment on it by an approver, naming its head commit or
 * made on it, builds it (docs/triggers.md, "Pull requests from forks").
 */
@ApplicationScoped
public class ForkApprovals {
    /** The status of a build {@link #hold} answers: not asked for until an approval. */
    public static final String HELD = "HELD";

    /** What an approval comment comes to. */
    public sealed interface Approval {
        /** The comment is no {@code /build} command. */
        record NotACommand() implements Approval {
        }

        /** A {@code /build} command that builds nothing, and why (not an approver, not the head commit, nothing held). */
        record Refused(String reason) implements Approval {
        }

        /** Build {@code pullRequest} (as it was held) for the triggers it was held for. */
        record Approved(PullRequest pullRequest, List<String> triggers) implements Approval {
            public Approved {
                triggers = List.copyOf(triggers);
            }
        }
    }

    /**
     * Remembers {@code pullRequest}, from a fork, as held for {@code trigger} until an approval, and answers what the
     * delivery lists for it: a build with status {@code HELD} whose reason says how to approve it.
     *
     * @param ref what the answer lists the request under
     */
    public TriggeredBuild hold(Trigger trigger, PullRequest pullRequest, String ref) {
        throw new UnsupportedOperationException("fork pull requests are not held yet");
    }

    /** What the comment approves, if anything; an approval is used up by the build it approves. */
    public Approval approve(WebhookEvent.PullRequestComment comment) {
        throw new UnsupportedOperationException("approvals are not read yet");
    }
}
