package dev.ecrpush.step;

import java.time.Duration;

/** The step as in a pipeline YAML; {@code timeout} is null when unset. */
public record BuildPushStep(String identifier, String name, Duration timeout, EcrSpec spec) {
}
