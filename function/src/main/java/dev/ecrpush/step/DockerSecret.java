package dev.ecrpush.step;

import java.util.Locale;

/** A build secret: its id and where the build finds the value. */
public record DockerSecret(String id, Source source) {
    /**
     * The variable a secret given by reference arrives in: {@code DOCKER_SECRET_} and the id upper-cased, each
     * character other than a letter or digit as {@code _}. Decided here, where ids are validated, so that the
     * parser can refuse two ids that would share a variable.
     */
    public static String variable(String id) {
        return "DOCKER_SECRET_" + id.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

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
