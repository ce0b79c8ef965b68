package dev.ecrpush.idempotency;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.plan.Hashing;

import static dev.ecrpush.idempotency.IdempotencyTable.EXPIRES_AT;
import static dev.ecrpush.idempotency.IdempotencyTable.KEY;
import static dev.ecrpush.idempotency.RunStore.n;
import static dev.ecrpush.idempotency.RunStore.s;

/**
 * Pull requests from forks held until an approval (docs/triggers.md, "Pull requests from forks"): one item per
 * request, {@code build#fork#<host>/<base repository, lower-cased>/<number>}, under the table's own
 * {@value IdempotencyTable#BUILD_PREFIX} prefix, which no payload's key may take. It holds the request as it was
 * held (every field, its head commit among them) and the triggers it is held for.
 *
 * <p>Every write raises the item's {@value #VERSION}: a hold of the held commit for another trigger adds it in one
 * atomic write conditional on that commit; a hold for a new head commit replaces the held commit (and its triggers)
 * with a write conditional on the version it read; and of two approvals of one held request only the first
 * {@link #release}s it, as its write is conditional on the version it read too.
 */
public final class ForkHoldStore {
    static final String PREFIX = IdempotencyTable.BUILD_PREFIX + "fork#";
    static final String HOST = "host";
    static final String REPOSITORY = "repository";
    static final String NUMBER = "number";
    static final String HEAD_REPOSITORY = "headRepository";
    static final String HEAD_CLONE_URL = "headCloneUrl";
    static final String SOURCE_BRANCH = "sourceBranch";
    static final String TARGET_BRANCH = "targetBranch";
    static final String HEAD_SHA = "headSha";
    static final String ACTOR = "actor";
    static final String TITLE = "title";
    /** The base commit the event reported, kept so that an approved request's changed files are compared as held. */
    static final String BASE_SHA = "baseSha";
    static final String TRIGGERS = "triggers";
    static final String VERSION = "version";
    /** A key longer than this is cut and hashed, as trigger payloads' keys are. */
    private static final int MAX_KEY = 512;
    /** Writes that lose a race read the item again; so many races on one request mean something else is wrong. */
    private static final int ATTEMPTS = 5;

    private final IdempotencyTable table;

    public ForkHoldStore(IdempotencyTable table) {
        this.table = table;
    }

    /**
     * A held request.
     *
     * @param pullRequest the request as it was last held
     * @param triggers    the triggers it is held for
     * @param version     the item's version, which a {@link #release} must still find
     */
    public record Held(PullRequest pullRequest, Set<String> triggers, long version) {
        public Held {
            triggers = Set.copyOf(triggers);
        }
    }

