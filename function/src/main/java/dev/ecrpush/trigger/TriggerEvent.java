package dev.ecrpush.trigger;

import java.util.Arrays;
import java.util.List;

/** The kinds of Git host event a trigger builds for: its {@code events}, {@code ["push"]} unless it says otherwise. */
public enum TriggerEvent {
    PUSH("push"),
    PULL_REQUEST("pull_request");

    private final String wire;

    TriggerEvent(String wire) {
        this.wire = wire;
    }

    /** As a trigger set writes it. */
    public String wire() {
        return wire;
    }

    /** The event a trigger set's {@code events} entry names, or null for none. */
    public static TriggerEvent of(String wire) {
        return Arrays.stream(values()).filter(e -> e.wire.equals(wire)).findFirst().orElse(null);
    }

    /** Every name, for a problem's text. */
    public static List<String> wires() {
        return Arrays.stream(values()).map(TriggerEvent::wire).toList();
    }
}
