package dev.ecrpush.idempotency;

import java.time.Instant;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.plan.Hashing;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * The tags a pull request's builds pushed for one trigger, so that closing the request deletes them, and nothing
 * else (docs/triggers.md, "Pull requests"): one item per trigger and request,
 * {@code build#pr-images#<host>/<base repository, lower-cased>/<number>/<trigger>}, under the table's own
 * {@value IdempotencyTable#BUILD_PREFIX} prefix, which no payload's key may take. It holds the repository the tags
 * are in (region, registry account, name), and the tags as a string set that each build adds to ({@code ADD}), so
 * that builds recorded at once all stay recorded.
 */
public final class PullRequestImageStore {
    static final String PREFIX = IdempotencyTable.BUILD_PREFIX + "pr-images#";
    static final String TAGS = "tags";
    static final String REGION = "region";
    static final String ACCOUNT = "account";
    static final String REPOSITORY = "repository";
    /** A key longer than this is cut and hashed, as trigger payloads' keys are. */
    private static final int MAX_KEY = 512;

    private final IdempotencyTable table;

    public PullRequestImageStore(IdempotencyTable table) {
        this.table = table;
    }

    /** The repository a request's tags are in, and the tags, sorted. */
    public record Recorded(String region, String account, String repository, SortedSet<String> tags) {
        public Recorded {
            tags = Collections.unmodifiableSortedSet(new TreeSet<>(tags));
        }
    }

    /**
     * Adds {@code tags} of {@code repository} to what the request's builds for the trigger pushed: false, and nothing
     * recorded, when its earlier builds pushed to another repository (the trigger's payload changed meanwhile), since
     * one record names one repository.
     */
    public boolean record(String key, String region, String account, String repository, Set<String> tags) {
        try {
            table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .updateExpression("ADD #tags :tags SET #region = :region, #account = :account, #repository = :repository,"
                            + " #expires = :expires")
                    .conditionExpression("attribute_not_exists(#repository)"
                            + " OR (#repository = :repository AND #region = :region AND #account = :account)")
                    .expressionAttributeNames(Map.of("#tags", TAGS, "#region", REGION, "#account", ACCOUNT,
                            "#repository", REPOSITORY, "#expires", EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":tags", AttributeValue.fromSs(tags.stream().toList()),
                            ":region", s(region), ":account", s(account), ":repository", s(repository),
                            ":expires", n(Instant.now(table.clock()).plus(table.ttl()).getEpochSecond()))));
            return true;
        } catch (ConditionalCheckFailedException otherRepository) {
            return false;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", key);
        }
    }

    /** What the request's builds for the trigger pushed, read consistently; null when nothing is recorded. */
    public Recorded recorded(String key) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(key))).consistentRead(true));
            Map<String, AttributeValue> item = response.hasItem() ? response.item() : Map.of();
            if (!item.containsKey(TAGS) || !item.containsKey(REPOSITORY)) {
                return null;
            }
            return new Recorded(item.get(REGION).s(), item.get(ACCOUNT).s(), item.get(REPOSITORY).s(), new TreeSet<>(item.get(TAGS).ss()));
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", key);
        }
    }

    /**
     * Forgets {@code tags} (deleted, or gone already), and the whole record once no tag is left in it; tags a build
     * recorded meanwhile stay.
     */
    public void forget(String key, Set<String> tags) {
        try {
            if (!tags.isEmpty()) {
                table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                        .updateExpression("DELETE #tags :tags").conditionExpression("attribute_exists(#key)")
                        .expressionAttributeNames(Map.of("#tags", TAGS, "#key", KEY))
                        .expressionAttributeValues(Map.of(":tags", AttributeValue.fromSs(tags.stream().toList()))));
            }
            table.client().deleteItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .conditionExpression("attribute_not_exists(#tags)").expressionAttributeNames(Map.of("#tags", TAGS)));
        } catch (ConditionalCheckFailedException left) {
            // Gone already, or tags are left (not deleted, or recorded meanwhile): they stay recorded.
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem/DeleteItem", key);
        }
    }

    /** {@code build#pr-images#<host>/<repository, lower-cased>/<number>/<trigger>}, hashed when it would be too long. */
    public static String key(String trigger, String host, String repository, int number) {
        String key = PREFIX + host + "/" + repository.toLowerCase(Locale.ROOT) + "/" + number + "/" + trigger;
        return key.length() <= MAX_KEY ? key : key.substring(0, MAX_KEY - 72) + "/sha256-" + Hashing.sha256(key);
    }

    private RuntimeException failure(SdkException e, String operation, String key) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + key, InternalErrorException::new);
    }
}
