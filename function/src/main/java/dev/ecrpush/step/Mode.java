package dev.ecrpush.step;

/** What the caller wants done with the step. */
public enum Mode {
    /** Validate and map; no AWS call at all. */
    PLAN("plan"),
    /** Also check, read-only, that the credentials, repository and executor would work. */
    PREFLIGHT("preflight"),
    /** Do it. */
    RUN("run");

    private final String wire;

    Mode(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Mode fromWire(String text) {
        for (Mode mode : values()) {
            if (mode.wire.equals(text)) {
                return mode;
            }
        }
        return null;
    }
}
