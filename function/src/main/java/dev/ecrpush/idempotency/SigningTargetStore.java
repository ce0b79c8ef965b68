package dev.ecrpush.idempotency;

import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.plan.CredentialsPlan;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * Where a build of one platform pushed, and how the function signs in there, so that its status request and its
 * completion can ask ECR for the pushed image's signing status (docs/signing.md): a status request names the build
 * alone. One item {@code build#signing#<build ID>} under the table's own {@value IdempotencyTable#BUILD_PREFIX} prefix,
 * which no payload's key may take, written by the run that started the build and kept as long as a run is remembered.
 * It keeps what the run planned and was held to the policy with (secret references and role ARNs, never a secret
 * value); a multi-platform build needs none, its group keeps the same ({@link PlatformBuildStore}).
 */
public final class SigningTargetStore {
    static final String PREFIX = IdempotencyTable.BUILD_PREFIX + "signing#";
    static final String TARGET = "target";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final IdempotencyTable table;

    public SigningTargetStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * The target registry of a build.
     *
     * @param credentials never a web identity: its token is the caller's, good for the start only
     */
    public record Target(String account, String region, String repository, CredentialsPlan credentials) {
        public Target {
            if (credentials.base() instanceof CredentialsPlan.Base.WebIdentity) {
                throw new IllegalArgumentException("a web identity's token is never kept");
            }
        }
    }

    public void remember(String buildId, Target target) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("account", target.account()).put("region", target.region())
                .put("repository", target.repository());
        body.set("credentials", PlatformBuildStore.credentials(target.credentials()));
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(PREFIX + buildId));
        item.put(TARGET, s(body.toString()));
        item.put(EXPIRES_AT, n(Instant.now(table.clock()).plus(table.ttl()).getEpochSecond()));
        try {
            table.client().putItem(r -> r.tableName(table.name()).item(item));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.PutItem", buildId);
        }
    }

    /** The target recorded for {@code buildId}; null when none was (a build started without signing, or expired). */
    public Target find(String buildId) {
        Map<String, AttributeValue> item;
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(PREFIX + buildId))).consistentRead(true));
            item = response.hasItem() ? response.item() : Map.of();
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", buildId);
        }
        if (!item.containsKey(TARGET)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(item.get(TARGET).s());
            return new Target(node.path("account").asText(), node.path("region").asText(), node.path("repository").asText(),
                    PlatformBuildStore.credentials(node.path("credentials")));
        } catch (IOException | RuntimeException e) {
            throw new InternalErrorException("the signing target recorded for " + buildId + " cannot be read: " + e.getMessage());
        }
    }

    private RuntimeException failure(SdkException e, String operation, String buildId) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + PREFIX + buildId,
                InternalErrorException::new);
    }
}
