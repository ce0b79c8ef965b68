package dev.ecrpush.policy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How a URL of the payload ({@code codebase.repoUrl}, a Docker registry connector's {@code dockerRegistryUrl}) is
 * held to a host list ({@code buildpush.policy.repo-hosts}, {@code buildpush.policy.registries}).
 *
 * <p>The URL must be {@code https} with a plain host name and nothing before it ({@code user@}, {@code user:token@}):
 * the host is what an entry is matched against, without case and without the port. {@code http} is allowed only by
 * an entry written {@code http://HOST}; {@code git://}, {@code ssh://} and scp-like {@code git@host:path} never are.
 * An IP literal (any form a resolver would read as an address: {@code 10.0.0.5}, {@code 2130706433},
 * {@code 0x7f.1}, {@code [fe80::1]}) or a loopback name ({@code localhost}) is allowed only by an entry naming
 * it exactly, never by a wildcard: the metadata service and the build's own network are not reachable by
 * accident of a {@code *}.
 */
final class HostRule {
    /** An entry as configured: an optional scheme, then a host pattern or a bracketed IPv6 literal; no port, no path. */
    private static final Pattern ENTRY = Pattern.compile("(https?://)?([a-z0-9*._-]+|\\[[0-9a-f:.]+\\])");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0x[0-9a-f]*");

    private HostRule() {
    }

    /** What a URL is matched as: {@code host}, or {@code http://host} for plain http. */
    record Host(String value, boolean addressLike) {
    }

    /** A URL's host, or why it cannot be allowed (the message never quotes the URL: it may carry a token). */
    sealed interface Read {
        record Allowable(Host host) implements Read {
        }

        record Refused(String problem) implements Read {
        }
    }

    /** The entry as it is matched (lower case, {@code https://} dropped), or null when it is not one. */
    static String entry(String text) {
        String entry = text.trim().toLowerCase(Locale.ROOT);
        if (!ENTRY.matcher(entry).matches()) {
            return null;
        }
        return entry.startsWith("https://") ? entry.substring("https://".length()) : entry;
    }

    static Read read(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return new Read.Refused("is not a URL whose host can be checked");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return new Read.Refused("must be an https URL");
        }
        if (uri.getRawUserInfo() != null) {
            return new Read.Refused("must not carry a user name or password before the host");
        }
        String host = uri.getHost();
        // A host Java could not read as one (percent-encoded, non-ASCII, odd characters) is not guessed at.
        if (host == null || !(uri.getPort() == -1 ? host : host + ":" + uri.getPort()).equalsIgnoreCase(uri.getRawAuthority())) {
            return new Read.Refused("has no host name that can be checked");
        }
        host = host.toLowerCase(Locale.ROOT);
        return new Read.Allowable(new Host(scheme.equals("http") ? "http://" + host : host, addressLike(host)));
    }

    /** Whether {@code host} is under the allow-list's rule for hosts. */
    static boolean permits(Allowlist list, Host host) {
        return host.addressLike() ? list.namesExactly(host.value()) : list.permits(host.value());
    }

    /** Whether {@code entry}, read as a host value, is one {@code list} permits: a trigger's narrowing must be. */
    static boolean covers(Allowlist list, String entry) {
        String host = entry.startsWith("http://") ? entry.substring("http://".length()) : entry;
        return permits(list, new Host(entry, addressLike(host)));
    }

    /**
     * An IPv6 literal, a name whose last label a resolver reads as a number (so an IPv4 address in any of its
     * forms), or loopback.
     */
    private static boolean addressLike(String host) {
        if (host.startsWith("[") || host.contains(":")) {
            return true;
        }
        // A trailing dot (the root) is the same name to a resolver: 127.0.0.1. is an address too.
        String name = host.replaceAll("\\.+$", "");
        String last = name.substring(name.lastIndexOf('.') + 1);
        return name.equals("localhost") || name.endsWith(".localhost") || NUMERIC_LABEL.matcher(last).matches();
    }
}
