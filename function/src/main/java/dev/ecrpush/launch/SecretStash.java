package dev.ecrpush.launch;

import java.util.LinkedHashMap;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.SecretSource;

/**
 * Stores the secrets a payload carries inline (the OIDC token) as the SSM SecureStrings the plan names, because
 * CodeBuild and ECS take secrets only as references. The value goes into that one request and nowhere else
 * (no log line, result or error message).
 */
public final class SecretStash {
    private SecretStash() {
    }

    /**
     * @param ssm the function's own client in the region the build runs in: the build reads the parameters
     *            with its own role, in the function's account
     * @throws dev.ecrpush.error.LaunchFailedException when SSM refuses; the message carries the error code only
     */
    public static void store(Plan plan, SsmClient ssm) {
        // One parameter per name: the same token may back several variables.
        Map<String, SecretSource.Stashed> stashes = new LinkedHashMap<>();
        plan.env().secret().values().forEach(source -> {
            if (source instanceof SecretSource.Stashed stashed) {
                stashes.putIfAbsent(stashed.parameterName(), stashed);
            }
        });
        stashes.forEach((name, stashed) -> {
            try {
                // No tier: the account's default tier setting decides, so no Advanced-tier cost appears unasked.
                ssm.putParameter(r -> r.name(name).value(stashed.value().value())
                        .type(ParameterType.SECURE_STRING).overwrite(true));
            } catch (SdkException e) {
                throw AwsFailures.launchCarryingSecret(e, "ssm.PutParameter", "parameter " + name + " in "
                        + ssm.serviceClientConfiguration().region().id());
            }
        });
    }
}
