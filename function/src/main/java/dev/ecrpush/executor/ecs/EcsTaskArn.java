package dev.ecrpush.executor.ecs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.ecrpush.aws.Arn;

/** An ECS task ARN in the long format, which names the cluster: {@code arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID}. */
public record EcsTaskArn(String arn, String partition, String region, String account, String cluster, String taskId) {
    private static final Pattern TASK = Pattern.compile("task/([A-Za-z0-9_-]{1,255})/([A-Za-z0-9-]{1,64})");

    /** Whether {@code text} is a task ARN this function can look up. */
    public static boolean matches(String text) {
        return from(text) != null;
    }

    /** @throws IllegalArgumentException when {@code text} is not a long-format task ARN */
    public static EcsTaskArn parse(String text) {
        EcsTaskArn task = from(text);
        if (task == null) {
            throw new IllegalArgumentException("not an ECS task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID): " + text);
        }
        return task;
    }

    private static EcsTaskArn from(String text) {
        Arn arn = Arn.parse(text);
        if (arn == null || !arn.service().equals("ecs") || arn.region().isEmpty()) {
            return null;
        }
        Matcher task = TASK.matcher(arn.resource());
        return task.matches()
                ? new EcsTaskArn(text, arn.partition().id(), arn.region(), arn.account(), task.group(1), task.group(2))
                : null;
    }
}
