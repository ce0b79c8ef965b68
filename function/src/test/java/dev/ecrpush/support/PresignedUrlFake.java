package dev.ecrpush.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the presigned S3 URL a CloudFormation custom resource answers at: a JDK HTTP server on 127.0.0.1, on
 * a port of the system's choosing, that records every request as received and answers 200 (or the statuses queued
 * with {@link #answerNext}).
 */
public final class PresignedUrlFake implements AutoCloseable {
    /** One request as the server saw it: {@code contentType} is null when the header was not sent at all. */
    public record Received(String method, String pathAndQuery, String contentType, String body) {
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Integer> statuses = new ArrayDeque<>();

    public PresignedUrlFake() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** {@code url} (a presigned URL) with this server in place of its scheme, host and port; path and query kept as encoded. */
    public String standIn(String url) {
        URI original = URI.create(url);
        String query = original.getRawQuery() == null ? "" : "?" + original.getRawQuery();
        return "http://127.0.0.1:" + server.getAddress().getPort() + original.getRawPath() + query;
    }

    /** The next requests are answered with these statuses, in order; then 200 again. */
    public synchronized void answerNext(int... statuses) {
        for (int status : statuses) {
            this.statuses.add(status);
        }
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The only request received, or an {@link AssertionError} saying what came instead. */
    public synchronized Received only() {
        if (received.size() != 1) {
            throw new AssertionError("expected one request at the response URL, got " + received);
        }
        return received.get(0);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status;
            synchronized (this) {
                URI uri = exchange.getRequestURI();
                received.add(new Received(exchange.getRequestMethod(),
                        uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
                        exchange.getRequestHeaders().getFirst("Content-Type"), body));
                status = statuses.isEmpty() ? 200 : statuses.poll();
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }
}
