package dev.ecrpush.trigger;

import java.util.List;
import java.util.Optional;

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

    /** The trigger of this name, if the set has one. */
    public Optional<Trigger> named(String name) {
        return triggers.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** The triggers that name the schedule rule {@code rule}. */
    public List<Trigger> scheduledBy(String rule) {
        return triggers.stream().filter(t -> t.schedules().contains(rule)).toList();
    }
}
