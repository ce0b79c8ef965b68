package dev.ecrpush.githost;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the addresses of a Git host's API from values a signed delivery carried (a repository's path, a commit
 * ID): each is checked and percent-encoded, so that none can leave the API's path ({@code ..}, {@code ?}, {@code #})
 * or reach another host.
 */
public final class ApiPaths {
    private ApiPaths() {
    }

    /**
     * The repository's segments ({@code acme/app} → {@code acme}, {@code app}), each percent-encoded.
     *
     * @throws IllegalArgumentException for an empty segment, {@code .} or {@code ..}
     */
    public static List<String> segments(String repository) {
        List<String> segments = Arrays.asList(repository.split("/", -1));
        for (String segment : segments) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("the repository path " + repository + " has an empty, . or .. segment");
            }
        }
        return segments.stream().map(ApiPaths::encode).toList();
    }

    /** @throws IllegalArgumentException unless {@code sha} is a commit ID ({@link GitHostApi#COMMIT}) */
    public static String commit(String sha) {
        if (sha == null || !GitHostApi.COMMIT.matcher(sha).matches()) {
            throw new IllegalArgumentException("not a commit ID: " + sha);
        }
        return sha;
    }

    /** {@code api} followed by {@code path} (already encoded), which starts with {@code /}. */
    public static URI under(URI api, String path) {
        String base = api.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, so a {@code /} is encoded too. */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                    || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }
}
