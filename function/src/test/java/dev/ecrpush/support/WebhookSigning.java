package dev.ecrpush.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.ecrpush.githost.WebhookSecrets;

/**
 * Signs deliveries as the hosts do, with the test-only secrets below, and reads the recorded payloads in
 * {@code src/test/resources/webhooks} as raw bytes. The same secrets are in the test configuration and sign the
 * webhook events in {@code events/}; they guard nothing.
 */
public final class WebhookSigning {
    public static final String GITHUB_SECRET = "test-only-github-webhook-secret";
    public static final String GITLAB_TOKEN = "test-only-gitlab-secret-token";
    /** {@code whsec_} + base64 of 32 bytes, as GitLab issues signing tokens. */
    public static final String GITLAB_SIGNING_TOKEN = "whsec_dGVzdC1vbmx5LWdpdGxhYi1zaWduaW5nLWtleS0zMmI=";
    public static final String BITBUCKET_SECRET = "test-only-bitbucket-webhook-secret";
    public static final String GITEA_SECRET = "test-only-gitea-webhook-secret";

    private WebhookSigning() {
    }

    /**
     * Every secret above, by its key in the webhook secret's JSON: what the Secrets Manager fake holds and the
     * packaged function is configured with, so that a Git host's test secret is added here only.
     */
    public static final Map<String, String> BY_KEY = Map.of("github", GITHUB_SECRET, "gitlab", GITLAB_TOKEN,
            "gitlabSigningToken", GITLAB_SIGNING_TOKEN, "bitbucket", BITBUCKET_SECRET, "gitea", GITEA_SECRET);

    /** {@link #BY_KEY} as the function holds them. */
    public static WebhookSecrets secrets() {
        return WebhookSecrets.of(BY_KEY);
    }

    public static byte[] recorded(String file) {
        try {
            return Files.readAllBytes(Path.of("src/test/resources/webhooks", file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sha256=<hex>}: GitHub's X-Hub-Signature-256 and Bitbucket's X-Hub-Signature. */
    public static String hubSignature(String secret, byte[] body) {
        return "sha256=" + HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    /** The bare {@code <hex>}: Gitea's and Forgejo's X-Gitea-Signature and X-Forgejo-Signature. */
    public static String hexSignature(String secret, byte[] body) {
        return HexFormat.of().formatHex(hmac(secret.getBytes(StandardCharsets.UTF_8), body));
    }

    /** {@code v1,<base64>} over {@code id.timestamp.body}, keyed with the token's base64 part. */
    public static String standardSignature(String signingToken, String id, long timestamp, byte[] body) {
        return standardSignature(signingToken, id, Long.toString(timestamp), body);
    }

    /** As above, over the timestamp as written, whatever it says (a number or not). */
    public static String standardSignature(String signingToken, String id, String timestamp, byte[] body) {
        byte[] key = Base64.getDecoder().decode(signingToken.substring("whsec_".length()));
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return "v1," + Base64.getEncoder().encodeToString(hmac(key, content));
    }

    /** The body with one byte changed, as a tampering proxy would. */
    public static byte[] tampered(byte[] body) {
        byte[] copy = body.clone();
        int at = copy.length / 2;
        copy[at] = (byte) (copy[at] == 'a' ? 'b' : 'a');
        return copy;
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
