package dev.ecrpush.step;

import java.util.List;

/** How the AWS connector authenticates (the connector's {@code credential.type}). */
public sealed interface AwsCredential {
    /** Access keys: the key ID inline or as a secret, the secret key and session token always as secrets. */
    record Manual(Value accessKey, SecretRef secretKey, SecretRef sessionToken) implements AwsCredential {
    }

    /** The role of whatever runs the build (here: the CodeBuild service role or the ECS task role). */
    record InheritFromDelegate(List<String> delegateSelectors) implements AwsCredential {
        public InheritFromDelegate {
            delegateSelectors = List.copyOf(delegateSelectors);
        }
    }

    /** IAM roles for service accounts; here, as for InheritFromDelegate, the build's own role. */
    record Irsa(List<String> delegateSelectors) implements AwsCredential {
        public Irsa {
            delegateSelectors = List.copyOf(delegateSelectors);
        }
    }

    /** Web identity: the payload's OIDC token is exchanged for this role. */
    record Oidc(String iamRoleArn) implements AwsCredential {
    }

    /** A value that is given either inline or as a secret reference. */
    sealed interface Value {
        record Plain(String text) implements Value {
        }

        record Secret(SecretRef ref) implements Value {
        }
    }
}
