package dev.ecrpush.aws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.ThrottledException;

/**
 * The one place where an SDK failure becomes one of the function's error types, so every stage tells a
 * caller the same thing for the same AWS answer. By the time an exception reaches this class the SDK's
 * STANDARD retries are spent:
 * <ul>
 *   <li>credentials that AWS refuses (any stage) are {@link CredentialsRefusedException};</li>
 *   <li>throttling, HTTP 429 and 5xx, and failures to reach AWS at all are {@link ThrottledException};</li>
 *   <li>any other service error is the stage's own failure;</li>
 *   <li>any other client-side failure is an {@link InternalErrorException}.</li>
 * </ul>
 * Messages name the operation and its subject (a role ARN, a secret reference), the AWS error code and
 * AWS's own explanation, and nothing the request carried.
 */
public final class AwsFailures {
    /**
     * STS error codes that no retry can fix: the role, its trust policy, the token or the signing keys must
     * change first. {@code IDPCommunicationError} is deliberately absent: the identity provider was
     * unreachable, which is transient.
     */
    public static final Set<String> NON_RETRYABLE_STS_ERROR_CODES = Set.of(
            "AccessDenied",
            "ExpiredToken",
            "IDPRejectedClaim",
            "InvalidClientTokenId",
            "InvalidIdentityToken",
            "MalformedPolicyDocument",
            "PackedPolicyTooLarge",
            "RegionDisabledException",
            "SignatureDoesNotMatch");

    /** What the other services answer when the signing credentials themselves are bad or expired. */
    public static final Set<String> REFUSED_CREDENTIALS_ERROR_CODES = Set.of(
            "AuthFailure",
            "ExpiredTokenException",
            "IncompleteSignature",
            "InvalidSignatureException",
            "MissingAuthenticationToken",
            "UnrecognizedClientException");

    /** Codes that mean "later", whatever their HTTP status. */
    static final Set<String> TRANSIENT_ERROR_CODES = Set.of(
            "IDPCommunicationError",
            "PriorRequestNotComplete",
            "RequestLimitExceeded",
            "RequestThrottled",
            "RequestThrottledException",
            "ServiceUnavailable",
            "SlowDown",
            "Throttling",
            "ThrottlingException",
            "TooManyRequestsException");

    private AwsFailures() {
    }

    /** What a failure means for the caller, whichever stage saw it. */
    public enum Kind {
        /** AWS refused the credentials, token or role: {@link CredentialsRefusedException}. */
        CREDENTIALS_REFUSED,
        /** Throttled, a 5xx, or AWS not reached, after the SDK's retries: {@link ThrottledException}. */
        TRANSIENT,
        /** Any other answer from the service: the stage's own exception. */
        SERVICE,
        /** A failure inside the SDK that reached no service: {@link InternalErrorException}. */
        CLIENT
    }

    /**
     * The one decision every stage shares. A call signed by an assumed role fails with STS's own error when
     * the role can no longer be assumed, so a non-transient STS error is a refusal whatever was called.
     */
    public static Kind classify(SdkException failure) {
        if (failure instanceof AwsServiceException service) {
            if (refusesCredentials(errorCode(service))) {
                return Kind.CREDENTIALS_REFUSED;
            }
            if (isTransient(service)) {
                return Kind.TRANSIENT;
            }
            boolean fromSts = service.awsErrorDetails() != null && "Sts".equals(service.awsErrorDetails().serviceName());
            return fromSts ? Kind.CREDENTIALS_REFUSED : Kind.SERVICE;
        }
        return failure instanceof SdkClientException && unreachable(failure) ? Kind.TRANSIENT : Kind.CLIENT;
    }

    /** Builds a stage's own exception (e.g. {@code RepositoryFailedException::new}). */
    @FunctionalInterface
    public interface StageFailure {
        BuildPushException create(String message, Throwable cause);
    }

    /**
     * The function's error for {@code failure}.
     *
     * @param operation what was called and on what, e.g. {@code "sts:AssumeRole for arn:aws:iam::1:role/r"}
     * @param stage     the stage's own exception for a service error that is neither refused credentials
     *                  nor transient
     */
    public static BuildPushException translate(SdkException failure, String operation, StageFailure stage) {
        String reason = failure instanceof AwsServiceException service ? reason(service) : failure.getMessage();
        return switch (classify(failure)) {
            case CREDENTIALS_REFUSED -> new CredentialsRefusedException(operation + " refused: " + reason, failure);
            case TRANSIENT -> failure instanceof AwsServiceException
                    ? new ThrottledException(operation + " still failing after the SDK's retries: " + reason, failure)
                    : new ThrottledException(operation + " could not reach AWS: " + reason, failure);
            case SERVICE -> stage.create(operation + " failed: " + reason, failure);
            case CLIENT -> new InternalErrorException(operation + " failed in the AWS SDK: " + reason, failure);
        };
    }

    private static String reason(AwsServiceException service) {
        String code = errorCode(service);
        String status = "HTTP " + service.statusCode();
        return (code.equals(status) ? status : code + " (" + status + ")") + awsMessage(service);
    }

    /** Whether {@code code} says the credentials, token or role are refused, whichever service said it. */
    public static boolean refusesCredentials(String code) {
        return NON_RETRYABLE_STS_ERROR_CODES.contains(code) || REFUSED_CREDENTIALS_ERROR_CODES.contains(code);
    }

    /** Throttling and server-side failures: a later attempt may succeed. */
    public static boolean isTransient(AwsServiceException failure) {
        int status = failure.statusCode();
        return status == 429 || status >= 500 || failure.isThrottlingException()
                || TRANSIENT_ERROR_CODES.contains(errorCode(failure));
    }

    /** The AWS error code, or {@code "HTTP <status>"} when the response had none. */
    public static String errorCode(AwsServiceException failure) {
        String code = failure.awsErrorDetails() == null ? null : failure.awsErrorDetails().errorCode();
        return code == null || code.isBlank() ? "HTTP " + failure.statusCode() : code;
    }

    private static String awsMessage(AwsServiceException failure) {
        String message = failure.awsErrorDetails() == null ? null : failure.awsErrorDetails().errorMessage();
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    private static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException
                    || t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
                return true;
            }
        }
        return false;
    }
}
