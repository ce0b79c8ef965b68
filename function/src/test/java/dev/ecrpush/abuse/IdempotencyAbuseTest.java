package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;

/**
 * Idempotency keys as a way into another run: a key is bound to its payload, a build's waiting task is never
 * taken over, and the keys of trigger-built runs cannot be taken by a direct payload. Through the function's
 * event route, with the idempotency table in DynamoDB Local and every other AWS call answered by the fake.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class IdempotencyAbuseTest {
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String SUCCESS = AwsFake.STEP_FUNCTIONS + "SendTaskSuccess";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
    }

    private static JsonNode post(Object body, int status) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(body.toString().getBytes()).contentType("application/json")
                .post("/internal/events").then().statusCode(status).extract().asString());
    }

    /** A run with the function's own role, of the image's {@code tag}, under a key and with a task token. */
    private static ObjectNode run(String key, String tag, String taskToken) throws Exception {
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                {"mode": "run", "infra": "K8",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["%s"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}"""
                .formatted(tag));
        payload.put("idempotencyKey", key);
        if (taskToken != null) {
            payload.put("taskToken", taskToken);
        }
        return payload;
    }

    private Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    private void buildSucceeded(String buildId) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Repo.path("events/codebuild-state-change.json").toFile());
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId);
        post(event, 200);
    }

    /**
     * Payload B reuses the key of A's run: B is refused naming the key, gets nothing of A's run, and leaves A's
     * task token where it was, so that A's execution is completed when A's build ends.
     */
    @Test
    void keyOfAnotherPayload_isRefused_andTheFirstRunsTaskIsStillCompleted() throws Exception {
        // given: A's run, waiting for its build
        String key = "exec-" + UUID.randomUUID();
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000a6";
        world.startBuildAnswers(build);
        JsonNode a = post(run(key, "a", "token-of-a-" + UUID.randomUUID()), 200);
        String tokenA = item("build#" + build).get("taskTokens").ss().get(0);
        // when: payload B, another image tag, under A's key and with its own task token
        String tokenB = "token-of-b-" + UUID.randomUUID();
        JsonNode b = post(run(key, "b", tokenB), 400);
        // then: refused naming the key; neither A's result nor its build's completion
        assertEquals("InvalidStepException", b.get("errorType").asText());
        assertTrue(b.get("errorMessage").asText().startsWith("idempotencyKey: \"" + key + "\" belongs to a run of another payload"),
                b::toString);
        assertFalse(b.toString().contains(build), "B's answer shows A's build");
        assertEquals(build, a.get("buildId").asText());
        assertEquals(List.of(tokenA), item("build#" + build).get("taskTokens").ss());
        assertEquals(1, aws.requests(START_BUILD).size());
        // and when A's build ends, A's task is the one completed
        buildSucceeded(build);
        assertEquals(List.of(tokenA), aws.bodies(SUCCESS).stream().map(body -> body.get("taskToken").asText()).toList());
    }

    /**
     * The same payload again with a new task token (a Step Functions retry, whose first task may be gone) while the
     * build runs: both tasks are completed when it ends; the first is never replaced.
     */
    @Test
    void samePayloadWithANewToken_whileTheBuildRuns_completesBothTasks() throws Exception {
        String key = "exec-" + UUID.randomUUID();
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000a7";
        world.startBuildAnswers(build);
        post(run(key, "a", "first-token"), 200);
        // when
        JsonNode retry = post(run(key, "a", "retry-token"), 200);
        buildSucceeded(build);
        // then
        assertTrue(retry.get("duplicate").asBoolean());
        assertEquals(1, aws.requests(START_BUILD).size());
        assertEquals(Set.of("first-token", "retry-token"),
                Set.copyOf(aws.bodies(SUCCESS).stream().map(body -> body.get("taskToken").asText()).toList()));
    }

    /**
     * A direct payload under the key a webhook delivery's run would have: refused before any AWS call, so the
     * delivery (or its redelivery) still gets its own build.
     */
    @Test
    void directPayload_withADeliverysKey_isRefusedBeforeAnyAwsCall() throws Exception {
        String key = "github/" + UUID.randomUUID() + "/app-main/refs/heads/main";
        // when
        JsonNode refused = post(run(key, "a", null), 400);
        // then
        assertEquals("InvalidStepException", refused.get("errorType").asText());
        assertTrue(refused.get("errorMessage").asText().startsWith("idempotencyKey: must not start with github/"), refused::toString);
        assertEquals(List.of(), aws.calls());
        assertTrue(item(key).isEmpty(), "the delivery's key was claimed");
    }

    /**
     * An OIDC token stashed in SSM for a build is deleted when the build ends (read back: the event only says
     * where to look), instead of piling up towards the account's parameter limit.
     */
    @Test
    void oidcTokenStash_isDeletedWhenItsBuildEnds() throws Exception {
        // given: a run authenticating with OIDC, whose token the function stashes for the build
        String build = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000000c1";
        world.startBuildAnswers(build);
        aws.stub("AssumeRoleWithWebIdentity", AwsFake.stsCredentials("AssumeRoleWithWebIdentity", "ASIAOIDCROLE00000003",
                "s", "t", Instant.parse("2099-01-01T00:00:00Z")));
        aws.reply(AwsFake.SSM + "PutParameter", "{\"Version\": 1, \"Tier\": \"Standard\"}");
        aws.reply(AwsFake.SSM + "DeleteParameter", "{}");
        aws.reply(AwsFake.SSM + "DescribeParameters", "{\"Parameters\": []}");
        ObjectNode payload = run("exec-" + UUID.randomUUID(), "a", null);
        payload.put("oidcToken", "eyJhbGciOiJSUzI1NiJ9.e30.oidc-" + UUID.randomUUID());
        ((ObjectNode) payload.at("/connectors/role/spec")).putObject("credential").put("type", "OidcAuthentication")
                .putObject("spec").put("iamRoleArn", "arn:aws:iam::123456789012:role/oidc");
        post(payload, 200);
        String stash = aws.bodies(AwsFake.SSM + "PutParameter").get(0).get("Name").asText();
        assertTrue(stash.startsWith("/ecr-build-push/oidc-tokens/"), stash);
        // and CodeBuild's answer when the build is read back: it ended, started with the stash as a variable
        aws.reply(START_BUILD.replace("StartBuild", "BatchGetBuilds"), """
                {"builds": [{"id": "%s", "buildStatus": "SUCCEEDED", "currentPhase": "COMPLETED",
                  "environment": {"environmentVariables": [
                    {"name": "PLUGIN_OIDC_TOKEN_ID", "type": "PARAMETER_STORE", "value": "%s"}]}}]}"""
                .formatted(build, stash));
        // when: its state change arrives, naming the stash as CodeBuild's events list the variables
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Repo.path("events/codebuild-state-change.json").toFile());
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + build);
        ((ArrayNode) event.at("/detail/additional-information/environment/environment-variables"))
                .addObject().put("name", "PLUGIN_OIDC_TOKEN_ID").put("type", "PARAMETER_STORE").put("value", stash);
        post(event, 200);
        // then
        assertEquals(List.of(stash), aws.bodies(AwsFake.SSM + "DeleteParameter").stream().map(b -> b.get("Name").asText()).toList());
        assertEquals("DeleteParameter by " + AwsFake.FUNCTION_ACCESS_KEY, aws.calls().stream()
                .filter(call -> call.startsWith("DeleteParameter")).findFirst().orElseThrow());
    }
}
