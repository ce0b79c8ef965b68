package dev.ecrpush.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.ScanGate;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.MutableClock;

/** Scan gates as kept in the idempotency table, against DynamoDB Local. */
class ScanGateStoreTest {
    private static final String TABLE = "scan-gates-test";
    private static final String SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/aws";
    private static final ScanGate RULE = new ScanGate(ScanGate.Severity.HIGH, true, Duration.ofMinutes(20), true);
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static ScanGateStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new ScanGateStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2026-11-30T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    private static ScanGateStore.Gate gate(String buildId) {
        CredentialsPlan keys = new CredentialsPlan(new CredentialsPlan.Base.StaticKeys(new AwsCredential.Value.Plain("AKIAEXAMPLE"),
                new SecretRef(SECRET, SecretRef.Store.SECRETS_MANAGER), null),
                new CredentialsPlan.AssumeRole("arn:aws:iam::123456789012:role/push", "acme-ci", "ecr-build-push"));
        return new ScanGateStore.Gate(buildId, RULE, new ScanGateStore.Target("123456789012", "us-east-1", "acme/app", keys),
                List.of("latest"), null, null, null);
    }

    private static String buildId() {
        return "ecr-build-push:" + UUID.randomUUID();
    }

    @Test
    void aGateIsReadBackAsRecorded_withReferencesOnly_andPending() {
        // given
        String buildId = buildId();
        // when
        store.remember(gate(buildId));
        // then
        assertEquals(gate(buildId), store.find(buildId));
        assertTrue(store.pending(1000).contains(buildId));
        String stored = client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey",
                AttributeValue.fromS("build#scangate#" + buildId)))).item().get("gate").s();
        assertTrue(stored.contains(SECRET), stored);
        assertNull(store.find(buildId()));
    }

    @Test
    void theFirstSuccessStartsTheClock_andItsDigestNamesTheBuild() {
        // given
        String buildId = buildId();
        store.remember(gate(buildId));
        String digest = "sha256:" + "1".repeat(64);
        // when: seen twice, the second time later and (as no executor would) with another digest
        ScanGateStore.Gate first = store.scanning(gate(buildId), digest, Instant.parse("2026-11-30T12:01:00Z"));
        ScanGateStore.Gate again = store.scanning(gate(buildId), "sha256:" + "2".repeat(64), Instant.parse("2026-11-30T12:09:00Z"));
        // then: the first is kept
        assertEquals(Instant.parse("2026-11-30T12:01:00Z"), again.startedAt());
        assertEquals(digest, again.digest());
        assertEquals(first, again);
        assertEquals(Set.of(buildId), store.buildsOf("123456789012", "us-east-1", "acme/app", digest));
        // and the image is found only under its own account, region and repository
        assertEquals(Set.of(), store.buildsOf("999999999999", "us-east-1", "acme/app", digest));
        assertEquals(Set.of(), store.buildsOf("123456789012", "eu-west-1", "acme/app", digest));
        assertEquals(Set.of(), store.buildsOf("123456789012", "us-east-1", "acme/other", digest));
    }

    @Test
    void theFirstVerdictStands_andTheBuildIsNoLongerPending() {
        // given
        String buildId = buildId();
        store.remember(gate(buildId));
        // when
        ScanGateStore.Decided first = store.decide(gate(buildId), "{\"state\":\"FAILED\"}");
        ScanGateStore.Decided second = store.decide(gate(buildId), "{\"state\":\"PASSED\"}");
        // then
        assertTrue(first.mine());
        assertFalse(second.mine());
        assertEquals("{\"state\":\"FAILED\"}", second.verdict());
        assertEquals("{\"state\":\"FAILED\"}", store.find(buildId).verdict());
        assertFalse(store.pending(1000).contains(buildId));
    }

    @Test
    void aWebIdentityIsNeverKept() {
        assertThrows(IllegalArgumentException.class, () -> new ScanGateStore.Target("123456789012", "us-east-1", "acme/app",
                new CredentialsPlan(new CredentialsPlan.Base.WebIdentity("arn:aws:iam::123456789012:role/oidc", null, "s"), null)));
    }
}
