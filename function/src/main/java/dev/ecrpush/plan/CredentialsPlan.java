package dev.ecrpush.plan;

import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.SecretText;

/**
 * How the function itself signs its calls into the target account (repository preparation): a base
 * identity, then optionally a cross-account role. The build gets its own credentials from the plugin env.
 *
 * @param assumeRole nullable
 */
public record CredentialsPlan(Base base, AssumeRole assumeRole) {
    public sealed interface Base {
        /** The function's own execution role (InheritFromDelegate, Irsa). */
        record FunctionRole() implements Base {
        }

        /** Access keys read from their secrets; the session token too when given (nullable). */
        record StaticKeys(AwsCredential.Value accessKey, SecretRef secretKey, SecretRef sessionToken) implements Base {
        }

        /** {@code AssumeRoleWithWebIdentity} with the payload's token. */
        record WebIdentity(String roleArn, SecretText token, String sessionName) implements Base {
        }
    }

    /** {@code AssumeRole} on top of the base, with the external ID when set (nullable). */
    public record AssumeRole(String roleArn, String externalId, String sessionName) {
    }
}
