package dev.ecrpush.githost.gitlab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Pattern;

import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.Signatures;
import dev.ecrpush.githost.Verdict;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.step.SecretText;

/**
 * The Standard Webhooks signature, as GitLab signs with a signing token: {@code webhook-id},
 * {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">} keyed
 * with the token {@code whsec_<base64 key>}, the timestamp within the tolerance. An accepted delivery is
 * identified by its {@code webhook-id}, which the signature covers.
 */
final class StandardWebhooks {
    static final String ID = "webhook-id";
    static final String TIMESTAMP = "webhook-timestamp";
    static final String SIGNATURE = "webhook-signature";
    private static final String SIGNING_TOKEN_PREFIX = "whsec_";
    /**
     * Seconds since 1970 as the specification writes them: ASCII digits only, at most ten (until the year
     * 2286), so the number read fits a long with room to spare and no instant or sum made of it can overflow.
     * A sign, a space, a fraction or anything longer is refused before any arithmetic.
     */
    private static final Pattern SECONDS = Pattern.compile("[0-9]{1,10}");

    private StandardWebhooks() {
    }

    static Verdict verify(WebhookRequest request, SecretText signingToken, Instant now, Duration tolerance) {
        String id = request.header(ID);
        String timestamp = request.header(TIMESTAMP);
        if (id == null || timestamp == null) {
            return new Verdict.Refused(SIGNATURE + " needs " + ID + " and " + TIMESTAMP);
        }
        if (!SECONDS.matcher(timestamp).matches()) {
            return new Verdict.Refused(TIMESTAMP + " is not a number of seconds since 1970");
        }
        long seconds = Long.parseLong(timestamp);
        if (Duration.ofSeconds(Math.abs(seconds - now.getEpochSecond())).compareTo(tolerance) > 0) {
            return new Verdict.Refused(TIMESTAMP + " is more than " + tolerance.toSeconds()
                    + "s from the function's clock (a replay, or a clock that is off)");
        }
        byte[] key = signingKey(signingToken);
        if (key == null) {
            return new Verdict.Refused("the configured GitLab signing token is not whsec_ followed by base64");
        }
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] body = request.body();
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        byte[] expected = Signatures.hmacSha256(key, content);
        // Several signatures may be sent while a token is rotated: one match is enough.
        for (String entry : request.header(SIGNATURE).trim().split(" +")) {
            int comma = entry.indexOf(',');
            if (comma < 0 || !entry.substring(0, comma).equals("v1")) {
                continue;
            }
            byte[] claimed;
            try {
                claimed = Base64.getDecoder().decode(entry.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (MessageDigest.isEqual(expected, claimed)) {
                return new Verdict.Accepted(SIGNATURE, DeliveryId.ofSignedId(id));
            }
        }
        return new Verdict.Refused(SIGNATURE + " has no v1 signature that matches the body");
    }

    private static byte[] signingKey(SecretText token) {
        String text = token.value().startsWith(SIGNING_TOKEN_PREFIX)
                ? token.value().substring(SIGNING_TOKEN_PREFIX.length())
                : token.value();
        try {
            byte[] key = Base64.getDecoder().decode(text);
            return key.length == 0 ? null : key;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
