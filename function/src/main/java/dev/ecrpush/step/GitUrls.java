package dev.ecrpush.step;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one reading of a clone URL ({@code codebase.repoUrl}) and of the Git hosts it names, pure: no name is
 * resolved. A URL is what {@link URI} parses, so that every later reader (CodeBuild's source type by host, the ECS
 * task's credential scope) sees the same host; a host is refused as a build's source when it is the machine the
 * build runs on or its metadata service, whatever its spelling as an address.
 */
public final class GitUrls {
    /** Longer than any clone URL a Git host gives; CodeBuild's source location takes at most 2048 too. */
    public static final int MAX_LENGTH = 2048;
    /** A DNS host name, lower case, optionally with a port: what a deployer configures as a Git host. */
    private static final Pattern HOST_AND_PORT = Pattern.compile(
            "(?=[^:]{1,253}(:|$))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(:[1-9][0-9]{0,4})?");
    private static final Pattern DOTTED_QUAD = Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
            + "(\\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}");
    /** The EC2 instance metadata service's IPv6 address range (a unique-local one, so not link-local). */
    private static final String IMDS_V6_PREFIX = "fd00:ec2:";

    private GitUrls() {
    }

    /** Why {@code url} is not an http(s) clone URL; null when it is one. */
    public static String problem(String url) {
        if (url.length() > MAX_LENGTH) {
            return "is longer than " + MAX_LENGTH + " characters";
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // The reason quotes no input; the index says where.
            return "is not a URL (" + e.getReason() + " at index " + e.getIndex() + ")";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return "must be the repository's http(s) clone URL";
        }
        if (uri.getHost() == null) {
            return "names no host (a host name, or an IP address in brackets for IPv6)";
        }
        if (uri.getRawFragment() != null) {
            return "must not have a #fragment";
        }
        return null;
    }

    /** The host of a URL {@link #problem} accepts, lower case (an IPv6 address keeps its brackets). */
    public static String host(String url) {
        return URI.create(url).getHost().toLowerCase(Locale.ROOT);
    }

    /** {@code host} or {@code host:port}, as {@code https://HOST/} would name it; the port only when not 443. */
    public static String hostAndPort(String url) {
        URI uri = URI.create(url);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port < 0 || (port == 443 && "https".equals(uri.getScheme()))
                || (port == 80 && "http".equals(uri.getScheme()));
        return defaultPort ? host : host + ":" + port;
    }

    /** Whether {@code value} is a lower-case DNS host name, with a port or without: a configured Git host. */
    public static boolean isHostName(String value) {
        return HOST_AND_PORT.matcher(value).matches() && !isNumeric(value.split(":", 2)[0]);
    }

    /**
     * Why {@code host} (as {@link #host} gives it) is the build's own machine or its metadata service rather than a
     * Git server: {@code localhost}, a loopback, link-local or unspecified address, the EC2 metadata address, or an
     * address spelt other than as four decimal parts (which {@code git} and {@code curl} would still read as one).
     * Null when it is none of these. Names are not resolved: that is what the token's host scope is for.
     */
    public static String localAddressProblem(String host) {
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return "names the build's own machine (localhost)";
        }
        InetAddress address;
        if (name.startsWith("[") && name.endsWith("]")) {
            String literal = name.substring(1, name.length() - 1);
            if (literal.startsWith(IMDS_V6_PREFIX)) {
                return "names the EC2 metadata service";
            }
            address = literal(literal);
        } else if (isNumeric(name)) {
            if (!DOTTED_QUAD.matcher(name).matches()) {
                return "is an IP address written other than as four decimal parts";
            }
            address = literal(name);
        } else {
            return null;
        }
        if (address == null) {
            return "is not an IP address";
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return "names the build's own machine (a loopback or unspecified address)";
        }
        if (address.isLinkLocalAddress()) {
            return "names a link-local address (the task's metadata and credentials endpoints are there)";
        }
        return null;
    }

    /** A host whose last label is a number is an address (no top-level domain is numeric). */
    private static boolean isNumeric(String host) {
        String last = host.substring(host.lastIndexOf('.') + 1);
        return !last.isEmpty() && (last.chars().allMatch(Character::isDigit) || last.startsWith("0x"));
    }

    /** An IP literal as an address, never looked up; null when it is none. */
    private static InetAddress literal(String text) {
        if (!text.matches("[0-9a-fA-F:.]+")) {
            return null;
        }
        try {
            // A literal is parsed, not resolved: getByName only goes to DNS for a name, which the pattern excludes.
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
