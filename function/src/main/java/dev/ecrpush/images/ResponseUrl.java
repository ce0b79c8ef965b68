package dev.ecrpush.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;

/**
 * PUTs a custom resource response to its presigned URL (an S3 object URL that CloudFormation reads). A presigned
 * URL may sign the request's {@code Content-Type} (a query-string signature of the older kind does, as empty), so
 * the header is sent empty, as AWS's own cfn-response module sends it, where Java would otherwise add
 * {@code application/x-www-form-urlencoded}. A refused or broken PUT is tried again, a few times; after that the
 * failure is the caller's (the handler's error makes Lambda retry the event).
 */
final class ResponseUrl {
    private static final int ATTEMPTS = 3;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Sleeper sleeper;

    ResponseUrl(Sleeper sleeper) {
        this.sleeper = sleeper;
    }

    /** Sends {@code body}; returns once the URL answered 2xx. */
    void put(String url, byte[] body) throws IOException {
        IOException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                putOnce(url, body);
                return;
            } catch (IOException e) {
                last = e;
            }
            if (attempt < ATTEMPTS) {
                try {
                    sleeper.sleep(Duration.ofSeconds(attempt));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw new IOException("the response URL did not take the response: " + last.getMessage(), last);
    }

    private static void putOnce(String url, byte[] body) throws IOException {
        // URI keeps the signed query as it was percent-encoded; a second encoding would break the signature.
        HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
        try {
            connection.setRequestMethod("PUT");
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) READ_TIMEOUT.toMillis());
            connection.setDoOutput(true);
            connection.setRequestProperty("Content-Type", "");
            connection.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            try (InputStream answer = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (answer != null) {
                    answer.readAllBytes();
                }
            }
            if (status / 100 != 2) {
                throw new IOException("HTTP " + status + " from the response URL");
            }
        } finally {
            connection.disconnect();
        }
    }
}
