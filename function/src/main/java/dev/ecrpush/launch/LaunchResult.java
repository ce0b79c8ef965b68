package dev.ecrpush.launch;

/**
 * A started build, as the step result reports it (SPEC §5: {@code buildId}, {@code buildArn}, {@code logsUrl}).
 *
 * @param logsUrl where a person follows the build: the CloudWatch Logs deep link when CodeBuild already gives
 *                one, else the build's page in the CodeBuild console
 */
public record LaunchResult(String buildId, String buildArn, String logsUrl) {
}
