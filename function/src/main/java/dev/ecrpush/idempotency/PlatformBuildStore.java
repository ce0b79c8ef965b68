package dev.ecrpush.idempotency;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.SecretRef;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * The builds of a multi-platform step (docs/executors.md, "Platforms"): one item {@code build#platforms#<build ID>}
 * per platform's build, under the table's own {@value IdempotencyTable#BUILD_PREFIX} prefix, which no payload's key
 * may take, each naming the whole group, so that any one build's state-change event or status request finds the
 * others and the index to write. Written by the run once every build has started; what it keeps is what the run
 * planned and was held to the policy with (the target, the tags, how the function signs into the target: secret
 * references and role ARNs, never a secret value); a state-change event chooses nothing but which build it is about.
 */
public final class PlatformBuildStore {
    static final String PREFIX = IdempotencyTable.BUILD_PREFIX + "platforms#";
    static final String GROUP = "group";
    static final String INDEX = "indexDigest";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IdempotencyTable table;

    public PlatformBuildStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * A multi-platform step's builds.
     *
     * @param id          the group's name: the first platform's build ID, which the run answers as its {@code buildId}
     * @param indexDigest the index's digest once written under every tag; null before
     */
    public record Group(String id, List<Member> members, Target target, String indexDigest) {
        public Group {
            members = List.copyOf(members);
        }

        public Group withIndex(String digest) {
            return new Group(id, members, target, digest);
        }
    }

    /** One platform's build and the tag it pushes. */
    public record Member(Platform platform, String buildId, String tag) {
    }

    /**
     * Where the index goes and how the function signs there.
     *
     * @param credentials never a web identity: its token is the caller's, good for the start only
     */
    public record Target(String account, String region, String repository, List<String> tags, CredentialsPlan credentials) {
        public Target {
            tags = List.copyOf(tags);
            if (credentials.base() instanceof CredentialsPlan.Base.WebIdentity) {
                throw new IllegalArgumentException("a web identity's token is never kept");
            }
        }
    }

    /** Records the group under each of its builds, for as long as a run is remembered. */
    public void remember(Group group) {
        String body = write(group);
        for (Member member : group.members()) {
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(KEY, s(PREFIX + member.buildId()));
            item.put(GROUP, s(body));
            item.put(EXPIRES_AT, n(Instant.now(table.clock()).plus(table.ttl()).getEpochSecond()));
            try {
                table.client().putItem(r -> r.tableName(table.name()).item(item));
            } catch (SdkException e) {
                throw failure(e, "dynamodb.PutItem", member.buildId());
            }
        }
    }

    /** The group a build belongs to, or null when it is a build of one platform (or its record expired). */
    public Group find(String buildId) {
        Map<String, AttributeValue> item;
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(PREFIX + buildId))).consistentRead(true));
            item = response.hasItem() ? response.item() : Map.of();
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", buildId);
        }
        if (!item.containsKey(GROUP)) {
            return null;
        }
        Group group = read(item.get(GROUP).s(), buildId);
        return item.containsKey(INDEX) ? group.withIndex(item.get(INDEX).s()) : group;
    }

    /** Remembers that the index is written, on every build's item, so later questions cost no ECR call. */
    public void indexWritten(Group group, String digest) {
        for (Member member : group.members()) {
            try {
                table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(PREFIX + member.buildId())))
                        .updateExpression("SET #index = :index").conditionExpression("attribute_exists(#group)")
                        .expressionAttributeNames(Map.of("#index", INDEX, "#group", GROUP))
                        .expressionAttributeValues(Map.of(":index", s(digest))));
            } catch (ConditionalCheckFailedException expired) {
                // The record expired meanwhile: nothing to remember it on.
            } catch (SdkException e) {
                throw failure(e, "dynamodb.UpdateItem", member.buildId());
            }
        }
    }

    static String write(Group group) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("id", group.id());
        ArrayNode members = node.putArray("members");
        group.members().forEach(m -> members.addObject().put("platform", m.platform().wire()).put("buildId", m.buildId())
                .put("tag", m.tag()));
        Target target = group.target();
        ObjectNode t = node.putObject("target");
        t.put("account", target.account()).put("region", target.region()).put("repository", target.repository());
        ArrayNode tags = t.putArray("tags");
        target.tags().forEach(tags::add);
        t.set("credentials", credentials(target.credentials()));
        return node.toString();
    }

    static Group read(String body, String buildId) {
        try {
            JsonNode node = JSON.readTree(body);
            List<Member> members = new ArrayList<>();
            for (JsonNode m : node.path("members")) {
                Platform platform = Platform.parse(m.path("platform").asText());
                if (platform == null) {
                    throw new IOException("unknown platform " + m.path("platform"));
                }
                members.add(new Member(platform, m.path("buildId").asText(), m.path("tag").asText()));
            }
            JsonNode t = node.path("target");
            List<String> tags = new ArrayList<>();
            t.path("tags").forEach(tag -> tags.add(tag.asText()));
            return new Group(node.path("id").asText(), members, new Target(t.path("account").asText(), t.path("region").asText(),
                    t.path("repository").asText(), tags, credentials(t.path("credentials"))), null);
        } catch (IOException | RuntimeException e) {
            throw new InternalErrorException("the platform builds recorded for " + buildId + " cannot be read: " + e.getMessage());
        }
    }

    static ObjectNode credentials(CredentialsPlan plan) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (plan.base() instanceof CredentialsPlan.Base.StaticKeys keys) {
            node.put("base", "StaticKeys");
            if (keys.accessKey() instanceof AwsCredential.Value.Plain plain) {
                node.put("accessKey", plain.text());
            } else if (keys.accessKey() instanceof AwsCredential.Value.Secret secret) {
                ref(node, "accessKeyRef", secret.ref());
            }
            ref(node, "secretKeyRef", keys.secretKey());
            if (keys.sessionToken() != null) {
                ref(node, "sessionTokenRef", keys.sessionToken());
            }
        } else {
            node.put("base", "FunctionRole");
        }
        if (plan.assumeRole() != null) {
            ObjectNode assume = node.putObject("assumeRole");
            assume.put("roleArn", plan.assumeRole().roleArn()).put("sessionName", plan.assumeRole().sessionName());
            if (plan.assumeRole().externalId() != null) {
                assume.put("externalId", plan.assumeRole().externalId());
            }
        }
        return node;
    }

    private static void ref(ObjectNode node, String field, SecretRef ref) {
        node.putObject(field).put("value", ref.value()).put("store", ref.store().name());
    }

    private static SecretRef ref(JsonNode node) {
        return node.isObject() ? new SecretRef(node.path("value").asText(), SecretRef.Store.valueOf(node.path("store").asText()))
                : null;
    }

    static CredentialsPlan credentials(JsonNode node) {
        CredentialsPlan.Base base;
        if ("StaticKeys".equals(node.path("base").asText())) {
            AwsCredential.Value accessKey = node.has("accessKey") ? new AwsCredential.Value.Plain(node.path("accessKey").asText())
                    : new AwsCredential.Value.Secret(ref(node.path("accessKeyRef")));
            base = new CredentialsPlan.Base.StaticKeys(accessKey, ref(node.path("secretKeyRef")), ref(node.path("sessionTokenRef")));
        } else {
            base = new CredentialsPlan.Base.FunctionRole();
        }
        JsonNode assume = node.path("assumeRole");
        return new CredentialsPlan(base, assume.isObject() ? new CredentialsPlan.AssumeRole(assume.path("roleArn").asText(),
                assume.hasNonNull("externalId") ? assume.path("externalId").asText() : null, assume.path("sessionName").asText())
                : null);
    }

    private RuntimeException failure(SdkException e, String operation, String buildId) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + PREFIX + buildId,
                InternalErrorException::new);
    }
}
