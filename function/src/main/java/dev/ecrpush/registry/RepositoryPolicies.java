package dev.ecrpush.registry;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.plan.Plan.RepositoryPlan.Purpose;

/** The policy documents a new repository gets, built as JSON trees so that no value needs escaping by hand. */
final class RepositoryPolicies {
    /** What a build needs on the repository to push an image and to read layers back (cache, multi-stage). */
    static final String[] PUSH_PULL_ACTIONS = {
            "ecr:BatchCheckLayerAvailability", "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"};

    private static final ObjectMapper JSON = new ObjectMapper();

    private RepositoryPolicies() {
    }

    /**
     * Untagged images expire; a cache repository also keeps only its newest images. ECR requires a rule on
     * {@code tagStatus: any} to have the lowest precedence, hence its higher priority number.
     */
    static String lifecycle(Purpose purpose, RepositoryDefaults defaults) {
        ObjectNode policy = JSON.createObjectNode();
        ArrayNode rules = policy.putArray("rules");
        ObjectNode untagged = rules.addObject();
        untagged.put("rulePriority", 1);
        untagged.put("description", "Expire untagged images after " + defaults.untaggedExpiryDays() + " days");
        untagged.putObject("selection").put("tagStatus", "untagged").put("countType", "sinceImagePushed")
                .put("countUnit", "days").put("countNumber", defaults.untaggedExpiryDays());
        untagged.putObject("action").put("type", "expire");
        if (purpose == Purpose.CACHE) {
            ObjectNode newest = rules.addObject();
            newest.put("rulePriority", 2);
            newest.put("description", "Keep only the newest " + defaults.cacheImagesKept() + " cache images");
            newest.putObject("selection").put("tagStatus", "any").put("countType", "imageCountMoreThan")
                    .put("countNumber", defaults.cacheImagesKept());
            newest.putObject("action").put("type", "expire");
        }
        return policy.toString();
    }

    /**
     * Lets exactly {@code roleArns} push and pull, each named by its ARN (always a list, as ECR stores it).
     * {@code ecr:GetAuthorizationToken} cannot be granted here (it is not a repository action): the build role's
     * own IAM policy must allow it.
     *
     * @param roleArns exact IAM role ARNs, as {@link RepositoryDefaults#checkBuildRoles} admits them: never an
     *                 account's root, which would let in whoever that account's IAM allows
     */
    static String pushPull(List<String> roleArns) {
        ObjectNode policy = JSON.createObjectNode();
        policy.put("Version", "2012-10-17");
        ObjectNode statement = policy.putArray("Statement").addObject();
        statement.put("Sid", "BuildRolesPushPull");
        statement.put("Effect", "Allow");
        ArrayNode principals = statement.putObject("Principal").putArray("AWS");
        roleArns.forEach(principals::add);
        ArrayNode actions = statement.putArray("Action");
        for (String action : PUSH_PULL_ACTIONS) {
            actions.add(action);
        }
        return policy.toString();
    }
}
