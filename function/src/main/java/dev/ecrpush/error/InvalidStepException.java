package dev.ecrpush.error;

import java.util.List;

/**
 * Thrown when the payload is not a valid step: the message lists every problem with its field path, one
 * per line. Nothing was done: no AWS call is made for an invalid payload. Not retryable.
 */
public final class InvalidStepException extends BuildPushException {
    private final List<String> problems;

    public InvalidStepException(List<String> problems) {
        super(String.join("\n", problems), null, false, 400);
        this.problems = List.copyOf(problems);
    }

    public InvalidStepException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }
}
