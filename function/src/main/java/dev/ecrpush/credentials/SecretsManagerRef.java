package dev.ecrpush.credentials;

import java.util.Arrays;

import software.amazon.awssdk.regions.Region;

/**
 * A Secrets Manager reference taken apart: {@code arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME} or
 * {@code NAME}, followed by the optional {@code :json-key:version-stage:version-id} that CodeBuild's
 * {@code SECRETS_MANAGER} variables use too. An ARN carries colons of its own, so it is split by position.
 *
 * @param secretId     the ARN or name without the suffixes, as {@code GetSecretValue} takes it
 * @param region       the ARN's region, else the region the reference is read for
 * @param jsonKey      nullable: the key to take from the secret's JSON object
 * @param versionStage nullable
 * @param versionId    nullable
 */
record SecretsManagerRef(String secretId, Region region, String jsonKey, String versionStage, String versionId) {
    /** The parts of {@code arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME}. */
    private static final int ARN_PARTS = 7;

    static SecretsManagerRef parse(String reference, Region fallback) {
        if (reference.startsWith("arn:")) {
            String[] parts = reference.split(":", -1);
            String[] suffix = Arrays.copyOfRange(parts, ARN_PARTS, parts.length);
            return new SecretsManagerRef(String.join(":", Arrays.copyOf(parts, ARN_PARTS)), Region.of(parts[3]),
                    part(suffix, 0), part(suffix, 1), part(suffix, 2));
        }
        String[] parts = reference.split(":", 2);
        return new SecretsManagerRef(parts[0], fallback, part(parts, 1), null, null);
    }

    private static String part(String[] parts, int index) {
        return index < parts.length && !parts[index].isEmpty() ? parts[index] : null;
    }
}
