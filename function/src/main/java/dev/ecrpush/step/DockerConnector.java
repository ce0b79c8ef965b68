package dev.ecrpush.step;

/** A Docker registry connector used to pull base images with authentication. */
public record DockerConnector(String ref, String registryUrl, Auth auth) {
    public sealed interface Auth {
        record Anonymous() implements Auth {
        }

        record UsernamePassword(AwsCredential.Value username, SecretRef password) implements Auth {
        }
    }
}
