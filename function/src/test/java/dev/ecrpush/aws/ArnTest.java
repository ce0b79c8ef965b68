package dev.ecrpush.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 11: one ARN rule, on {@link Partition}: every partition it knows, and no other. */
class ArnTest {
    @ParameterizedTest
    @ValueSource(strings = {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"})
    void role_inEveryKnownPartition_isARole(String partition) {
        Arn arn = Arn.role("arn:" + partition + ":iam::123456789012:role/ci/push");
        assertNotNull(arn);
        assertEquals(partition, arn.partition().id());
        assertEquals("123456789012", arn.account());
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws-moon:iam::123456789012:role/push", "arn:aws:iam::123456789012:user/push",
            "arn:aws:iam:us-east-1:123456789012:role/push", "arn:aws:iam::12345678901:role/push",
            "arn:aws:sts::123456789012:assumed-role/push/s", "arn:aws:iam::123456789012:role/", "role/push"})
    void role_otherArns_areNoRole(String text) {
        assertNull(Arn.role(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/key",
            "arn:aws-cn:secretsmanager:cn-north-1:111111111111:secret:ci/key-AbCdEf:password::",
            "arn:aws-iso-e:secretsmanager:eu-isoe-west-1:111111111111:secret:ci/key"})
    void secret_secretArns_withTheirSuffixes(String text) {
        assertNotNull(Arn.secret(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:secretsmanager::111111111111:secret:ci/key", "arn:aws:ssm:us-east-1:111111111111:parameter/x",
            "arn:aws:secretsmanager:us-east-1:111111111111:secret:a:b:c:d:e",
            "arn:aws-moon:secretsmanager:us-east-1:111111111111:secret:x"})
    void secret_otherArns_areNoSecret(String text) {
        assertNull(Arn.secret(text));
    }
}
