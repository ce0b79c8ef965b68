package dev.ecrpush.step;

import java.util.Arrays;
import java.util.List;

/**
 * What a run does when tags it would push exist already in the target repository ({@code step.spec.onExistingTag},
 * or a trigger's {@code onExistingTag}, which wins for its runs). Decided in {@link dev.ecrpush.registry.ExistingTags}.
 */
public enum OnExistingTag {
    /**
     * The default. Every tag names one image built from the run's commit: nothing is started and the run answers
     * {@code ALREADY_BUILT} with its digest. An immutable tag that exists otherwise fails the run before it builds
     * ({@code TagExistsException}), since the push would fail. Anything else builds as before.
     */
    SKIP("skip"),
    /** Always build; an immutable tag that exists fails the run before it builds, since the push would fail. */
    REBUILD("rebuild"),
    /** Any tag that exists already fails the run before it builds, naming the tags. */
    FAIL("fail");

    public static final OnExistingTag DEFAULT = SKIP;

    private final String wire;

    OnExistingTag(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @return null for anything but the exact lower-case names */
    public static OnExistingTag fromWire(String text) {
        for (OnExistingTag value : values()) {
            if (value.wire.equals(text)) {
                return value;
            }
        }
        return null;
    }

    /** The names, for messages: {@code skip, rebuild, fail}. */
    public static List<String> wires() {
        return Arrays.stream(values()).map(OnExistingTag::wire).toList();
    }
}
