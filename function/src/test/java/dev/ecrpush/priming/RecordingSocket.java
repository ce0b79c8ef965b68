package dev.ecrpush.priming;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A live local socket that every SDK endpoint is pointed at ({@code aws.endpointUrl}), counting each connection made
 * to it: priming must leave it at zero, while a real client with the same setting reaches it.
 */
final class RecordingSocket implements AutoCloseable {
    private static final String ENDPOINT = "aws.endpointUrl";

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final String saved;

    RecordingSocket() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "recording-socket");
        accept.setDaemon(true);
        accept.start();
        saved = System.getProperty(ENDPOINT);
        System.setProperty(ENDPOINT, "http://127.0.0.1:" + socket.getLocalPort());
    }

    int connections() {
        return connections.get();
    }

    @Override
    public void close() throws IOException {
        if (saved == null) {
            System.clearProperty(ENDPOINT);
        } else {
            System.setProperty(ENDPOINT, saved);
        }
        socket.close();
    }
}
