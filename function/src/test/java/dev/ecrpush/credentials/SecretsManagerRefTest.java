package dev.ecrpush.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;

class SecretsManagerRefTest {
    private static final String ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/aws-AbCdEf";

    @Test
    void parse_arn_takesRegionFromTheArn() {
        // given
        // when
        SecretsManagerRef ref = SecretsManagerRef.parse(ARN, Region.US_EAST_1);

        // then
        assertEquals(new SecretsManagerRef(ARN, Region.EU_WEST_1, null, null, null), ref);
    }

    @Test
    void parse_arnWithJsonKeyStageAndVersion_splitsAfterTheArnsOwnColons() {
        // given
        // when
        SecretsManagerRef ref = SecretsManagerRef.parse(ARN + ":secret_key:AWSPREVIOUS:v-1", Region.US_EAST_1);

        // then
        assertEquals(new SecretsManagerRef(ARN, Region.EU_WEST_1, "secret_key", "AWSPREVIOUS", "v-1"), ref);
    }

    @Test
    void parse_arnWithEmptyJsonKeyAndStage_keepsOnlyTheVersion() {
        // given
        // when
        SecretsManagerRef ref = SecretsManagerRef.parse(ARN + ":::v-1", Region.US_EAST_1);

        // then
        assertEquals(new SecretsManagerRef(ARN, Region.EU_WEST_1, null, null, "v-1"), ref);
    }

    @Test
    void parse_nameWithJsonKey_readsInTheStepsRegion() {
        // given
        // when
        SecretsManagerRef ref = SecretsManagerRef.parse("ci/aws:secret_key", Region.US_EAST_1);

        // then
        assertEquals(new SecretsManagerRef("ci/aws", Region.US_EAST_1, "secret_key", null, null), ref);
    }

    @Test
    void parse_plainName_isTheSecretId() {
        // given
        // when
        SecretsManagerRef ref = SecretsManagerRef.parse("ci/aws", Region.US_EAST_1);

        // then
        assertEquals(new SecretsManagerRef("ci/aws", Region.US_EAST_1, null, null, null), ref);
    }
}
