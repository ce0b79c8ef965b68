package dev.ecrpush.trigger;

import java.util.List;
import java.util.Optional;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.Push;

/** The configured triggers, in the order written. */
public record TriggerSet(List<Trigger> triggers) {
    public static final TriggerSet EMPTY = new TriggerSet(List.of());

    public TriggerSet {
        triggers = List.copyOf(triggers);
    }

    /** What a push matched. */
    public sealed interface Match {
        record Matched(List<Trigger> triggers) implements Match {
            public Matched {
                triggers = List.copyOf(triggers);
            }
        }

        record NoMatch(String reason) implements Match {
        }
    }

    public Match match(Push push) {
        List<Trigger> watching = triggers.stream().filter(t -> t.builds(TriggerEvent.PUSH) && t.watches(push)).toList();
        if (watching.isEmpty()) {
            return new Match.NoMatch("no trigger watches " + push.host() + " repository " + push.repository());
        }
        List<Trigger> matched = watching.stream().filter(t -> t.matchesRef(push.ref())).toList();
        if (matched.isEmpty()) {
            String kind = push.ref().kind() == Push.Ref.Kind.BRANCH ? "branch" : "tag";
            return new Match.NoMatch("no trigger of " + push.repository() + " matches " + kind + " " + push.ref().name());
        }
        return new Match.Matched(matched);
    }

    /**
     * What a pull request matched: the triggers whose {@code events} include {@code pull_request}, that watch its
     * base repository (on its host, when they name one) and whose {@code branches} match its target branch. Their
     * filters are {@link PullRequestFilters}' to apply.
     */
    public Match match(PullRequest pullRequest) {
        List<Trigger> watching = triggers.stream().filter(t -> t.builds(TriggerEvent.PULL_REQUEST) && t.repository() != null
                && t.repository().equalsIgnoreCase(pullRequest.repository())
                && (t.provider() == null || t.provider().equals(pullRequest.host()))).toList();
        if (watching.isEmpty()) {
            return new Match.NoMatch("no trigger builds the pull requests of " + pullRequest.host() + " repository "
                    + pullRequest.repository());
        }
        List<Trigger> matched = watching.stream()
                .filter(t -> t.branches().stream().anyMatch(p -> p.matches(pullRequest.targetBranch()))).toList();
        if (matched.isEmpty()) {
            return new Match.NoMatch("no trigger of " + pullRequest.repository() + " builds pull requests into branch "
                    + pullRequest.targetBranch());
        }
        return new Match.Matched(matched);
    }

    /** The trigger of this name, if the set has one. */
    public Optional<Trigger> named(String name) {
        return triggers.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The triggers that name the schedule rule {@code rule}. */
    public List<Trigger> scheduledBy(String rule) {
        return triggers.stream().filter(t -> t.schedules().contains(rule)).toList();
    }
}
