package dev.ecrpush.step;

/** A build secret: its id and where the build finds the value. */
public record DockerSecret(String id, Source source) {
    public sealed interface Source {
        /** The name of an environment variable the build already has. */
        record EnvName(String name) implements Source {
        }

        /** A file path inside the build. */
        record FilePath(String path) implements Source {
        }

        /** A secret the build receives as a reference. */
        record Reference(SecretRef ref) implements Source {
        }
    }
}
