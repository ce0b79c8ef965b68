package dev.ecrpush.step;

import java.util.Objects;

/** A secret value the payload carries inline (the OIDC token). It never prints itself. */
public record SecretText(String value) {
    public SecretText {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "****";
    }
}
