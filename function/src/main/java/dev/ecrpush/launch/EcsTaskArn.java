package dev.ecrpush.launch;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An ECS task ARN in the long format, which names the cluster: {@code arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID}. */
public record EcsTaskArn(String arn, String partition, String region, String account, String cluster, String taskId) {
    private static final Pattern ARN = Pattern.compile(
            "arn:(aws[a-z-]*):ecs:([a-z0-9-]+):(\\d{12}):task/([A-Za-z0-9_-]{1,255})/([A-Za-z0-9-]{1,64})");

    /** Whether {@code text} is a task ARN this function can look up. */
    public static boolean matches(String text) {
        return text != null && ARN.matcher(text).matches();
    }

    /** @throws IllegalArgumentException when {@code text} is not a long-format task ARN */
    public static EcsTaskArn parse(String text) {
        Matcher m = text == null ? null : ARN.matcher(text);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not an ECS task ARN (arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID): " + text);
        }
        return new EcsTaskArn(text, m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
    }
}
