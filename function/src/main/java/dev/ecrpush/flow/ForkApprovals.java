package dev.ecrpush.flow;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.ErrorText;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.idempotency.ForkHoldStore;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerSource;

/**
 * Pull requests from forks wait for an approval before they are built: their code is not yet the repository's
 * members'. A held request is remembered; a {@code /build} comment on it by an approver, naming its head commit or
 * made on it, builds it (docs/triggers.md, "Pull requests from forks").
 *
 * <p>Who approves: a user the host says is the repository's {@code OWNER}, a {@code MEMBER} of its organization or a
 * {@code COLLABORATOR} on it (GitHub's {@code author_association}; the other hosts' comment events do not say), or a
 * user listed in the deployer's {@code buildpush.webhooks.approvers} (every trigger), or in a held trigger's
 * {@code pullRequests.approvers} (that trigger), as the trigger set reads now. What: the commit held, and only it: a
 * push to the fork after the hold replaces the held commit, and an approval of the old one builds nothing.
 */
@ApplicationScoped
public class ForkApprovals {
    private static final Logger LOG = Logger.getLogger(ForkApprovals.class);
    /** The first line of an approval: {@code /build}, and optionally the commit it approves, nothing else. */
    private static final Pattern COMMAND = Pattern.compile("/build(?:[ \\t]+([0-9a-fA-F]{7,40}))?");
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,40}");
    /** What the host says of a user whose comments approve, besides the configured approvers. */
    private static final Set<String> APPROVING_ASSOCIATIONS = Set.of("OWNER", "MEMBER", "COLLABORATOR");
    /** How many times an approval reads the held request again after losing a race to a hold or another approval. */
    private static final int ATTEMPTS = 3;
    /** How much of a name from a payload a refusal quotes. */
    private static final int MAX_QUOTED = 100;

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

    /** The holds' store, or null when no idempotency table is configured (then nothing can be held). */
    private final Supplier<ForkHoldStore> store;
    private final Function<String, Optional<Trigger>> triggers;
    private final Set<String> approvers;

    @Inject
    public ForkApprovals(IdempotencyTables tables, TriggerSource triggers, ServiceConfig config) {
        this(() -> tables.configured() ? tables.forkHolds() : null, name -> triggers.current().named(name),
                config.webhooks().approvers().orElse(List.of()));
    }

    /**
     * @param store     the holds' store; supplies null when no idempotency table is configured
     * @param triggers  a trigger of the current trigger set by its name
     * @param approvers the deployer's approvers of every trigger's pull requests
     */
    public ForkApprovals(Supplier<ForkHoldStore> store, Function<String, Optional<Trigger>> triggers, List<String> approvers) {
        this.store = store;
        this.triggers = triggers;
        this.approvers = lowerCased(approvers);
    }

    /**
     * Remembers {@code pullRequest}, from a fork, as held for {@code trigger} until an approval, and answers what the
     * delivery lists for it: a build with status {@code HELD} whose reason says how to approve it.
     *
     * @param ref what the answer lists the request under
     */
    public TriggeredBuild hold(Trigger trigger, PullRequest pullRequest, String ref) {
        if (pullRequest.headSha() == null || !SHA.matcher(pullRequest.headSha()).matches()) {
            return TriggeredBuild.skipped(trigger.name(), ref, "pull request #" + pullRequest.number()
                    + " from a fork names no head commit an approval could name; not built");
        }
        ForkHoldStore holds = store.get();
        if (holds == null) {
            // Fail closed: a hold nobody could release would look like a build that waits for approval.
            return TriggeredBuild.skipped(trigger.name(), ref, "pull request #" + pullRequest.number() + " is from a fork, and"
                    + " approving one needs the idempotency table (buildpush.idempotency.table); not built");
        }
        holds.hold(pullRequest, trigger.name());
        LOG.infof("pull request #%d of %s from the fork %s held for trigger %s at %s", pullRequest.number(),
                quote(pullRequest.repository()), quote(pullRequest.headRepository()), trigger.name(), pullRequest.headSha());
        return TriggeredBuild.held(trigger.name(), ref, "pull request #" + pullRequest.number() + " is from the fork "
                + quote(pullRequest.headRepository()) + ": it is built once an approver (owner, member or collaborator of "
                + quote(pullRequest.repository()) + ", or a configured approver) comments on it: /build "
                + pullRequest.headSha().toLowerCase(Locale.ROOT));
    }

    /** What the comment approves, if anything; an approval is used up by the build it approves. */
    public Approval approve(WebhookEvent.PullRequestComment comment) {
        Command command = command(comment.body());
        if (command == null) {
            return new Approval.NotACommand();
        }
        ForkHoldStore holds = store.get();
        if (holds == null) {
            return nothingHeld(comment);
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            ForkHoldStore.Held held = holds.held(comment.host(), comment.repository(), comment.number());
            if (held == null || held.triggers().isEmpty()) {
                return nothingHeld(comment);
            }
            Set<String> approved = approvedBy(comment, held.triggers());
            if (approved.isEmpty()) {
                return refused(comment, "/build by " + quote(comment.author()) + " is not an approval: only an owner, member or"
                        + " collaborator of " + quote(comment.repository()) + ", or a configured approver, approves pull request #"
                        + comment.number() + "; nothing built");
            }
            String heldSha = held.pullRequest().headSha().toLowerCase(Locale.ROOT);
            String mismatch = mismatch(command, comment, heldSha);
            if (mismatch != null) {
                return refused(comment, "/build on pull request #" + comment.number() + " " + mismatch + ", but the commit held is "
                        + heldSha + ": a newer push must be approved again (/build " + heldSha + "); nothing built");
            }
            if (holds.release(held, approved)) {
                LOG.infof("pull request #%d of %s at %s approved by %s for %s", comment.number(), quote(comment.repository()),
                        heldSha, quote(comment.author()), approved);
                return new Approval.Approved(held.pullRequest(), List.copyOf(approved));
            }
            // Another approval took it, or a new push replaced it, since it was read: decide again on what is held now.
        }
        return refused(comment, "pull request #" + comment.number() + " kept changing while it was approved; nothing built");
    }

    /** A {@code /build} command, and the commit it names (lower-cased; null when it names none). */
    private record Command(String sha) {
    }

    /** The comment's command, or null when it is none. */
    private static Command command(String body) {
        if (body == null) {
            return null;
        }
        int end = body.indexOf('\n');
        Matcher matcher = COMMAND.matcher((end < 0 ? body : body.substring(0, end)).strip());
        if (!matcher.matches()) {
            return null;
        }
        return new Command(matcher.group(1) == null ? null : matcher.group(1).toLowerCase(Locale.ROOT));
    }

    /**
     * Why the command does not approve the held commit, or null when it does: the commit it names must be the held
     * one; a command that names none must have been made on it, as the host says.
     */
    private static String mismatch(Command command, WebhookEvent.PullRequestComment comment, String heldSha) {
        if (command.sha() != null) {
            return sameCommit(command.sha(), heldSha) ? null : "names " + command.sha();
        }
        if (comment.onCommit() == null) {
            return "names no commit, and the host did not say which commit it was made on";
        }
        return sameCommit(comment.onCommit(), heldSha) ? null : "was made on " + quote(comment.onCommit());
    }

    /**
     * The held triggers the comment's author approves: all of them for an owner, member or collaborator (as the host
     * says) and for a configured approver, else those whose current definition lists the author.
     */
    private Set<String> approvedBy(WebhookEvent.PullRequestComment comment, Set<String> held) {
        if (comment.author() == null || comment.author().isBlank()) {
            return Set.of();
        }
        String author = comment.author().toLowerCase(Locale.ROOT);
        if (comment.association() != null && APPROVING_ASSOCIATIONS.contains(comment.association().toUpperCase(Locale.ROOT))
                || approvers.contains(author)) {
            return new TreeSet<>(held);
        }
        Set<String> approved = new TreeSet<>();
        for (String name : held) {
            triggers.apply(name).filter(t -> lowerCased(t.pullRequests().approvers()).contains(author))
                    .ifPresent(t -> approved.add(name));
        }
        return approved;
    }

    /**
     * Whether {@code named} names the commit {@code held}: one is the start of the other, at least 7 characters long
     * (a short SHA; Bitbucket gives its commits as 12 characters).
     */
    static boolean sameCommit(String named, String held) {
        if (named == null || held == null || !SHA.matcher(named).matches() || !SHA.matcher(held).matches()) {
            return false;
        }
        String a = named.toLowerCase(Locale.ROOT);
        String b = held.toLowerCase(Locale.ROOT);
        return a.length() <= b.length() ? b.startsWith(a) : a.startsWith(b);
    }

    private static Approval nothingHeld(WebhookEvent.PullRequestComment comment) {
        return refused(comment, "nothing is held for pull request #" + comment.number());
    }

    private static Approval refused(WebhookEvent.PullRequestComment comment, String reason) {
        LOG.infof("%s of %s: %s", comment.host(), quote(comment.repository()), reason);
        return new Approval.Refused(reason);
    }

    /** A name from a payload, as a refusal or the log may quote it: every line-breaking character escaped, and cut. */
    private static String quote(String text) {
        return text == null ? "(unknown)" : ErrorText.cut(ErrorText.printable(text), MAX_QUOTED);
    }

    private static Set<String> lowerCased(List<String> names) {
        Set<String> lower = new TreeSet<>();
        names.stream().filter(name -> name != null && !name.isBlank()).forEach(name -> lower.add(name.strip().toLowerCase(Locale.ROOT)));
        return Set.copyOf(lower);
    }
}
