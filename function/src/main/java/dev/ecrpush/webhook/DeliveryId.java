package dev.ecrpush.webhook;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What identifies a delivery across the host's retries and redeliveries: the key runs are remembered by.
 * GitHub {@code X-GitHub-Delivery}; GitLab {@code Idempotency-Key}, else {@code X-Gitlab-Event-UUID}; Bitbucket
 * {@code X-Request-UUID}. A host that sends none (an old GitLab) is keyed by the body's SHA-256, which a retry
 * repeats and another event does not.
 */
public final class DeliveryId {
    private static final int MAX = 128;

    private DeliveryId() {
    }

    public static String of(WebhookRequest request) {
        String id = switch (request.provider()) {
            case GITHUB -> request.header("X-GitHub-Delivery");
            case GITLAB -> request.header("Idempotency-Key") != null
                    ? request.header("Idempotency-Key")
                    : request.header("X-Gitlab-Event-UUID");
            case BITBUCKET -> request.header("X-Request-UUID");
        };
        if (id == null || id.isBlank() || id.length() > MAX || id.chars().anyMatch(Character::isISOControl)) {
            return "sha256-" + sha256(request.body());
        }
        return id.trim();
    }

    private static String sha256(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
