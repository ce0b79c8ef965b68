package dev.ecrpush.step;

import java.util.List;
import java.util.function.Function;

/**
 * What an executor's rules ({@link ExecutorSpec#check}) may look at, and where they report.
 *
 * @param infraText     the infra as the payload wrote it, for messages
 * @param connector     null when it could not be read
 * @param baseImage     null when the step has none
 * @param connectorPath where a connector ({@code ref}) is read from, e.g. {@code connectors.aws}
 * @param platforms     {@code step.spec.platforms} (empty for none); null when the spec could not be read
 */
public record StepCheck(Infra infra, String infraText, Codebase codebase, AwsConnector connector, DockerConnector baseImage,
        Function<String, String> connectorPath, Problems problems, List<Platform> platforms) {
}
