package dev.ecrpush.launch;

import java.util.function.BiFunction;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.error.ThrottledException;

/**
 * The registry and launch stages' messages for an SDK failure. Which exception it becomes is decided by
 * {@link AwsFailures#classify}, shared with the credentials stage, so a caller's {@code Retry}/{@code Catch}
 * sees the same type for the same cause whichever call failed.
 *
 * <p>Messages name the call and the resource ({@code ecr.CreateRepository failed for team/app in
 * 123456789012/us-east-1: AccessDeniedException: ...}). The SDK has already retried when this runs, so a
 * throttle or server error that is still there becomes {@link ThrottledException}.
 */
public final class AwsErrorMapping {
    private AwsErrorMapping() {
    }

    /** A failed ECR call: {@link RepositoryFailedException} unless transient or a refusal of the credentials. */
    public static BuildPushException repository(SdkException e, String call, String resource) {
        return map(e, call, resource, "", true, RepositoryFailedException::new);
    }

    /** As {@link #repository}, with {@code note} appended to the message (what was done about it). */
    public static BuildPushException repository(SdkException e, String call, String resource, String note) {
        return map(e, call, resource, note, true, RepositoryFailedException::new);
    }

    /** A failed CodeBuild or SSM call of the launch: {@link LaunchFailedException} unless transient. */
    public static BuildPushException launch(SdkException e, String call, String resource) {
        return map(e, call, resource, "", true, LaunchFailedException::new);
    }

    /**
     * As {@link #launch}, for a call whose request carried a secret value: AWS may quote request fields in its
     * error message, so only the error code is kept, and the SDK exception is not attached as the cause.
     */
    static BuildPushException launchCarryingSecret(SdkException e, String call, String resource) {
        return map(e, call, resource, "", false, (message, cause) -> new LaunchFailedException(message));
    }

    /** The AWS error code, or the exception's class name when AWS did not answer. */
    static String code(SdkException e) {
        if (e instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode();
        }
        return e.getClass().getSimpleName();
    }

    private static BuildPushException map(SdkException e, String call, String resource, String note,
            boolean quoteAws, BiFunction<String, Throwable, BuildPushException> failure) {
        String code = code(e);
        StringBuilder message = new StringBuilder(call).append(" failed for ").append(resource).append(": ").append(code);
        String detail = quoteAws ? detail(e) : null;
        if (detail != null && !detail.isBlank() && !detail.equals(code)) {
            message.append(": ").append(detail);
        }
        if (!note.isEmpty()) {
            message.append("; ").append(note);
        }
        Throwable cause = quoteAws ? e : null;
        return switch (AwsFailures.classify(e)) {
            case TRANSIENT -> new ThrottledException(message.append(" (still failing after the SDK's retries)").toString(), cause);
            case CREDENTIALS_REFUSED -> new CredentialsRefusedException(message.toString(), cause);
            case CLIENT -> new InternalErrorException(message.toString(), cause);
            case SERVICE -> failure.apply(message.toString(), cause);
        };
    }

    private static String detail(SdkException e) {
        if (e instanceof AwsServiceException service) {
            return service.awsErrorDetails() == null ? null : service.awsErrorDetails().errorMessage();
        }
        return e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
    }
}
