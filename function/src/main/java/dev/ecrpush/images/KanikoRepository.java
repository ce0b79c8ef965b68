package dev.ecrpush.images;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The stack's repository of the kaniko-ecr image, as the custom resource's {@code Repository} property names it
 * ({@code !GetAtt PluginImageRepository.RepositoryUri}): the account (ECR's registry ID) and the repository's name,
 * which ECR's API takes apart.
 *
 * @param uri        {@code <account>.dkr.ecr.<region>.<domain>/<name>}
 * @param registryId the account
 * @param name       the repository's name
 */
record KanikoRepository(String uri, String registryId, String name) {
    /** ECR's repository URI; the name as ECR's {@code CreateRepository} pattern allows it. */
    private static final Pattern URI = Pattern.compile(
            "(\\d{12})\\.dkr\\.ecr\\.[a-z0-9-]+\\.[a-z0-9.-]+/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)");

    /**
     * @throws IllegalArgumentException when {@code uri} is no ECR repository URI
     */
    static KanikoRepository parse(String uri) {
        Matcher matcher = URI.matcher(uri == null ? "" : uri);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("the Repository property " + uri + " is no ECR repository URI"
                    + " (<account>.dkr.ecr.<region>.<domain>/<name>)");
        }
        return new KanikoRepository(uri, matcher.group(1), matcher.group(2));
    }
}
