package dev.ecrpush.support.rootfs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * {@code git http-backend} as a CGI program behind the JDK's HTTP server on an ephemeral loopback port: git's
 * own smart HTTP server side, serving {@code /git/<name>.git/...}. A private repository answers 401 with a
 * Basic challenge unless the request carries its user and token, as a hosted private repository does.
 */
final class GitHttpBackend implements AutoCloseable {
    static final String REALM = "git fixture";
    private static final Pattern REPOSITORY_PATH = Pattern.compile("^/git(/(.+?)\\.git(?:/.*)?)$");
    private static final long CGI_TIMEOUT_SECONDS = 60;

    private final HttpServer server;
    private final Path publicRoot;
    private final Path privateRoot;
    private final Map<String, String> environment;
    private final Consumer<String> log;
    /** Private repository name to the "user:token" its Basic credentials must decode to. */
    private final Map<String, String> privateRepositories = new ConcurrentHashMap<>();
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "git-http-backend");
        thread.setDaemon(true);
        return thread;
    });

    private GitHttpBackend(HttpServer server, Path publicRoot, Path privateRoot, Map<String, String> environment,
            Consumer<String> log) {
        this.server = server;
        this.publicRoot = publicRoot;
        this.privateRoot = privateRoot;
        this.environment = environment;
        this.log = log;
    }

    static GitHttpBackend start(Path publicRoot, Path privateRoot, Map<String, String> environment, Consumer<String> log) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
            GitHttpBackend backend = new GitHttpBackend(server, publicRoot, privateRoot, environment, log);
            server.createContext("/git/", backend::handle);
            server.setExecutor(backend.threads);
            server.start();
            return backend;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    void makePrivate(String repository, String user, String token) {
        privateRepositories.put(repository, user + ":" + token);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            Matcher path = REPOSITORY_PATH.matcher(exchange.getRequestURI().getPath());
            if (!path.matches()) {
                respond(exchange, 404, "not a repository path\n");
                return;
            }
            String credentials = privateRepositories.get(path.group(2));
            String remoteUser = null;
            if (credentials != null) {
                remoteUser = authenticatedUser(exchange.getRequestHeaders().getFirst("Authorization"), credentials);
                if (remoteUser == null) {
                    exchange.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"" + REALM + "\"");
                    respond(exchange, 401, "authentication required\n");
                    return;
                }
            }
            Map<String, String> cgi = new HashMap<>(environment);
            cgi.put("GIT_PROJECT_ROOT", (credentials == null ? publicRoot : privateRoot).toString());
            cgi.put("GIT_HTTP_EXPORT_ALL", "1");
            cgi.put("PATH_INFO", path.group(1));
            cgi.put("QUERY_STRING", orEmpty(exchange.getRequestURI().getRawQuery()));
            cgi.put("REQUEST_METHOD", exchange.getRequestMethod());
            cgi.put("CONTENT_TYPE", orEmpty(exchange.getRequestHeaders().getFirst("Content-Type")));
            cgi.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
            putIfPresent(cgi, "REMOTE_USER", remoteUser);
            // protocol v2 reaches upload-pack only through GIT_PROTOCOL, as a web server's config passes it on
            putIfPresent(cgi, "GIT_PROTOCOL", exchange.getRequestHeaders().getFirst("Git-Protocol"));
            // a large request body comes gzipped: http-backend inflates it when told the encoding
            putIfPresent(cgi, "HTTP_CONTENT_ENCODING", exchange.getRequestHeaders().getFirst("Content-Encoding"));
            // read whole so that CONTENT_LENGTH can be given even for a chunked request
            byte[] body = exchange.getRequestBody().readAllBytes();
            cgi.put("CONTENT_LENGTH", Integer.toString(body.length));
            relay(exchange, runCgi(cgi, body));
        }
    }

    private byte[] runCgi(Map<String, String> cgi, byte[] body) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("git", "http-backend");
        builder.environment().clear();
        builder.environment().putAll(cgi);
        Process process = builder.start();
        processes.add(process);
        try {
            // stdin on its own thread: the CGI may start answering before it has read the whole request
            CompletableFuture<Void> input = CompletableFuture.runAsync(() -> {
                try (OutputStream in = process.getOutputStream()) {
                    in.write(body);
                } catch (IOException ignored) {
                    // the CGI stopped reading (an error it reports itself)
                }
            }, threads);
            CompletableFuture<byte[]> errors = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()), threads);
            byte[] output = readAll(process.getInputStream());
            if (!process.waitFor(CGI_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException("git http-backend did not finish in " + CGI_TIMEOUT_SECONDS + " s");
            }
            input.join();
            String stderr = new String(errors.join(), StandardCharsets.UTF_8);
            if (!stderr.isBlank()) {
                log.accept("git http-backend " + cgi.get("REQUEST_METHOD") + " " + cgi.get("PATH_INFO") + ": " + stderr);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } finally {
            processes.remove(process);
            Host.destroyTree(process);
        }
    }

    /** Sends the CGI's answer: header lines up to a blank line ({@code Status:} sets the code), then the body. */
    private static void relay(HttpExchange exchange, byte[] output) throws IOException {
        int status = 200;
        int position = 0;
        while (position < output.length) {
            int end = indexOf(output, (byte) '\n', position);
            if (end < 0) {
                throw new IOException("git http-backend's answer has no end of headers");
            }
            String line = new String(output, position, end - position, StandardCharsets.ISO_8859_1).strip();
            position = end + 1;
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ", 2)[0]);
            } else if (!name.equalsIgnoreCase("Content-Length")) {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        int length = output.length - position;
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length > 0) {
            exchange.getResponseBody().write(output, position, length);
        }
    }

    /** The user if {@code authorization} is Basic with exactly {@code userColonToken}, else null. */
    private static String authenticatedUser(String authorization, String userColonToken) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(authorization.substring(6).strip());
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
        boolean matches = MessageDigest.isEqual(given, userColonToken.getBytes(StandardCharsets.UTF_8));
        return matches ? userColonToken.substring(0, userColonToken.indexOf(':')) : null;
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static byte[] readAll(InputStream in) {
        try (in; ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            in.transferTo(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int indexOf(byte[] bytes, byte wanted, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static String orEmpty(String value) {
        return value == null ? "" : value;
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        processes.forEach(Host::destroyTree);
        threads.shutdownNow();
    }
}
