package dev.ecrpush.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.ecrpush.step.SecretText;

/**
 * Checks that a delivery comes from the Git host, before anything else is done with it. Every comparison is
 * constant-time ({@link MessageDigest#isEqual}) over fixed-length digests, so the time taken reveals neither how
 * much of a signature matched nor the secret's length.
 * <ul>
 *   <li>GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>}.</li>
 *   <li>Bitbucket Cloud: {@code X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>}.</li>
 *   <li>GitLab: the secret token in {@code X-Gitlab-Token}, and/or the Standard Webhooks signature
 *       ({@code webhook-id}, {@code webhook-timestamp}, {@code webhook-signature: v1,<base64 HMAC-SHA256 of
 *       "id.timestamp.body">} keyed with the signing token {@code whsec_<base64 key>}), whose timestamp must be
 *       within the tolerance. Each credential sent that a configured secret can check must pass, and at least
 *       one must be checked.</li>
 * </ul>
 */
public final class SignatureVerifier {
    static final String GITHUB_SIGNATURE = "X-Hub-Signature-256";
    static final String BITBUCKET_SIGNATURE = "X-Hub-Signature";
    static final String GITLAB_TOKEN = "X-Gitlab-Token";
    static final String STANDARD_ID = "webhook-id";
    static final String STANDARD_TIMESTAMP = "webhook-timestamp";
    static final String STANDARD_SIGNATURE = "webhook-signature";
    private static final String SIGNING_TOKEN_PREFIX = "whsec_";

    private SignatureVerifier() {
    }

    /**
     * Whether the delivery carries any credential of its provider. A delivery without one is refused before the
     * secrets are even read, so it costs no AWS call.
     */
    public static boolean carriesCredentials(WebhookRequest request) {
        return switch (request.provider()) {
            case GITHUB -> request.header(GITHUB_SIGNATURE) != null;
            case BITBUCKET -> request.header(BITBUCKET_SIGNATURE) != null;
            case GITLAB -> request.header(GITLAB_TOKEN) != null || request.header(STANDARD_SIGNATURE) != null;
        };
    }

    public static Verdict verify(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance) {
        return switch (request.provider()) {
            case GITHUB -> hexSignature(request, GITHUB_SIGNATURE, secrets.github());
            case BITBUCKET -> hexSignature(request, BITBUCKET_SIGNATURE, secrets.bitbucket());
            case GITLAB -> gitlab(request, secrets, now, tolerance);
        };
    }

    private static Verdict hexSignature(WebhookRequest request, String header, SecretText secret) {
        String sent = request.header(header);
        if (sent == null) {
            return new Verdict.Refused(header + " is missing");
        }
        if (secret == null) {
            return new Verdict.Refused("no " + request.provider().wire() + " webhook secret is configured");
        }
        if (!sent.startsWith("sha256=")) {
            return new Verdict.Refused(header + " is not a sha256= signature");
        }
        byte[] claimed;
        try {
            claimed = HexFormat.of().parseHex(sent.substring("sha256=".length()));
        } catch (IllegalArgumentException e) {
            return new Verdict.Refused(header + " is not hexadecimal");
        }
        byte[] expected = hmacSha256(secret.value().getBytes(StandardCharsets.UTF_8), request.body());
        return MessageDigest.isEqual(expected, claimed)
                ? new Verdict.Accepted(header)
                : new Verdict.Refused(header + " does not match the body");
    }

    private static Verdict gitlab(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance) {
        String token = request.header(GITLAB_TOKEN);
        boolean signed = request.header(STANDARD_SIGNATURE) != null;
        boolean tokenChecked = token != null && secrets.gitlab() != null;
        boolean signatureChecked = signed && secrets.gitlabSigningToken() != null;
        if (!tokenChecked && !signatureChecked) {
            return new Verdict.Refused(token == null && !signed
                    ? GITLAB_TOKEN + " and " + STANDARD_SIGNATURE + " are both missing"
                    : "no GitLab secret token or signing token is configured for what the delivery carries");
        }
        if (tokenChecked && !MessageDigest.isEqual(sha256(token), sha256(secrets.gitlab().value()))) {
            return new Verdict.Refused(GITLAB_TOKEN + " does not match");
        }
        if (signatureChecked) {
            Verdict standard = standardWebhook(request, secrets.gitlabSigningToken(), now, tolerance);
            if (standard instanceof Verdict.Refused) {
                return standard;
            }
        }
        return new Verdict.Accepted(signatureChecked ? STANDARD_SIGNATURE : GITLAB_TOKEN);
    }

    /** The Standard Webhooks scheme, as GitLab signs with a signing token. */
    private static Verdict standardWebhook(WebhookRequest request, SecretText signingToken, Instant now, Duration tolerance) {
        String id = request.header(STANDARD_ID);
        String timestamp = request.header(STANDARD_TIMESTAMP);
        if (id == null || timestamp == null) {
            return new Verdict.Refused(STANDARD_SIGNATURE + " needs " + STANDARD_ID + " and " + STANDARD_TIMESTAMP);
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return new Verdict.Refused(STANDARD_TIMESTAMP + " is not a number of seconds");
        }
        if (Duration.between(Instant.ofEpochSecond(seconds), now).abs().compareTo(tolerance) > 0) {
            return new Verdict.Refused(STANDARD_TIMESTAMP + " is more than " + tolerance.toSeconds()
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
        byte[] expected = hmacSha256(key, content);
        // Several signatures may be sent while a token is rotated: one match is enough.
        for (String entry : request.header(STANDARD_SIGNATURE).trim().split(" +")) {
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
                return new Verdict.Accepted(STANDARD_SIGNATURE);
            }
        }
        return new Verdict.Refused(STANDARD_SIGNATURE + " has no v1 signature that matches the body");
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

    static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
