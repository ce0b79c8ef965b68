package dev.ecrpush.registry;

import java.util.regex.Pattern;

import dev.ecrpush.aws.Arn;

/**
 * How a repository the function creates is set up. An existing repository is never changed, so these apply
 * only at creation; they are the settings a team would otherwise have to remember to click.
 *
 * @param scanOnPush         basic image scanning on every push; default {@code true}, since it is free and is
 *                           what security reviews ask for first
 * @param tagMutability      default {@link TagMutability#MUTABLE}: steps commonly push a moving tag such as
 *                           {@code latest}, which an immutable repository refuses on the second build
 * @param kmsKey             null for AES256 (the default, no KMS cost or key policy to manage); otherwise KMS
 *                           encryption with this key ARN, alias ARN or key ID
 * @param untaggedExpiryDays untagged images (superseded tags, failed multi-arch pushes) expire after this many
 *                           days; default 14
 * @param cacheImagesKept    a cache repository keeps only its newest this many images; default 100, since
 *                           kaniko stores one image per cached layer and a few builds' layers should survive
 * @param buildPrincipal     nullable: the account ID or IAM role ARN builds run as; when its account is not the
 *                           target account, new repositories get a policy letting it push and pull
 */
public record RepositoryDefaults(boolean scanOnPush, TagMutability tagMutability, String kmsKey,
        int untaggedExpiryDays, int cacheImagesKept, String buildPrincipal) {

    public enum TagMutability { MUTABLE, IMMUTABLE }

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    /**
     * From {@code buildpush.repository.*}.
     *
     * @throws IllegalArgumentException naming the value that is not valid
     */
    public static RepositoryDefaults from(dev.ecrpush.config.ServiceConfig.Repository repository) {
        return new RepositoryDefaults(repository.scanOnPush(), repository.tagMutability(),
                repository.kmsKey().orElse(null), repository.untaggedExpiryDays(), repository.cacheImagesKept(),
                repository.buildPrincipal().orElse(null));
    }

    public RepositoryDefaults {
        if (tagMutability == null) {
            throw new IllegalArgumentException("tagMutability is required (MUTABLE or IMMUTABLE)");
        }
        if (kmsKey != null && kmsKey.isBlank()) {
            kmsKey = null;
        }
        if (untaggedExpiryDays < 1) {
            throw new IllegalArgumentException("untaggedExpiryDays must be at least 1, not " + untaggedExpiryDays);
        }
        if (cacheImagesKept < 1) {
            throw new IllegalArgumentException("cacheImagesKept must be at least 1, not " + cacheImagesKept);
        }
        checkPrincipal(buildPrincipal);
    }

    public static RepositoryDefaults defaults() {
        return new RepositoryDefaults(true, TagMutability.MUTABLE, null, 14, 100, null);
    }

    public RepositoryDefaults withBuildPrincipal(String principal) {
        return new RepositoryDefaults(scanOnPush, tagMutability, kmsKey, untaggedExpiryDays, cacheImagesKept, principal);
    }

    public RepositoryDefaults withKmsKey(String key) {
        return new RepositoryDefaults(scanOnPush, tagMutability, key, untaggedExpiryDays, cacheImagesKept, buildPrincipal);
    }

    /** The account of a build principal (an account ID or a role ARN), or null for none. */
    static String accountOf(String principal) {
        if (principal == null) {
            return null;
        }
        return ACCOUNT.matcher(principal).matches() ? principal : principal.split(":")[4];
    }

    static void checkPrincipal(String principal) {
        if (principal != null && !ACCOUNT.matcher(principal).matches() && Arn.role(principal) == null) {
            throw new IllegalArgumentException("build principal must be a 12-digit account ID or an IAM role ARN, not " + principal);
        }
    }
}
