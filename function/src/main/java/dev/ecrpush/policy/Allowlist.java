package dev.ecrpush.policy;

import java.util.List;

/**
 * One list of a policy, with where it is configured, for messages: the deployer's key
 * ({@code buildpush.policy.secret-refs}) or a trigger's field ({@code trigger nightly's policy.secretRefs}).
 *
 * <p>An entry is a pattern in which {@code *} stands for any run of characters (none, {@code /} and {@code :}
 * included) and every other character for itself. So {@code *} alone allows anything, and only when written; an
 * empty list allows nothing. Values compare with their case as written: an allow-list that is stricter than AWS
 * about case refuses, never allows, what AWS would read as the same name. Host lists are lower-cased on the way
 * in ({@link HostRule}).
 */
public record Allowlist(String source, List<String> entries) {
    public Allowlist {
        entries = List.copyOf(entries);
    }

    /** Whether some entry matches {@code value}. */
    public boolean permits(String value) {
        return entries.stream().anyMatch(entry -> matches(entry, value));
    }

    /**
     * Whether some entry without {@code *} is {@code value} itself: the only way an IP literal or a loopback name
     * is allowed, so that no wildcard ever opens the network the function runs in.
     */
    public boolean namesExactly(String value) {
        return entries.stream().anyMatch(entry -> entry.indexOf('*') < 0 && entry.equals(value));
    }

    /**
     * {@code *} matches any run of characters; everything else itself. Linear backtracking over the last star, so
     * a hostile value cannot make it slow (no regular expression is built from configuration or payload).
     */
    static boolean matches(String pattern, String value) {
        int p = 0;
        int v = 0;
        int star = -1;
        int resume = 0;
        while (v < value.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                resume = v;
            } else if (p < pattern.length() && pattern.charAt(p) == value.charAt(v)) {
                p++;
                v++;
            } else if (star >= 0) {
                p = star + 1;
                v = ++resume;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
