package dev.ecrpush.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.ecr.model.EcrException;
import software.amazon.awssdk.services.sts.model.StsException;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.error.ThrottledException;

/** The codes that mean "credentials refused", one at a time, and the paths the wire tests do not reach. */
class AwsFailuresStageTest {
    static Stream<String> credentialsRefusedCodes() {
        return java.util.stream.Stream.concat(dev.ecrpush.aws.AwsFailures.NON_RETRYABLE_STS_ERROR_CODES.stream(),
                dev.ecrpush.aws.AwsFailures.REFUSED_CREDENTIALS_ERROR_CODES.stream()).sorted();
    }

    @ParameterizedTest
    @MethodSource("credentialsRefusedCodes")
    void repository_credentialsRefusedCode_throwsCredentialsRefused(String code) {
        // given
        AwsServiceException e = ecr(code, 403);
        // when
        BuildPushException mapped = AwsFailures.repository(e, "ecr.CreateRepository", "app in 123456789012/us-east-1");
        // then
        assertInstanceOf(CredentialsRefusedException.class, mapped);
        assertEquals("ecr.CreateRepository failed for app in 123456789012/us-east-1: " + code + ": refused", mapped.getMessage());
    }

    @Test
    void repository_roleCannotBeAssumed_throwsCredentialsRefused() {
        // given
        AwsServiceException e = StsException.builder().statusCode(403).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("AccessDenied").serviceName("Sts").errorMessage("not authorized to perform: sts:AssumeRole").build()).build();
        // when
        BuildPushException mapped = AwsFailures.repository(e, "ecr.CreateRepository", "app in 123456789012/us-east-1");
        // then
        assertInstanceOf(CredentialsRefusedException.class, mapped);
    }

    @Test
    void launch_accessDenied_throwsPermissionDenied_asEveryStageDoes() {
        // given: issue 11: retryability from AWS's answer alone, whichever stage asked
        AwsServiceException e = ecr("AccessDeniedException", 400);
        // when
        BuildPushException launch = AwsFailures.launch(e, "codebuild.StartBuild", "project p in us-east-1");
        BuildPushException repository = AwsFailures.repository(e, "ecr.CreateRepository", "app in 1/us-east-1");
        BuildPushException table = AwsFailures.translate(e, "dynamodb:PutItem on t", dev.ecrpush.error.InternalErrorException::new);
        // then
        for (BuildPushException mapped : java.util.List.of(launch, repository, table)) {
            assertInstanceOf(dev.ecrpush.error.PermissionDeniedException.class, mapped);
            org.junit.jupiter.api.Assertions.assertFalse(mapped.retryable());
        }
    }

    @Test
    void repository_noAnswerAfterRetries_throwsThrottled() {
        // given
        SdkClientException e = SdkClientException.create("Unable to execute HTTP request", new IOException("Connection refused"));
        // when
        BuildPushException mapped = AwsFailures.repository(e, "ecr.CreateRepository", "app in 123456789012/us-east-1");
        // then
        assertInstanceOf(ThrottledException.class, mapped);
        assertEquals("ecr.CreateRepository failed for app in 123456789012/us-east-1: SdkClientException: Connection refused "
                + "(still failing after the SDK's retries)", mapped.getMessage());
    }

    @Test
    void repository_clientFailureNotIo_throwsInternalError() {
        // given
        SdkClientException e = SdkClientException.create("Unable to marshall request");
        // when
        BuildPushException mapped = AwsFailures.repository(e, "ecr.CreateRepository", "app in 123456789012/us-east-1");
        // then
        assertInstanceOf(InternalErrorException.class, mapped);
    }

    @Test
    void repository_otherServiceError_throwsRepositoryFailedWithCause() {
        // given
        AwsServiceException e = ecr("LimitExceededException", 400);
        // when
        BuildPushException mapped = AwsFailures.repository(e, "ecr.CreateRepository", "app in 123456789012/us-east-1");
        // then
        assertInstanceOf(RepositoryFailedException.class, mapped);
        assertEquals(e, mapped.getCause());
    }

    @Test
    void launchCarryingSecret_anyError_keepsOnlyTheCodeAndNoCause() {
        // given
        AwsServiceException e = ecr("ValidationException", 400);
        // when
        BuildPushException mapped = AwsFailures.launchCarryingSecret(e, "ssm.PutParameter", "parameter /p in us-east-1");
        // then
        assertEquals("ssm.PutParameter failed for parameter /p in us-east-1: ValidationException", mapped.getMessage());
        assertNull(mapped.getCause());
    }

    private static AwsServiceException ecr(String code, int status) {
        return EcrException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).serviceName("Ecr").errorMessage("refused").build()).build();
    }
}
