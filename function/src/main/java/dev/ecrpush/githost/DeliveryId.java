package dev.ecrpush.githost;

import dev.ecrpush.plan.Hashing;

/**
 * Turns what a host sent into a delivery's identity ({@link GitHost#deliveryId}). A host that sends no usable
 * ID (none at all, blank, longer than 128 characters, or with control characters) is keyed by the body's
 * SHA-256, which a retry repeats and another event does not.
 */
public final class DeliveryId {
    private static final int MAX = 128;

    private DeliveryId() {
    }

    /**
     * @param sent the ID header the host sent, or null
     * @param body the delivery's raw body
     */
    public static String of(String sent, byte[] body) {
        if (sent == null || sent.isBlank() || sent.length() > MAX || sent.chars().anyMatch(Character::isISOControl)) {
            return ofBody(body);
        }
        return sent.trim();
    }

    /** {@code sha256-<hex>} of the body. */
    public static String ofBody(byte[] body) {
        return "sha256-" + Signatures.hex(Hashing.sha256(body));
    }
}
