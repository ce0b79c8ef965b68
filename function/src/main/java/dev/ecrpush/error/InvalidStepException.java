package dev.ecrpush.error;

import java.util.ArrayList;
import java.util.List;

/**
 * Thrown when the payload is not a valid step: the message lists every problem with its field path, one
 * per line. Nothing was done: no AWS call is made for an invalid payload. Not retryable. Each problem is one line,
 * control characters escaped and cut to {@value ErrorText#MAX_PROBLEM} characters, and at most
 * {@value ErrorText#MAX_PROBLEMS} are listed: the input they quote can neither forge a line nor make the answer
 * outgrow what Lambda returns.
 */
public final class InvalidStepException extends BuildPushException {
    private final List<String> problems;

    public InvalidStepException(List<String> problems) {
        this(bounded(problems), true);
    }

    private InvalidStepException(List<String> bounded, boolean linesKept) {
        super(String.join("\n", bounded), null, false, 400, linesKept);
        this.problems = bounded;
    }

    public InvalidStepException(String problem) {
        this(List.of(problem));
    }

    public List<String> problems() {
        return problems;
    }

    private static List<String> bounded(List<String> problems) {
        // One more line than the bound is kept as it is, so that a message read back from the wire (the bound's
        // lines and the count of the rest) is rebuilt unchanged.
        boolean cut = problems.size() > ErrorText.MAX_PROBLEMS + 1;
        List<String> lines = new ArrayList<>();
        for (String problem : cut ? problems.subList(0, ErrorText.MAX_PROBLEMS) : problems) {
            lines.add(ErrorText.cut(ErrorText.printable(problem), ErrorText.MAX_PROBLEM));
        }
        if (cut) {
            lines.add("payload: " + (problems.size() - ErrorText.MAX_PROBLEMS) + " more problems are not listed");
        }
        return List.copyOf(lines);
    }
}
