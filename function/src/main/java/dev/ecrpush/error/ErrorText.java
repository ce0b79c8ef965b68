package dev.ecrpush.error;

/**
 * How text that may come from a caller is written into an error message or a log line: every character that
 * could break a line or hide text (control characters, Unicode line and paragraph separators, format characters
 * such as bidirectional overrides) escaped as {@code \\uXXXX}, and the whole cut to a bound. Messages reach
 * Lambda's {@code errorMessage}, Step Functions' error output and the logs as they are, so a newline in a payload
 * must never become a line of its own there.
 */
public final class ErrorText {
    /**
     * The longest message: Step Functions keeps at most 32,768 characters of an error's cause, and a message this
     * long is already more than anyone reads.
     */
    public static final int MAX_MESSAGE = 32_768;
    /** The longest line of an {@link InvalidStepException}: a field path and what is wrong with it. */
    public static final int MAX_PROBLEM = 512;
    /** The most problems an {@link InvalidStepException} lists; the count of the rest is said. */
    public static final int MAX_PROBLEMS = 50;

    private ErrorText() {
    }

    /**
     * A message as an exception may carry it: {@link #printable}, each line on its own when {@code linesKept} (a list
     * of problems, one a line), else as one line; then {@link #cut} to {@value #MAX_MESSAGE} characters.
     */
    static String message(String message, boolean linesKept) {
        if (message == null) {
            return null;
        }
        String text;
        if (linesKept) {
            StringBuilder out = new StringBuilder(message.length());
            for (String line : message.split("\n", -1)) {
                out.append(out.length() == 0 ? "" : "\n").append(printable(line));
            }
            text = out.toString();
        } else {
            text = printable(message);
        }
        return cut(text, MAX_MESSAGE);
    }

    /** {@code text} with every character that could break or hide a line escaped; the rest as it is. */
    public static String printable(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (mustEscape(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** {@code text} cut to at most {@code max} characters, saying so; unchanged when it is no longer. */
    public static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        String note = "...(cut, " + text.length() + " characters)";
        return text.substring(0, Math.max(0, max - note.length())) + note;
    }

    private static boolean mustEscape(char c) {
        if (Character.isISOControl(c)) {
            return true;
        }
        int type = Character.getType(c);
        return type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT;
    }
}