    /**
     * Holds the request for {@code trigger}: added to its triggers when the request is held with the same head
     * commit, in place of what was held when it was held with another one (so that an approval of the old commit
     * cannot build the new one).
     */
    public Held hold(PullRequest pullRequest, String trigger) {
        String key = key(pullRequest.host(), pullRequest.repository(), pullRequest.number());
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            Held added = addTrigger(key, pullRequest, trigger);
            if (added != null) {
                return added;
            }
            // Nothing held, or another commit: put the request in its place, unless a hold or an approval wrote since.
            Held current = read(key);
            if (current != null && current.pullRequest().headSha().equals(pullRequest.headSha())) {
                continue;
            }
            long version = current == null ? 1 : current.version() + 1;
            Map<String, AttributeValue> item = item(key, pullRequest, new TreeSet<>(Set.of(trigger)), version);
            try {
                if (current == null) {
                    table.client().putItem(r -> r.tableName(table.name()).item(item)
                            .conditionExpression("attribute_not_exists(#key)").expressionAttributeNames(Map.of("#key", KEY)));
                } else {
                    table.client().putItem(r -> r.tableName(table.name()).item(item).conditionExpression("#version = :version")
                            .expressionAttributeNames(Map.of("#version", VERSION))
                            .expressionAttributeValues(Map.of(":version", n(current.version()))));
                }
                return new Held(pullRequest, Set.of(trigger), version);
            } catch (ConditionalCheckFailedException raced) {
                // Another hold or an approval wrote in between: try again.
            } catch (SdkException e) {
                throw failure(e, "dynamodb.PutItem", key);
            }
        }
        throw new InternalErrorException("pull request #" + pullRequest.number() + " could not be held: its record kept changing");
    }

    /**
     * Adds {@code trigger} to the request held with the same head commit, in one atomic write (holds of one commit for
     * several triggers at once all stay), raising the version so that an approval read before it decides again; null
     * when nothing, or another commit, is held.
     */
    private Held addTrigger(String key, PullRequest pullRequest, String trigger) {
        try {
            UpdateItemResponse response = table.client().updateItem(r -> r.tableName(table.name()).key(Map.of(KEY, s(key)))
                    .updateExpression("ADD #triggers :trigger, #version :one SET #expires = :expires")
                    .conditionExpression("#sha = :sha")
                    .expressionAttributeNames(Map.of("#triggers", TRIGGERS, "#version", VERSION, "#expires", EXPIRES_AT,
                            "#sha", HEAD_SHA))
                    .expressionAttributeValues(Map.of(":trigger", AttributeValue.fromSs(List.of(trigger)), ":one", n(1),
                            ":expires", n(expiry()), ":sha", s(pullRequest.headSha())))
                    .returnValues(ReturnValue.ALL_NEW));
            return held(response.attributes());
        } catch (ConditionalCheckFailedException notThisCommit) {
            return null;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.UpdateItem", key);
        }
    }

    /** The held request, read consistently; null when none is held (or its hold expired). */
    public Held held(String host, String repository, int number) {
        return read(key(host, repository, number));
    }

    /**
     * Takes {@code triggers} out of the held request, forgetting it when none is left: true unless the item is no
     * longer the version {@code held} read (another approval took it, or a new push replaced it).
     */
    public boolean release(Held held, Set<String> triggers) {
        PullRequest pr = held.pullRequest();
        String key = key(pr.host(), pr.repository(), pr.number());
        Map<String, AttributeValue> itemKey = Map.of(KEY, s(key));
        try {
            if (triggers.containsAll(held.triggers())) {
                table.client().deleteItem(r -> r.tableName(table.name()).key(itemKey).conditionExpression("#version = :version")
                        .expressionAttributeNames(Map.of("#version", VERSION))
                        .expressionAttributeValues(Map.of(":version", n(held.version()))));
            } else {
                table.client().updateItem(r -> r.tableName(table.name()).key(itemKey)
                        .updateExpression("DELETE #triggers :released SET #version = :next")
                        .conditionExpression("#version = :version")
                        .expressionAttributeNames(Map.of("#triggers", TRIGGERS, "#version", VERSION))
                        .expressionAttributeValues(Map.of(":released", AttributeValue.fromSs(triggers.stream().toList()),
                                ":version", n(held.version()), ":next", n(held.version() + 1))));
            }
            return true;
        } catch (ConditionalCheckFailedException taken) {
            return false;
        } catch (SdkException e) {
            throw failure(e, "dynamodb.DeleteItem/UpdateItem", key);
        }
    }

    /** {@code build#fork#<host>/<repository, lower-cased>/<number>}, hashed when it would be too long. */
    static String key(String host, String repository, int number) {
        String key = PREFIX + host + "/" + repository.toLowerCase(Locale.ROOT) + "/" + number;
        return key.length() <= MAX_KEY ? key : key.substring(0, MAX_KEY - 72) + "/sha256-" + Hashing.sha256(key);
    }

    private Held read(String key) {
        try {
            GetItemResponse response = table.client().getItem(r -> r.tableName(table.name())
                    .key(Map.of(KEY, s(key))).consistentRead(true));
            return held(response.hasItem() ? response.item() : Map.of());
        } catch (SdkException e) {
            throw failure(e, "dynamodb.GetItem", key);
        }
    }

    private static Held held(Map<String, AttributeValue> item) {
        if (!item.containsKey(HEAD_SHA) || !item.containsKey(VERSION)) {
            return null;
        }
        PullRequest pr = new PullRequest(text(item, HOST), text(item, REPOSITORY), Integer.parseInt(item.get(NUMBER).n()),
                text(item, HEAD_REPOSITORY), text(item, HEAD_CLONE_URL), text(item, SOURCE_BRANCH), text(item, TARGET_BRANCH),
                text(item, HEAD_SHA), text(item, ACTOR), text(item, TITLE), text(item, BASE_SHA));
        Set<String> triggers = item.containsKey(TRIGGERS) ? new TreeSet<>(item.get(TRIGGERS).ss()) : Set.of();
        return new Held(pr, triggers, Long.parseLong(item.get(VERSION).n()));
    }

    private long expiry() {
        return Instant.now(table.clock()).plus(table.ttl()).getEpochSecond();
    }

    private Map<String, AttributeValue> item(String key, PullRequest pr, Set<String> triggers, long version) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(key));
        put(item, HOST, pr.host());
        put(item, REPOSITORY, pr.repository());
        item.put(NUMBER, n(pr.number()));
        put(item, HEAD_REPOSITORY, pr.headRepository());
        put(item, HEAD_CLONE_URL, pr.headCloneUrl());
        put(item, SOURCE_BRANCH, pr.sourceBranch());
        put(item, TARGET_BRANCH, pr.targetBranch());
        put(item, HEAD_SHA, pr.headSha());
        put(item, ACTOR, pr.actor());
        put(item, TITLE, pr.title());
        put(item, BASE_SHA, pr.baseSha());
        item.put(TRIGGERS, AttributeValue.fromSs(triggers.stream().toList()));
        item.put(VERSION, n(version));
        item.put(EXPIRES_AT, n(expiry()));
        return item;
    }

    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? item.get(name).s() : null;
    }

    private RuntimeException failure(SdkException e, String operation, String key) {
        return AwsFailures.translate(e, operation + " on table " + table.name() + " for " + key, InternalErrorException::new);
    }
}
