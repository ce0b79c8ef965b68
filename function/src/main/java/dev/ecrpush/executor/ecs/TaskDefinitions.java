package dev.ecrpush.executor.ecs;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

import dev.ecrpush.aws.AwsFailures;


/**
 * The task definition revision a plan needs: an active revision of the plan's family whose content tag
 * matches is reused, and one is registered only when there is none. The family is named after the content,
 * so builds with the same secrets, images, user and roles share a revision; the tag guards against a revision
 * someone registered by hand under that name.
 */
public final class TaskDefinitions {
    /**
     * Revisions known to exist, by content hash, kept across warm invocations so a known revision costs no
     * call. Thread-safe.
     */
    public static final class Known {
        private final Map<String, String> revisions = new ConcurrentHashMap<>();
    }

    private final EcsClient ecs;
    private final Known known;

    /**
     * @param ecs   the function's own client, in the region the tasks run in
     * @param known the revisions known to exist; shared by the invocations of one container
     */
    public TaskDefinitions(EcsClient ecs, Known known) {
        this.ecs = ecs;
        this.known = known;
    }

    /**
     * The ARN of the revision to run ({@code family:revision}), registering it when needed.
     *
     * @throws dev.ecrpush.error.LaunchFailedException when ECS refuses the definition (e.g. a role it may not pass)
     */
    public String ensure(RegisterTaskDefinitionRequest wanted) {
        String hash = contentHash(wanted);
        String cached = known.revisions.get(hash);
        if (cached != null) {
            return cached;
        }
        String arn = find(wanted);
        if (arn == null) {
            try {
                arn = ecs.registerTaskDefinition(wanted).taskDefinition().taskDefinitionArn();
            } catch (SdkException e) {
                throw AwsFailures.launch(e, "ecs.RegisterTaskDefinition", "family " + wanted.family() + " in " + region());
            }
        }
        known.revisions.put(hash, arn);
        return arn;
    }

    /** Forgets a revision, e.g. after ECS refused to run it: the next launch looks it up again. */
    public void forget(RegisterTaskDefinitionRequest wanted) {
        known.revisions.remove(contentHash(wanted));
    }

    /**
     * The latest active revision of the family when its content tag matches, else null. Read-only.
     *
     * @throws dev.ecrpush.error.LaunchFailedException when ECS refuses the look-up
     */
    public String find(RegisterTaskDefinitionRequest wanted) {
        DescribeTaskDefinitionResponse response;
        try {
            response = ecs.describeTaskDefinition(r -> r.taskDefinition(wanted.family()).include(TaskDefinitionField.TAGS));
        } catch (ClientException e) {
            // ECS's answer for a family that has no active revision ("Unable to describe task definition").
            return null;
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "ecs.DescribeTaskDefinition", "family " + wanted.family() + " in " + region());
        }
        String hash = contentHash(wanted);
        boolean sameContent = response.tags().stream()
                .anyMatch(tag -> EcsTaskLayout.CONTENT_TAG.equals(tag.key()) && hash.equals(tag.value()));
        boolean active = response.taskDefinition() != null && response.taskDefinition().status() == TaskDefinitionStatus.ACTIVE;
        return sameContent && active ? response.taskDefinition().taskDefinitionArn() : null;
    }

    private static String contentHash(RegisterTaskDefinitionRequest wanted) {
        return wanted.tags().stream().filter(tag -> EcsTaskLayout.CONTENT_TAG.equals(tag.key())).map(tag -> tag.value())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("the task definition carries no content tag"));
    }

    private String region() {
        return ecs.serviceClientConfiguration().region().id();
    }
}
