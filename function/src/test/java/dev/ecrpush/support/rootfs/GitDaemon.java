package dev.ecrpush.support.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code git daemon --inetd}, one process per connection, behind a socket this JVM binds to an ephemeral
 * loopback port: the daemon never binds a port itself, so two test runs cannot race for one. Each connection's
 * bytes are pumped to the process's stdin and its stdout back, as inetd would hand it the socket.
 */
final class GitDaemon implements AutoCloseable {
    private final ServerSocket socket;
    private final Path basePath;
    private final Map<String, String> environment;
    private final Consumer<String> log;
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final Thread acceptor = thread("git-daemon-accept", this::accept);
    /** Guarded by {@code processes}: once set, no connection starts a daemon that close would miss. */
    private boolean closed;

    private GitDaemon(ServerSocket socket, Path basePath, Map<String, String> environment, Consumer<String> log) {
        this.socket = socket;
        this.basePath = basePath;
        this.environment = environment;
        this.log = log;
    }

    /** Serves every repository under {@code basePath} as {@code git://127.0.0.1:PORT/<name>.git}. */
    static GitDaemon start(Path basePath, Map<String, String> environment, Consumer<String> log) {
        try {
            ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            GitDaemon daemon = new GitDaemon(socket, basePath, environment, log);
            daemon.acceptor.start();
            return daemon;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                thread("git-daemon-connection", () -> serve(connection)).start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            ProcessBuilder builder = new ProcessBuilder("git", "daemon", "--inetd", "--export-all",
                    "--base-path=" + basePath, basePath.toString());
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process;
            synchronized (processes) {
                if (closed) {
                    return;
                }
                process = builder.start();
                processes.add(process);
            }
            try {
                thread("git-daemon-stdin", () -> pump(connection::getInputStream, process.getOutputStream())).start();
                thread("git-daemon-stderr", () -> logStderr(process)).start();
                try (InputStream fromDaemon = process.getInputStream(); OutputStream toClient = connection.getOutputStream()) {
                    fromDaemon.transferTo(toClient);
                }
                process.waitFor();
            } finally {
                processes.remove(process);
                // the daemon runs upload-pack as a child: a connection cut short must not leave it behind
                Host.destroyTree(process);
            }
        } catch (IOException e) {
            // the client went away mid-transfer: its own git reports that, not the server
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private interface Source {
        InputStream open() throws IOException;
    }

    /** Client to daemon; closing the daemon's stdin at the client's end is what tells it the request is over. */
    private static void pump(Source from, OutputStream to) {
        try (InputStream in = from.open(); to) {
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0;) {
                to.write(buffer, 0, n);
                to.flush();
            }
        } catch (IOException ignored) {
            // either side closed: the other copy direction ends the connection
        }
    }

    private void logStderr(Process process) {
        try (InputStream err = process.getErrorStream()) {
            String text = new String(err.readAllBytes(), StandardCharsets.UTF_8);
            if (!text.isBlank()) {
                log.accept("git daemon: " + text);
            }
        } catch (IOException ignored) {
            // nothing more to log
        }
    }

    @Override
    public void close() {
        synchronized (processes) {
            closed = true;
        }
        try {
            socket.close();
            // The JDK closes a listening socket for good only once the thread blocked in accept() has left it;
            // until then a new connection is still accepted.
            acceptor.join(TimeUnit.SECONDS.toMillis(10));
        } catch (IOException ignored) {
            // closing is all that was asked
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        processes.forEach(Host::destroyTree);
    }

    private static Thread thread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }
}
