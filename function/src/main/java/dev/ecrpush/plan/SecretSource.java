package dev.ecrpush.plan;

import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.SecretText;

/** Where a secret variable's value comes from when the build starts. */
public sealed interface SecretSource {
    /** What the plan shows: the reference, or a mask for a value that has no reference yet. */
    String display();

    /** A secret the user keeps in Secrets Manager or SSM. */
    record Reference(SecretRef ref) implements SecretSource {
        @Override
        public String display() {
            return ref.value();
        }
    }

    /**
     * A secret the payload carries inline (the OIDC token): before the build starts it is stored as the SSM
     * SecureString {@code parameterName}, so that the build, too, only ever receives a reference.
     */
    record Stashed(SecretText value, String parameterName) implements SecretSource {
        @Override
        public String display() {
            return "****";
        }
    }
}
