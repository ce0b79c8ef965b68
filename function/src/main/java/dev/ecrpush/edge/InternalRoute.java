package dev.ecrpush.edge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The pass-through route every non-HTTP event arrives on, and the proof that the Lambda edge sent it. The route
 * skips webhook verification by design (a step payload is trusted as the invoker's), so no HTTP request may reach
 * it, however its path is spelt: the edge marks each request it builds with {@link #HEADER} carrying a token drawn
 * at random when this class is loaded, the route answers 404 to a request without that exact token (compared in
 * constant time), and the edge removes the header from every HTTP event it forwards. The edge's exact routing
 * ({@link EdgeRoutes}) already keeps HTTP events away from this path; the token holds even where a router
 * normalizes a path into this one ({@code /x/%2e%2e/internal/events}) or a new route is added carelessly.
 *
 * <p>The token never leaves the process: it is not logged, answered or configured. With SnapStart every
 * environment restored from one snapshot shares it, which is harmless for the same reason.
 */
public final class InternalRoute {
    /** Where non-HTTP events are delivered inside the application. */
    public static final String PATH = "/internal/events";
    /** The header the edge's own requests carry; lower case, as HTTP API events name headers. */
    public static final String HEADER = "x-ecr-build-push-edge";

    private static final String TOKEN = newToken();
    private static final byte[] TOKEN_BYTES = TOKEN.getBytes(StandardCharsets.US_ASCII);

    private InternalRoute() {
    }

    /** The value of {@link #HEADER} on the edge's requests (and on tests that stand in for the edge). */
    public static String token() {
        return TOKEN;
    }

    /** Whether a request carrying {@code presented} in {@link #HEADER} came from the edge; constant time. */
    public static boolean admits(String presented) {
        return presented != null && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), TOKEN_BYTES);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
