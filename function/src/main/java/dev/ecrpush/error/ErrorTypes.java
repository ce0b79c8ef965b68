package dev.ecrpush.error;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Rebuilds a typed exception from its wire form ({@code errorType} + message), so the Lambda edge can
 * throw the same class the application raised and Lambda reports it as the invocation's error type.
 */
public final class ErrorTypes {
    private static final Map<String, Function<String, BuildPushException>> BY_NAME = Map.of(
            PermissionDeniedException.class.getSimpleName(), PermissionDeniedException::new,
            NotAllowedException.class.getSimpleName(), NotAllowedException::new,
            RunInProgressException.class.getSimpleName(), RunInProgressException::new,
            InvalidStepException.class.getSimpleName(),
            message -> new InvalidStepException(List.of(message.split("\n", -1))),
            CredentialsRefusedException.class.getSimpleName(), CredentialsRefusedException::new,
            RepositoryFailedException.class.getSimpleName(), RepositoryFailedException::new,
            LaunchFailedException.class.getSimpleName(), LaunchFailedException::new,
            ThrottledException.class.getSimpleName(), ThrottledException::new,
            InternalErrorException.class.getSimpleName(), InternalErrorException::new,
            TagExistsException.class.getSimpleName(), TagExistsException::new);

    private ErrorTypes() {
    }

    /** The exception named by {@code errorType}; an unknown name becomes an {@link InternalErrorException}. */
    public static BuildPushException fromWire(String errorType, String message) {
        Function<String, BuildPushException> factory = errorType == null ? null : BY_NAME.get(errorType);
        if (factory == null) {
            return new InternalErrorException(message == null ? "internal error" : message);
        }
        return factory.apply(message == null ? "" : message);
    }
}
