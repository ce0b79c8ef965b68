package dev.ecrpush.step;

import java.util.List;

/**
 * A valid step payload: everything the planner needs, connectors looked up, expressions resolved.
 * Nullable: {@code idempotencyKey}, {@code oidcToken}, {@code taskToken}, {@code baseImageConnector}.
 */
public record StepPayload(
        Mode mode,
        String idempotencyKey,
        Infra infra,
        ExecutorSpec executor,
        Codebase codebase,
        SecretText oidcToken,
        SecretText taskToken,
        BuildPushStep step,
        AwsConnector connector,
        DockerConnector baseImageConnector,
        List<Warning> warnings) {

    public StepPayload {
        warnings = List.copyOf(warnings);
    }
}
