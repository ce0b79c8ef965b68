package dev.ecrpush.step;

import java.util.List;

/**
 * A valid step payload: everything the planner needs, connectors looked up, expressions resolved.
 * Nullable: {@code idempotencyKey}, {@code oidcToken}, {@code taskToken}, {@code baseImageConnector}.
 *
 * @param contentHash the SHA-256 of the payload's content as it was sent, without its task and OIDC tokens: what
 *                    its idempotency key is bound to
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
        List<Warning> warnings,
        String contentHash) {

    public StepPayload {
        warnings = List.copyOf(warnings);
    }

    /** The same payload pushing other tags; its content hash is the one sent, which its key stays bound to. */
    public StepPayload withTags(List<String> tags) {
        BuildPushStep withTags = new BuildPushStep(step.identifier(), step.name(), step.timeout(), step.spec().withTags(tags));
        return new StepPayload(mode, idempotencyKey, infra, executor, codebase, oidcToken, taskToken, withTags, connector,
                baseImageConnector, warnings, contentHash);
    }
}
