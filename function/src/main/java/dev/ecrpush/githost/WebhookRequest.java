package dev.ecrpush.githost;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One delivery as it arrived: the headers (names compared without case, as HTTP does) and the raw body, byte
 * for byte, since the signatures cover exactly those bytes.
 */
public record WebhookRequest(Map<String, String> headers, byte[] body) {
    public WebhookRequest {
        Map<String, String> lower = new HashMap<>();
        headers.forEach((name, value) -> lower.put(name.toLowerCase(Locale.ROOT), value));
        headers = Map.copyOf(lower);
        body = body.clone();
    }

    /** The header's value, or null when it was not sent. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
