package dev.ecrpush.githost;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.ecrpush.plan.Hashing;
import dev.ecrpush.step.SecretText;

/**
 * The pieces the hosts' signature schemes share. Comparisons go through {@link MessageDigest#isEqual}, which
 * takes the same time however much of its input matches.
 */
public final class Signatures {
    private Signatures() {
    }

    /**
     * The scheme most hosts use: {@code <header>: <prefix><hex HMAC-SHA256 of the raw body, keyed with the
     * secret>}. The signature covers the body and nothing else, so an accepted delivery is identified by the
     * body's SHA-256 ({@link DeliveryId#ofBody}).
     *
     * @param prefix what comes before the hex digits ({@code sha256=}), or the empty string
     * @param host   the host's name, for the refusal when no secret is configured
     */
    public static Verdict hexHmacSha256(WebhookRequest request, String header, String prefix, SecretText secret, String host) {
        String sent = request.header(header);
        if (sent == null) {
            return new Verdict.Refused(header + " is missing");
        }
        if (secret == null) {
            return new Verdict.Refused("no " + host + " webhook secret is configured");
        }
        if (!sent.startsWith(prefix)) {
            return new Verdict.Refused(header + " is not a " + prefix + " signature");
        }
        byte[] claimed;
        try {
            claimed = HexFormat.of().parseHex(sent.substring(prefix.length()));
        } catch (IllegalArgumentException e) {
            return new Verdict.Refused(header + " is not hexadecimal");
        }
        byte[] expected = hmacSha256(secret.value().getBytes(StandardCharsets.UTF_8), request.body());
        return MessageDigest.isEqual(expected, claimed)
                ? new Verdict.Accepted(header, DeliveryId.ofBody(request.body()))
                : new Verdict.Refused(header + " does not match the body");
    }

    public static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /**
     * Whether two secret texts are equal, compared as their SHA-256 digests: equal lengths whatever the texts',
     * so the comparison's time says nothing about the expected one.
     */
    public static boolean sameText(String sent, SecretText expected) {
        return MessageDigest.isEqual(Hashing.sha256(sent.getBytes(StandardCharsets.UTF_8)),
                Hashing.sha256(expected.value().getBytes(StandardCharsets.UTF_8)));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
