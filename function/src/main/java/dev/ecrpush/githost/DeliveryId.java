package dev.ecrpush.githost;

import java.util.regex.Pattern;

import dev.ecrpush.plan.Hashing;

/**
 * What identifies a verified delivery: the key its runs are remembered by, so that a repeat of it builds nothing.
 * Made only from what the delivery's proof covers, never from a header the proof leaves out: a replay of a
 * signed body under a new, changed or missing delivery header is then the same delivery, and builds nothing.
 * <ul>
 *   <li>{@code sha256-<hex>}: the SHA-256 of the signed body ({@link #ofBody}), for every scheme that signs the
 *       body alone (GitHub, Bitbucket, Gitea) and for GitLab's secret token, which proves the sender but signs
 *       nothing;</li>
 *   <li>{@code webhook-id-<id>}: a Standard Webhooks {@code webhook-id} ({@link #ofSignedId}), which the
 *       signature covers together with the timestamp and the body.</li>
 * </ul>
 * A host's own delivery header ({@code X-GitHub-Delivery}, ...) is not signed, so it is never made into one: it
 * is only logged ({@link GitHost#hostDeliveryId}).
 *
 * @param value the key's text; at most 139 characters of {@code [A-Za-z0-9._:-]}, so it needs no escaping in an
 *              idempotency key or a log line
 */
public record DeliveryId(String value) {
    private static final String BODY = "sha256-";
    private static final String SIGNED_ID = "webhook-id-";
    /** A signed ID kept as it was sent: a UUID, or Standard Webhooks' {@code msg_...}. */
    private static final Pattern PLAIN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern SHAPE = Pattern.compile(Pattern.quote(BODY) + "[0-9a-f]{64}|" + Pattern.quote(SIGNED_ID)
            + PLAIN_ID.pattern());

    public DeliveryId {
        if (value == null || !SHAPE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a delivery identity: made by DeliveryId.ofBody or DeliveryId.ofSignedId only");
        }
    }

    /** {@code sha256-<hex>} of the signed body. */
    public static DeliveryId ofBody(byte[] body) {
        return new DeliveryId(BODY + Signatures.hex(Hashing.sha256(body)));
    }

    /**
     * A signed delivery ID ({@code webhook-id}), kept readable when it is made of URL-safe characters (what
     * operators find in the host's log) and hashed otherwise: a signed value is the host's, but it still lands
     * in keys and log lines.
     */
    public static DeliveryId ofSignedId(String id) {
        if (PLAIN_ID.matcher(id).matches()) {
            return new DeliveryId(SIGNED_ID + id);
        }
        return new DeliveryId(SIGNED_ID + BODY + Hashing.sha256(id));
    }

    /**
     * A host's own, unsigned delivery header as it may be logged: trimmed, or null when it is missing, blank,
     * longer than 128 characters or holds a control character (it could forge log lines). Never a key.
     */
    public static String printable(String sent) {
        if (sent == null || sent.isBlank() || sent.length() > 128 || sent.chars().anyMatch(Character::isISOControl)) {
            return null;
        }
        return sent.trim();
    }

    @Override
    public String toString() {
        return value;
    }
}
