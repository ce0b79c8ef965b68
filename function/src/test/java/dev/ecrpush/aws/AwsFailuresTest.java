package dev.ecrpush.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.error.ThrottledException;

class AwsFailuresTest {
    private static final String OPERATION = "ecr:CreateRepository for team/app";

    static Stream<String> nonRetryableStsCodes() {
        return AwsFailures.NON_RETRYABLE_STS_ERROR_CODES.stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("nonRetryableStsCodes")
    void translate_nonRetryableStsCode_isCredentialsRefusedInAnyStage(String code) {
        // given
        AwsServiceException failure = serviceError(403, code);

        // when
        BuildPushException translated = AwsFailures.translate(failure, OPERATION, RepositoryFailedException::new);

        // then
        assertInstanceOf(CredentialsRefusedException.class, translated);
        assertTrue(translated.getMessage().contains(OPERATION));
        assertTrue(translated.getMessage().contains(code));
    }

    @Test
    void nonRetryableStsCodes_communicationErrorWithTheIdentityProvider_isNotAmongThem() {
        // given
        // when
        BuildPushException translated = AwsFailures.translate(serviceError(400, "IDPCommunicationError"), OPERATION,
                RepositoryFailedException::new);

        // then
        assertFalse(AwsFailures.NON_RETRYABLE_STS_ERROR_CODES.contains("IDPCommunicationError"));
        assertInstanceOf(ThrottledException.class, translated);
    }

    static Stream<Arguments> transientFailures() {
        return Stream.of(
                Arguments.of(400, "Throttling"),
                Arguments.of(400, "ThrottlingException"),
                Arguments.of(429, "TooManyRequestsException"),
                Arguments.of(500, "InternalFailure"),
                Arguments.of(503, "ServiceUnavailable"),
                Arguments.of(502, null));
    }

    @ParameterizedTest
    @MethodSource("transientFailures")
    void translate_throttlingOrServerError_isThrottled(int status, String code) {
        // given
        AwsServiceException failure = serviceError(status, code);

        // when
        BuildPushException translated = AwsFailures.translate(failure, OPERATION, RepositoryFailedException::new);

        // then
        assertInstanceOf(ThrottledException.class, translated);
        assertTrue(translated.retryable());
        assertTrue(translated.getMessage().contains("HTTP " + status));
    }

    @Test
    void translate_otherServiceError_isTheStagesFailure() {
        // given
        AwsServiceException failure = serviceError(400, "InvalidParameterException");

        // when
        BuildPushException translated = AwsFailures.translate(failure, OPERATION, RepositoryFailedException::new);

        // then
        assertInstanceOf(RepositoryFailedException.class, translated);
        assertEquals(OPERATION + " failed: InvalidParameterException (HTTP 400): refused by the fake", translated.getMessage());
        assertEquals(failure, translated.getCause());
    }

    @Test
    void translate_connectionFailure_isThrottled() {
        // given
        SdkClientException failure = SdkClientException.builder().message("Unable to execute HTTP request: Connection refused")
                .cause(new ConnectException("Connection refused")).build();

        // when
        BuildPushException translated = AwsFailures.translate(failure, OPERATION, RepositoryFailedException::new);

        // then
        assertInstanceOf(ThrottledException.class, translated);
        assertTrue(translated.getMessage().contains("could not reach AWS"));
    }

    @Test
    void translate_clientFailureWithoutIo_isInternal() {
        // given
        SdkClientException failure = SdkClientException.create("Unable to load credentials from any of the providers in the chain");

        // when
        BuildPushException translated = AwsFailures.translate(failure, OPERATION, RepositoryFailedException::new);

        // then
        assertInstanceOf(InternalErrorException.class, translated);
    }

    @Test
    void translate_readTimeout_isThrottled() {
        // given
        SdkClientException failure = SdkClientException.builder().message("read timed out").cause(new IOException("timeout")).build();

        // when
        BuildPushException translated = AwsFailures.translate(failure, OPERATION, RepositoryFailedException::new);

        // then
        assertInstanceOf(ThrottledException.class, translated);
    }

    private static AwsServiceException serviceError(int status, String code) {
        return AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("refused by the fake").build())
                .build();
    }
}
