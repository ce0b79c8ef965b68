package dev.ecrpush.aws;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An ARN taken apart, its partition one {@link Partition} knows: the one rule for every ARN the function reads
 * (roles, secrets, CodeBuild projects, ECS tasks), so no two places disagree on which partitions exist.
 *
 * @param region   empty for a global service (IAM)
 * @param resource everything after the account, colons included (a secret's JSON-key suffixes, say)
 */
public record Arn(Partition partition, String service, String region, String account, String resource) {
    private static final Pattern ARN = Pattern.compile("arn:([a-z-]+):([a-z0-9-]+):([a-z0-9-]*):(\\d{12}):(.+)", Pattern.DOTALL);
    /** IAM's role path and name characters, at most 512 of them. */
    private static final Pattern ROLE = Pattern.compile("role/[\\w+=,.@/-]{1,512}");
    /** A secret's name, then at most {@code :json-key:version-stage:version-id}. */
    private static final Pattern SECRET = Pattern.compile("secret:[A-Za-z0-9/_+=.@-]+(:[^:]*){0,3}");

    /** {@code text} taken apart; null when it is no ARN, or names a partition this table does not know. */
    public static Arn parse(String text) {
        Matcher m = text == null ? null : ARN.matcher(text);
        if (m == null || !m.matches()) {
            return null;
        }
        Partition partition = Partition.byId(m.group(1));
        return partition == null ? null : new Arn(partition, m.group(2), m.group(3), m.group(4), m.group(5));
    }

    /** {@code arn:PARTITION:iam::ACCOUNT:role/PATH/NAME}; null when {@code text} is not one. */
    public static Arn role(String text) {
        Arn arn = parse(text);
        return arn != null && arn.service.equals("iam") && arn.region.isEmpty() && ROLE.matcher(arn.resource).matches() ? arn : null;
    }

    /**
     * {@code arn:PARTITION:secretsmanager:REGION:ACCOUNT:secret:NAME}, optionally with the
     * {@code :json-key:version-stage:version-id} CodeBuild takes; null when {@code text} is not one.
     */
    public static Arn secret(String text) {
        Arn arn = parse(text);
        return arn != null && arn.service.equals("secretsmanager") && !arn.region.isEmpty()
                && SECRET.matcher(arn.resource).matches() ? arn : null;
    }
}
