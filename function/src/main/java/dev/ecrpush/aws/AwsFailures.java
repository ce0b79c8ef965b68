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
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.PermissionDeniedException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.error.ThrottledException;

/**
 * The one place where an SDK failure becomes one of the function's error types, so every stage tells a
 * caller the same thing for the same AWS answer. By the time an exception reaches this class the SDK's
 * STANDARD retries are spent:
 * <ul>
 *   <li>credentials that AWS refuses (any stage) are {@link CredentialsRefusedException};</li>
 *   <li>a missing IAM permission (any stage) is {@link PermissionDeniedException};</li>
 *   <li>throttling, HTTP 429 and 5xx, and failures to reach AWS at all are {@link ThrottledException};</li>
 *   <li>any other service error is the stage's own failure;</li>
 *   <li>any other client-side failure is an {@link InternalErrorException}.</li>
 * </ul>
 * Retryability thus follows from AWS's answer alone. Messages name the operation and its subject (a role ARN, a
 * secret reference, a repository), the AWS error code and AWS's own explanation, and nothing the request carried.
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

    /** What any service answers when the signing role lacks a permission (STS's {@code AccessDenied} is a refusal above). */
    static final Set<String> PERMISSION_DENIED_ERROR_CODES = Set.of(
            "AccessDeniedException",
            "AuthorizationError",
            "AuthorizationErrorException",
            "UnauthorizedOperation");

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
        /** The signing role lacks a permission: {@link PermissionDeniedException}. */
        PERMISSION_DENIED,
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
            if (PERMISSION_DENIED_ERROR_CODES.contains(errorCode(service))) {
                return Kind.PERMISSION_DENIED;
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
            case PERMISSION_DENIED -> new PermissionDeniedException(operation + " failed: " + reason, failure);
            case TRANSIENT -> failure instanceof AwsServiceException
                    ? new ThrottledException(operation + " still failing after the SDK's retries: " + reason, failure)
                    : new ThrottledException(operation + " could not reach AWS: " + reason, failure);
            case SERVICE -> stage.create(operation + " failed: " + reason, failure);
            case CLIENT -> new InternalErrorException(operation + " failed in the AWS SDK: " + reason, failure);
        };
    }

    /** A failed ECR call of the registry stage: {@link RepositoryFailedException} for a service's own refusal. */
    public static BuildPushException repository(SdkException e, String call, String resource) {
        return translate(e, call, resource, "", true, RepositoryFailedException::new);
    }

    /** As {@link #repository}, with {@code note} appended to the message (what was done about it). */
    public static BuildPushException repository(SdkException e, String call, String resource, String note) {
        return translate(e, call, resource, note, true, RepositoryFailedException::new);
    }

    /** A failed call of the launch stage (CodeBuild, ECS, SSM): {@link LaunchFailedException} for a service's own refusal. */
    public static BuildPushException launch(SdkException e, String call, String resource) {
        return translate(e, call, resource, "", true, LaunchFailedException::new);
    }

    /**
     * As {@link #launch}, for a call whose request carried a secret value: AWS may quote request fields in its
     * error message, so only the error code is kept, and the SDK exception is not attached as the cause.
     */
    public static BuildPushException launchCarryingSecret(SdkException e, String call, String resource) {
        return translate(e, call, resource, "", false, (message, cause) -> new LaunchFailedException(message));
    }

    /**
     * The registry and launch stages' form: {@code ecr.CreateRepository failed for team/app in
     * 123456789012/us-east-1: AccessDeniedException: ...}, the type decided by {@link #classify} as everywhere.
     */
    private static BuildPushException translate(SdkException e, String call, String resource, String note,
            boolean quoteAws, StageFailure stage) {
        String code = e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null ? service.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
        StringBuilder message = new StringBuilder(call).append(" failed for ").append(resource).append(": ").append(code);
        String detail = quoteAws ? detail(e) : null;
        if (detail != null && !detail.isBlank() && !detail.equals(code)) {
            message.append(": ").append(detail);
        }
        if (!note.isEmpty()) {
            message.append("; ").append(note);
        }
        Throwable cause = quoteAws ? e : null;
        return switch (classify(e)) {
            case TRANSIENT -> new ThrottledException(message.append(" (still failing after the SDK's retries)").toString(), cause);
            case CREDENTIALS_REFUSED -> new CredentialsRefusedException(message.toString(), cause);
            case PERMISSION_DENIED -> new PermissionDeniedException(message.toString(), cause);
            case CLIENT -> new InternalErrorException(message.toString(), cause);
            case SERVICE -> stage.create(message.toString(), cause);
        };
    }

    private static String detail(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
        }
        return e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
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
