package dev.ecrpush.registry;

import java.util.ArrayList;
import java.util.List;
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
 * @param buildRoles         the exact ARNs of the IAM roles builds run as (the stack's CodeBuild project roles and
 *                           ECS task role); a new repository in another account gets a policy letting exactly
 *                           these push and pull. Never an account or its root: see {@link #checkBuildRoles}.
 *                           Null or empty: no repository policy
 * @param signing            the Signer profile ECR managed signing signs the images pushed to the function's repositories
 *                           with ({@link SigningProfile}, docs/signing.md); null for no signing, the default. Unlike the
 *                           others it applies to existing repositories too: it is a rule of the registry, not a
 *                           repository setting
 */
public record RepositoryDefaults(boolean scanOnPush, TagMutability tagMutability, String kmsKey,
        int untaggedExpiryDays, int cacheImagesKept, List<String> buildRoles, SigningProfile signing) {

    public enum TagMutability { MUTABLE, IMMUTABLE }

    /** The configuration key of {@link #buildRoles}, which messages name. */
    static final String BUILD_ROLES_KEY = "buildpush.repository.build-principal";
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");

    /**
     * From {@code buildpush.repository.*}.
     *
     * @throws IllegalArgumentException naming the key and the value that is not valid
     */
    public static RepositoryDefaults from(dev.ecrpush.config.ServiceConfig.Repository repository) {
        return new RepositoryDefaults(repository.scanOnPush(), repository.tagMutability(),
                repository.kmsKey().orElse(null), repository.untaggedExpiryDays(), repository.cacheImagesKept(),
                repository.buildPrincipal().orElse(List.of()), SigningProfile.parse(repository.signing().orElse(null)));
    }

    /** Defaults without signing. */
    public RepositoryDefaults(boolean scanOnPush, TagMutability tagMutability, String kmsKey, int untaggedExpiryDays,
            int cacheImagesKept, List<String> buildRoles) {
        this(scanOnPush, tagMutability, kmsKey, untaggedExpiryDays, cacheImagesKept, buildRoles, null);
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
        buildRoles = checkBuildRoles(buildRoles);
    }

    public static RepositoryDefaults defaults() {
        return new RepositoryDefaults(true, TagMutability.MUTABLE, null, 14, 100, List.of());
    }

    public RepositoryDefaults withBuildRoles(String... roles) {
        return new RepositoryDefaults(scanOnPush, tagMutability, kmsKey, untaggedExpiryDays, cacheImagesKept, List.of(roles), signing);
    }

    public RepositoryDefaults withKmsKey(String key) {
        return new RepositoryDefaults(scanOnPush, tagMutability, key, untaggedExpiryDays, cacheImagesKept, buildRoles, signing);
    }

    public RepositoryDefaults withSigning(SigningProfile profile) {
        return new RepositoryDefaults(scanOnPush, tagMutability, kmsKey, untaggedExpiryDays, cacheImagesKept, buildRoles, profile);
    }

    /** The account of a build role's ARN (checked by {@link #checkBuildRoles}). */
    static String accountOf(String role) {
        return Arn.role(role).account();
    }

    /**
     * The one rule for who a repository policy lets in: exact IAM role ARNs, each once. An account ID, or its root
     * ({@code arn:aws:iam::ACCOUNT:root}), is refused rather than widened or guessed: in a repository policy it
     * lets in every principal of that account whose own IAM allows a push, not just the builds, and the roles the
     * builds run as cannot be known without asking AWS. The function then does not start, naming the key.
     *
     * @throws IllegalArgumentException naming {@value #BUILD_ROLES_KEY} and every value that is not a role ARN
     */
    static List<String> checkBuildRoles(List<String> roles) {
        if (roles == null) {
            return List.of();
        }
        List<String> checked = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String role : roles) {
            String value = role == null ? "" : role.strip();
            if (value.isEmpty() || checked.contains(value)) {
                continue;
            }
            Arn arn = Arn.parse(value);
            if (ACCOUNT.matcher(value).matches() || arn != null && arn.service().equals("iam") && arn.resource().equals("root")) {
                problems.add(value + " is an account, which a repository policy would open to every principal of that"
                        + " account; name the build roles instead");
            } else if (Arn.role(value) == null) {
                problems.add(value + " is not an IAM role ARN (arn:PARTITION:iam::ACCOUNT:role/NAME, no wildcard)");
            } else {
                checked.add(value);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(BUILD_ROLES_KEY + " lists the exact ARNs of the roles builds run as"
                    + " (the stack's BuildRoleArns output), separated by commas: " + String.join("; ", problems));
        }
        return List.copyOf(checked);
    }
}
