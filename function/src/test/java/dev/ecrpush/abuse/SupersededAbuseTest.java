package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.ecrpush.support.WebhookSigning;

/**
 * Cancelling superseded builds cannot be turned on anything the function did not start, nor be dodged by a forged
 * event: a remembered build is read back by its executor before it is stopped, and a state change forgets a build
 * only once the build has ended as read back. run-triggers.json's {@code cancel-app} (CodeBuild) and
 * {@code cancel-ecs} (ECS).
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class SupersededAbuseTest {
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";
    private static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    private static final String RUN_TASK = AwsFake.ECS + "RunTask";
    private static final String STOP_TASK = AwsFake.ECS + "StopTask";
    private static final String DESCRIBE_TASKS = AwsFake.ECS + "DescribeTasks";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        aws.reply(STOP_BUILD, "{\"build\": {}}");
        aws.stub(STOP_TASK, AwsFake.json("{\"task\": {}}"));
    }

    private static String hex() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    private static String build() {
        return "ecr-build-push:0b6c5f1e-0000-4000-8000-" + hex().substring(0, 12);
    }

    private static JsonNode push(String repository, String branch) throws Exception {
        String sha = hex() + hex().substring(0, 8);
        byte[] body = ("{\"ref\": \"refs/heads/" + branch + "\", \"after\": \"" + sha + "\", \"repository\": {\"full_name\": \""
                + repository + "\", \"clone_url\": \"https://github.com/" + repository + ".git\"}}").getBytes(StandardCharsets.UTF_8);
        String answer = FromEdge.given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)).body(body)
                .post("/webhooks/github").then().statusCode(202).extract().asString();
        return Fixtures.JSON.readTree(answer);
    }

    private JsonNode pushBuilding(String branch, String buildId) throws Exception {
        aws.reply(START_BUILD, "{\"build\":{\"id\":\"" + buildId + "\"}}");
        return push("acme/cancel", branch);
    }

    private void readsBack(String buildId, String project, String status) {
        aws.replyWhenBodyContains(BATCH_GET_BUILDS, buildId, AwsFake.json("{\"builds\":[{\"id\":\"" + buildId + "\",\"projectName\":\""
                + project + "\",\"buildStatus\":\"" + status + "\",\"currentPhase\":\"BUILD\"}]}"));
    }

    private void runTaskAnswers(String taskArn) {
        aws.reply(RUN_TASK, "{\"tasks\": [{\"taskArn\": \"" + taskArn + "\", \"lastStatus\": \"PROVISIONING\"}], \"failures\": []}");
    }

    /** Adds a build to a sequence's running builds in the table, at position 0 (older than any push). */
    private void remember(String sequence, String buildId) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            client.updateItem(r -> r.tableName(TriggerWorld.TABLE)
                    .key(Map.of("idempotencyKey", AttributeValue.fromS("build#running#" + sequence)))
                    .updateExpression("SET #builds.#build = :zero")
                    .expressionAttributeNames(Map.of("#builds", "builds", "#build", buildId))
                    .expressionAttributeValues(Map.of(":zero", AttributeValue.fromN("0"))));
        }
    }

    @Test
    void aForgedEndEvent_ofABuildStillRunning_doesNotSpareItFromTheNextPush() throws Exception {
        // given: a running build of the ref
        String branch = "feature-" + hex().substring(0, 10);
        String a = build();
        pushBuilding(branch, a);
        readsBack(a, "ecr-build-push", "IN_PROGRESS");
        // when: an end event that says it succeeded, which CodeBuild does not confirm
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + a);
        FromEdge.given().body(event.toString().getBytes(StandardCharsets.UTF_8)).contentType("application/json")
                .post("/internal/events").then().statusCode(200);
        // then: the next push still stops it
        pushBuilding(branch, build());
        assertEquals(List.of(a), aws.bodies(STOP_BUILD).stream().map(stop -> stop.get("id").asText()).toList());
    }

    @Test
    void aRememberedBuildOfAnotherProject_asCodeBuildReadsItBack_isNeverStopped() throws Exception {
        // given: a ref whose running builds name a build that CodeBuild reports as another project's
        String branch = "feature-" + hex().substring(0, 10);
        pushBuilding(branch, build());
        String other = build();
        remember("cancel-app/github/acme/cancel/refs/heads/" + branch, other);
        readsBack(other, "someone-elses-project", "IN_PROGRESS");
        aws.resetRequests();
        // when: the next push
        JsonNode answer = pushBuilding(branch, build());
        // then: it is read back, refused, and never stopped
        assertEquals(List.of(), aws.requests(STOP_BUILD), aws.calls()::toString);
        assertTrue(answer.at("/refs/0/builds/0/cancelSuperseded/stopped").toString().contains("{\"buildId\":\"" + other
                + "\",\"push\":0,\"result\":\"REFUSED\""), answer::toString);
    }

    @Test
    void aRememberedTaskInTheFunctionsClusterThatTheFunctionDidNotStart_isNeverStopped() throws Exception {
        // given: the ECS trigger's ref, whose running builds name a task of the cluster that someone else started
        String own = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/" + hex();
        runTaskAnswers(own);
        push("acme/cancel-ecs", "main");
        String theirs = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/" + hex();
        remember("cancel-ecs/github/acme/cancel-ecs/refs/heads/main", theirs);
        world.describeTasksAnswers(theirs, "RUNNING", "RUNNING", null, Instant.now(), 3600, "someone-else",
                "ecr-build-push-0f1e2d3c4b5a6978");
        world.describeTasksAnswers(own, "STOPPED", "STOPPED", 0, Instant.now(), 3600);
        aws.resetRequests();
        // when: the next push
        String next = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/" + hex();
        runTaskAnswers(next);
        JsonNode answer = push("acme/cancel-ecs", "main");
        // then: the foreign task is read back and refused; nothing is stopped
        assertTrue(aws.bodies(DESCRIBE_TASKS).stream().anyMatch(describe -> describe.toString().contains(theirs)), aws.calls()::toString);
        assertEquals(List.of(), aws.requests(STOP_TASK), aws.calls()::toString);
        assertTrue(answer.at("/refs/0/builds/0/cancelSuperseded/stopped").toString().contains("{\"buildId\":\"" + theirs
                + "\",\"push\":0,\"result\":\"REFUSED\""), answer::toString);
    }

    @Test
    void aDirectPayload_cannotTakeTheKeysOfTheRunningBuilds() throws Exception {
        for (String key : List.of("build#running#cancel-app/github/acme/cancel/refs/heads/main",
                "build#superseding#ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001")) {
            ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                    {"mode": "run", "infra": "K8",
                     "codebase": {"repoUrl": "https://github.com/acme/cancel.git", "branch": "main",
                                  "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                     "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                              "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                       "imageName": "acme/cancel", "tags": ["latest"]}},
                     "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                     "delegateSelectors": ["codebuild"]}}}}""");
            payload.put("idempotencyKey", key);
            aws.resetRequests();
            JsonNode error = Fixtures.JSON.readTree(FromEdge.given().body(payload.toString().getBytes(StandardCharsets.UTF_8))
                    .contentType("application/json").post("/internal/events").then().statusCode(400).extract().asString());
            assertEquals("InvalidStepException", error.get("errorType").asText(), error::toString);
            assertTrue(error.get("errorMessage").asText().contains("idempotencyKey: must not start with build#"), error::toString);
            assertEquals(List.of(), aws.calls());
        }
    }
}
