package dev.ecrpush.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.MutableClock;

/** A multi-platform step's builds, found from any one of them, against DynamoDB Local. */
class PlatformBuildStoreTest {
    private static final String TABLE = "platform-builds-test";
    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static PlatformBuildStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new PlatformBuildStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    static PlatformBuildStore.Group group(String first, String second, CredentialsPlan credentials) {
        return new PlatformBuildStore.Group(first, List.of(new PlatformBuildStore.Member(Platform.LINUX_AMD64, first, "v1-linux-amd64"),
                new PlatformBuildStore.Member(Platform.LINUX_ARM64, second, "v1-linux-arm64")),
                new PlatformBuildStore.Target("123456789012", "eu-west-1", "acme/app", List.of("v1", "latest"), credentials), null);
    }

    @Test
    void aGroup_isFoundFromEachBuild_withItsCredentialsAsReferences_andItsIndexOnceWritten() {
        // given: access keys from secrets, then a role in the target account
        CredentialsPlan credentials = new CredentialsPlan(new CredentialsPlan.Base.StaticKeys(
                new AwsCredential.Value.Plain("AKIAEXAMPLE"),
                new SecretRef("arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/aws", SecretRef.Store.SECRETS_MANAGER),
                new SecretRef("ssm:/ci/session", SecretRef.Store.PARAMETER_STORE)),
                new CredentialsPlan.AssumeRole("arn:aws:iam::123456789012:role/ecr-push", "acme-ci", "ecr-build-push-build_app"));
        PlatformBuildStore.Group group = group("ecr-build-push:a1", "ecr-build-push:a2", credentials);
        // when
        store.remember(group);
        // then
        assertEquals(group, store.find("ecr-build-push:a1"));
        assertEquals(group, store.find("ecr-build-push:a2"));
        assertNull(store.find("ecr-build-push:a3"));
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TABLE)
                .key(Map.of("idempotencyKey", AttributeValue.fromS("build#platforms#ecr-build-push:a2")))).item();
        assertEquals(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
        // when the index is written
        store.indexWritten(group, "sha256:" + "e".repeat(64));
        // then both builds know it
        assertEquals("sha256:" + "e".repeat(64), store.find("ecr-build-push:a1").indexDigest());
        assertEquals("sha256:" + "e".repeat(64), store.find("ecr-build-push:a2").indexDigest());
    }

    @Test
    void theFunctionsRole_andAKeyIdFromASecret_roundTrip() {
        PlatformBuildStore.Group role = group("ecr-build-push:b1", "ecr-build-push:b2",
                new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), null));
        store.remember(role);
        assertEquals(role, store.find("ecr-build-push:b2"));
        PlatformBuildStore.Group keyRef = group("ecr-build-push:c1", "ecr-build-push:c2", new CredentialsPlan(
                new CredentialsPlan.Base.StaticKeys(new AwsCredential.Value.Secret(new SecretRef("ci/key-id",
                        SecretRef.Store.SECRETS_MANAGER)), new SecretRef("ci/key", SecretRef.Store.SECRETS_MANAGER), null), null));
        store.remember(keyRef);
        assertEquals(keyRef, store.find("ecr-build-push:c1"));
    }

    @Test
    void aWebIdentityToken_isNeverKept() {
        SecretText token = new SecretText("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
        assertThrows(IllegalArgumentException.class, () -> group("ecr-build-push:d1", "ecr-build-push:d2", new CredentialsPlan(
                new CredentialsPlan.Base.WebIdentity("arn:aws:iam::123456789012:role/oidc", token, "s"), null)));
        assertFalse(PlatformBuildStore.write(group("x:1", "x:2", new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), null)))
                .contains("eyJ"));
    }
}
