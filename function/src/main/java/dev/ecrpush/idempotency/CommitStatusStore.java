package dev.ecrpush.idempotency;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * The commit status a build reports to its Git host (docs/triggers.md, "Commit statuses"): {@code
 * build#status#<build ID>}, under the table's own {@value IdempotencyTable#BUILD_PREFIX} prefix, which no payload's
 * key may take. Written when the build has started and its {@code pending} status is sent, read when its state-change
 * event comes, so that the end is reported on the same commit, under the same context, with the same link. Only what
 * the signed delivery gave is kept; a state-change event chooses nothing but which build it is about.
 */
public final class CommitStatusStore {
    static final String PREFIX = IdempotencyTable.BUILD_PREFIX + "status#";
    static final String HOST = "host";
    static final String REPOSITORY = "repository";
    static final String SHA = "sha";
    static final String CONTEXT = "context";
    static final String TARGET_URL = "targetUrl";

    private final IdempotencyTable table;

    public CommitStatusStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * Where a build's statuses go.
     *
     * @param host       the Git host's name ({@code github})
     * @param repository the repository's full path as the signed delivery named it
     * @param sha        the commit built
     * @param context    the status's context ({@code ecr-push/<trigger>})
     * @param targetUrl  the build's logs link, or null
     */
    public record Reported(String host, String repository, String sha, String context, String targetUrl) {
    }

    /** Remembers where the build's statuses go, for as long as a run is remembered. */
    public void remember(String buildId, Reported reported) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(PREFIX + buildId));
        item.put(HOST, s(reported.host()));
        item.put(REPOSITORY, s(reported.repository()));
        item.put(SHA, s(reported.sha()));
        item.put(CONTEXT, s(reported.context()));
        if (reported.targetUrl() != null) {
            item.put(TARGET_URL, s(reported.targetUrl()));
        }
        item.put(EXPIRES_AT, n(Instant.now(table.clock()).plus(table.ttl()).getEpochSecond()));
        try {
            table.client().putItem(r -> r.tableName(table.name()).item(item));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.PutItem", buildId);
        }
    }

    /** Where the build's statuses go, or null when it reports none (or its record expired). */
    public Reported find(String buildId) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(PREFIX + buildId))).consistentRead(true));
            Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
            if (!item.containsKey(HOST) || !item.containsKey(REPOSITORY) || !item.containsKey(SHA) || !item.containsKey(CONTEXT)) {
                return null;
            }
            return new Reported(item.get(HOST).s(), item.get(REPOSITORY).s(), item.get(SHA).s(), item.get(CONTEXT).s(),
                    item.containsKey(TARGET_URL) ? item.get(TARGET_URL).s() : null);
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", buildId);
        }
    }

    private RuntimeException failure(SdkException e, String operation, String buildId) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + PREFIX + buildId,
                InternalErrorException::new);
    }
}
