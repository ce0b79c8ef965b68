package dev.ecrpush.trigger;

import java.util.regex.Pattern;

/**
 * A branch or tag pattern: {@code *} matches within one path segment, {@code **} across segments, {@code ?} one
 * character other than {@code /}; everything else matches itself. {@code release/*} matches {@code release/1.2}
 * but not {@code release/1.2/hotfix}; {@code release/**} matches both.
 */
public record RefPattern(String text, Pattern regex) {
    public static RefPattern of(String text) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' && i + 1 < text.length() && text.charAt(i + 1) == '*') {
                regex.append(".*");
                i++;
            } else if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return new RefPattern(text, Pattern.compile(regex.toString()));
    }

    public boolean matches(String ref) {
        return regex.matcher(ref).matches();
    }

    /** Equal by the text: {@link Pattern} has no equality of its own, and the regex follows from the text. */
    @Override
    public boolean equals(Object other) {
        return other instanceof RefPattern pattern && pattern.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
