package dev.ecrpush.launch;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import dev.ecrpush.aws.Partition;

/** Console addresses for a build; each partition has its own console host. */
public final class ConsoleLinks {
    private static final Map<String, String> CONSOLE_HOSTS = Map.of(
            "aws", "console.aws.amazon.com",
            "aws-cn", "console.amazonaws.cn",
            "aws-us-gov", "console.amazonaws-us-gov.com");

    private ConsoleLinks() {
    }

    /** The build's page in the CodeBuild console; the region travels as a parameter, which every console honours. */
    public static String codeBuild(String region, String buildId) {
        String partition = Partition.of(region).id();
        String host = CONSOLE_HOSTS.getOrDefault(partition, CONSOLE_HOSTS.get("aws"));
        String project = buildId.substring(0, Math.max(0, buildId.indexOf(':')));
        return "https://" + host + "/codesuite/codebuild/projects/" + encode(project) + "/build/" + encode(buildId)
                + "/?region=" + region;
    }

    /** The task's logs in the ECS console, which shows every container's CloudWatch stream. */
    public static String ecsTask(String region, String cluster, String taskId) {
        String partition = Partition.of(region).id();
        String host = CONSOLE_HOSTS.getOrDefault(partition, CONSOLE_HOSTS.get("aws"));
        return "https://" + host + "/ecs/v2/clusters/" + encode(cluster) + "/tasks/" + encode(taskId)
                + "/logs?region=" + region;
    }

    /** The region of a CodeBuild ARN ({@code arn:PARTITION:codebuild:REGION:ACCOUNT:build/ID}), or null. */
    public static String regionOf(String arn) {
        if (arn == null) {
            return null;
        }
        String[] parts = arn.split(":", 6);
        return parts.length == 6 && !parts[3].isEmpty() ? parts[3] : null;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
