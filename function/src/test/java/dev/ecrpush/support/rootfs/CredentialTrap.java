package dev.ecrpush.support.rootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A Git server that wants credentials and never serves anything: every request is answered 401 with a Basic
 * challenge, as a private repository asks, and every {@code Authorization} header sent is kept. What a clone
 * offered it is what a host the payload names would have captured. Loopback, ephemeral port.
 */
public final class CredentialTrap implements AutoCloseable {
    private final HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final AtomicBoolean challenged = new AtomicBoolean();

    private CredentialTrap(HttpServer server) {
        this.server = server;
    }

    public static CredentialTrap start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
            CredentialTrap trap = new CredentialTrap(server);
            server.createContext("/", trap::handle);
            server.start();
            return trap;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** A repository's http URL on the trap. */
    public String url() {
        return "http://127.0.0.1:" + port() + "/acme/app.git";
    }

    /** Whether a client was asked for credentials at all (so that an empty {@link #authorizations} means something). */
    public boolean challenged() {
        return challenged.get();
    }

    /** Every {@code Authorization} header received, in order. */
    public List<String> authorizations() {
        return List.copyOf(authorizations);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null) {
                authorizations.add(authorization);
            }
            challenged.set(true);
            byte[] body = "authentication required\n".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"trap\"");
            exchange.sendResponseHeaders(401, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
