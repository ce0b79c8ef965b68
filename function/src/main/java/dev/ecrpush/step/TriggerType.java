package dev.ecrpush.step;

import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What delivered a payload, which is what {@code <+trigger.type>} resolves to: a direct invocation (Step
 * Functions, the CLI, {@code sam local invoke}), a Git host's webhook, or a schedule.
 */
public enum TriggerType {
    MANUAL("manual"),
    WEBHOOK("webhook"),
    SCHEDULE("schedule");

    private final String wire;

    TriggerType(String wire) {
        this.wire = wire;
    }

    /** As the step's expressions and the payload's {@code triggerType} spell it. */
    @JsonValue
    public String wire() {
        return wire;
    }

    /**
     * The types a payload may declare itself: a webhook delivery is only ever a webhook's, so a payload cannot
     * claim to be one.
     */
    public static Optional<TriggerType> declarable(String wire) {
        return MANUAL.wire.equals(wire) ? Optional.of(MANUAL)
                : SCHEDULE.wire.equals(wire) ? Optional.of(SCHEDULE) : Optional.empty();
    }

    @Override
    public String toString() {
        return wire;
    }
}
