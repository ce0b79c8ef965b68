package dev.ecrpush.step;

import java.util.ArrayList;
import java.util.List;

import dev.ecrpush.error.InvalidStepException;

/**
 * Collects what is wrong with a payload while it is read, so that one answer lists every problem with its
 * field path instead of stopping at the first.
 */
public final class Problems {
    private final List<String> errors = new ArrayList<>();
    private final List<Warning> warnings = new ArrayList<>();

    public void error(String path, String message) {
        errors.add(path + ": " + message);
    }

    public void warn(String path, String message) {
        warnings.add(new Warning(path, message));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public List<Warning> warnings() {
        return List.copyOf(warnings);
    }

    /** Throws the one exception that lists them all, if there is anything to list. */
    public void throwIfAny() {
        if (!errors.isEmpty()) {
            throw new InvalidStepException(errors);
        }
    }
}
