package dev.ecrpush.executor.ecs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ClientException;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionStatus;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.result.SdkJson;

/**
 * The task definition revision a plan needs: an active revision of the plan's family whose content tag
 * matches and whose content, as ECS describes it, is what the plan would register is reused; otherwise one is
 * registered. The family is named after the content, so builds with the same secrets, images, user and roles
 * share a revision. Neither the family nor the tag proves anything: anyone who may register a task definition
 * can use the family, and anyone with {@code ecs:TagResource} can set the tag, so a revision is only reused after
 * comparing every member the plan's registration has (containers, images, commands, environment, secrets, mounts,
 * logs, roles, size, network mode, volumes) and finding nothing else set (no privileged container, no extra
 * container, no other member at all).
 */
public final class TaskDefinitions {
    /**
     * Revisions known to exist, by content hash, kept across warm invocations so a known revision costs no
     * call. Thread-safe.
     */
    public static final class Known {
        private final Map<String, String> revisions = new ConcurrentHashMap<>();
    }

    private static final Logger LOG = Logger.getLogger(TaskDefinitions.class);
    /** The members a registration sets (as on the wire): all of the request's but the family and the tags. */
    private static final List<String> REGISTERED = RegisterTaskDefinitionRequest.builder().build().sdkFields().stream()
            .map(SdkField::locationName).filter(name -> !name.equals("family") && !name.equals("tags")).toList();

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
     * The latest active revision of the family when its content tag and its content match, else null. Read-only.
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
        boolean tagged = response.tags().stream()
                .anyMatch(tag -> EcsTaskLayout.CONTENT_TAG.equals(tag.key()) && hash.equals(tag.value()));
        TaskDefinition found = response.taskDefinition();
        boolean active = found != null && found.status() == TaskDefinitionStatus.ACTIVE;
        if (!tagged || !active) {
            return null;
        }
        if (!content(SdkJson.toJson(found)).equals(content(SdkJson.toJson(wanted)))) {
            LOG.warnf("task definition %s carries the content tag of family %s but not its content; registering a new revision",
                    found.taskDefinitionArn(), wanted.family());
            return null;
        }
        return found.taskDefinitionArn();
    }

    /**
     * What a registration sets, as comparable JSON: the members of a {@code RegisterTaskDefinition} request but
     * its family and tags, read from a request or from a described definition alike. What ECS adds when it
     * describes a definition is left out: its own members (ARN, revision, status, compatibilities, ...) and the
     * values it fills in for members left unset (empty lists and objects, a container's {@code cpu} 0, fault
     * injection off). Environment variables and secrets are compared by name, in any order.
     */
    static ObjectNode content(ObjectNode definition) {
        ObjectNode content = JsonNodeFactory.instance.objectNode();
        REGISTERED.forEach(member -> {
            JsonNode value = normalized(definition.get(member));
            if (value != null) {
                content.set(member, value);
            }
        });
        if (content.path("enableFaultInjection").isBoolean() && !content.get("enableFaultInjection").asBoolean()) {
            content.remove("enableFaultInjection");
        }
        content.path("containerDefinitions").forEach(container -> {
            ObjectNode object = (ObjectNode) container;
            if (object.path("cpu").isNumber() && object.get("cpu").asInt() == 0) {
                object.remove("cpu");
            }
            // A mount ECS describes as readOnly false is the writable mount the plan registers without the member.
            object.path("mountPoints").forEach(mount -> {
                if (mount.path("readOnly").isBoolean() && !mount.get("readOnly").asBoolean()) {
                    ((ObjectNode) mount).remove("readOnly");
                }
            });
            sortByName(object, "environment");
            sortByName(object, "secrets");
        });
        return content;
    }

    /** Null for nothing (null, an empty list or object, recursively), else a copy without such members. */
    private static JsonNode normalized(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isObject()) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            value.fields().forEachRemaining(member -> {
                JsonNode inner = normalized(member.getValue());
                if (inner != null) {
                    copy.set(member.getKey(), inner);
                }
            });
            return copy.isEmpty() ? null : copy;
        }
        if (value.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            value.forEach(element -> {
                JsonNode inner = normalized(element);
                copy.add(inner == null ? JsonNodeFactory.instance.objectNode() : inner);
            });
            return copy.isEmpty() ? null : copy;
        }
        return value;
    }

    private static void sortByName(ObjectNode container, String member) {
        if (container.get(member) instanceof ArrayNode list) {
            List<JsonNode> sorted = new ArrayList<>();
            list.forEach(sorted::add);
            sorted.sort(Comparator.comparing(element -> element.path("name").asText()));
            list.removeAll();
            list.addAll(sorted);
        }
    }

    private static String contentHash(RegisterTaskDefinitionRequest wanted) {
        return wanted.tags().stream().filter(tag -> EcsTaskLayout.CONTENT_TAG.equals(tag.key())).map(tag -> tag.value())
                .findFirst().orElseThrow(() -> new IllegalArgumentException("the task definition carries no content tag"));
    }

    private String region() {
        return ecs.serviceClientConfiguration().region().id();
    }
}
