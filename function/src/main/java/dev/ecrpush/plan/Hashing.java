package dev.ecrpush.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Stable names derived from values: idempotency tokens, the parameter an OIDC token is stashed under, content
 * hashes. The one SHA-256 helper of the function.
 */
public final class Hashing {
    /** What CodeBuild's {@code idempotencyToken} and ECS's {@code clientToken} both accept as they are. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    private Hashing() {
    }

    /** The key itself when both services accept it, else its SHA-256 in hex (64 characters), always the same. */
    public static String idempotencyToken(String key) {
        return TOKEN.matcher(key).matches() ? key : sha256(key);
    }

    /**
     * A one-way name: the parameter path reveals nothing of the token. It names the run too (its payload's
     * content hash): the stash is deleted when its build ends, and a token shared by two different runs must not
     * lose its stash to the first one that ends while the other still waits to read it.
     */
    static String stashName(String prefix, String secret, String run) {
        String base = prefix.endsWith("/") ? prefix : prefix + "/";
        return base + sha256(secret + "\n" + run).substring(0, 32);
    }

    /** The SHA-256 of the text's UTF-8 bytes, in lower-case hex. */
    public static String sha256(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
