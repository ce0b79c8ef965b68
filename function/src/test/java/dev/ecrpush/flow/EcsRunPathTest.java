package dev.ecrpush.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFakeResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.FromEdge;

/**
 * {@code events/run-ecs.json} through the application with the real SDK clients against a fake of every AWS
 * API: the target role for the repository, the function's own role for the task definition and the task,
 * the requests as ECS receives them; then a status request for the task ARN it returned, and a preflight.
 */
@QuarkusTest
@QuarkusTestResource(value = AwsFakeResource.class, restrictToAnnotatedClass = true)
class EcsRunPathTest {
    private static final String TARGET_KEY = "ASIATARGETECSPUSH001";
    private static final String TASK_ARN = "arn:aws:ecs:us-east-1:111111111111:task/ci-builds/5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d";
    private static final String DOCKERHUB_REF = "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/dockerhub-AbCdEf";
    private static final String ECS = "AmazonEC2ContainerServiceV20141113.";

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }

    @InjectFake
    AwsFake aws;

    private void stub(String target, ResponseDefinitionBuilder response) {
        aws.stub(target, response);
    }

    @BeforeEach
    void stubAws() {
        aws.reset();
        aws.stub("AssumeRole", aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
                <Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>target-secret</SecretAccessKey>
                <SessionToken>target-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
                <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/ecr-push/x</Arn>\
                <AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
                </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
                """.formatted(TARGET_KEY)));
        stub("AmazonEC2ContainerRegistry_V20150921.CreateRepository",
                json(400, "{\"__type\":\"RepositoryAlreadyExistsException\",\"message\":\"exists\"}"));
        stub("AmazonEC2ContainerRegistry_V20150921.BatchGetImage", json(200, "{\"images\":[],\"failures\":[]}"));
        stub("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories",
                json(200, "{\"repositories\":[{\"repositoryName\":\"acme/worker\",\"registryId\":\"123456789012\"}]}"));
        stub(ECS + "DescribeTaskDefinition",
                json(400, "{\"__type\":\"ClientException\",\"message\":\"Unable to describe task definition.\"}"));
        stub(ECS + "RegisterTaskDefinition", json(200, """
                {"taskDefinition": {
                 "taskDefinitionArn": "arn:aws:ecs:us-east-1:111111111111:task-definition/ecr-build-push-0000000000000000:1",
                 "status": "ACTIVE"}}
                """));
        stub(ECS + "RunTask",
                json(200, "{\"tasks\": [{\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"PROVISIONING\"}], \"failures\": []}"));
        stub(ECS + "DescribeClusters", json(200, """
                {"clusters": [{"clusterArn": "arn:aws:ecs:us-east-1:111111111111:cluster/ci-builds", "status": "ACTIVE"}], "failures": []}
                """));
    }

    private List<String> calls() {
        return aws.calls();
    }

    /** The body of the last request to {@code target}. */
    private JsonNode body(String target) {
        List<JsonNode> bodies = aws.bodies(target);
        if (bodies.isEmpty()) {
            throw new AssertionError("no " + target + " among " + aws.calls());
        }
        return bodies.get(bodies.size() - 1);
    }

    private static JsonNode invoke(byte[] event, int status) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(event).contentType("application/json").post("/internal/events")
                .then().statusCode(status).extract().asString());
    }

    @Test
    void runEcsEvent_registersTheDefinitionAndRunsTheTask_signedByTheRightRoles() throws Exception {
        // given
        byte[] event = Files.readAllBytes(Repo.path("events/run-ecs.json"));
        // when
        JsonNode result = invoke(event, 200);
        // then: the repository with the target role; the definition and the task with the function's own role
        String function = AwsFake.FUNCTION_ACCESS_KEY;
        assertEquals(List.of(
                "AssumeRole by " + function,
                "CreateRepository by " + TARGET_KEY,
                "BatchGetImage by " + TARGET_KEY,
                "DescribeTaskDefinition by " + function,
                "RegisterTaskDefinition by " + function,
                "RunTask by " + function), calls());
        assertEquals("STARTED", result.get("status").asText());
        assertEquals("ECS", result.get("executor").asText());
        assertEquals(TASK_ARN, result.get("buildId").asText());
        assertEquals("https://console.aws.amazon.com/ecs/v2/clusters/ci-builds/tasks/5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d"
                + "/logs?region=us-east-1", result.get("logsUrl").asText());
        assertEquals(List.of(), Fixtures.JSON.convertValue(result.get("warnings"), List.class));

        JsonNode definition = body(ECS + "RegisterTaskDefinition");
        assertEquals(AwsFakeResource.ECS_EXECUTION_ROLE, definition.get("executionRoleArn").asText());
        assertEquals(AwsFakeResource.ECS_TASK_ROLE, definition.get("taskRoleArn").asText());
        assertEquals(result.at("/plan/registerTaskDefinition"), definition);
        JsonNode plugin = definition.at("/containerDefinitions/1");
        assertEquals("plugin", plugin.get("name").asText());
        assertEquals("0", plugin.get("user").asText());
        assertEquals("PLUGIN_BASE_IMAGE_PASSWORD", plugin.at("/secrets/0/name").asText());
        assertEquals(DOCKERHUB_REF, plugin.at("/secrets/0/valueFrom").asText());

        JsonNode runTask = body(ECS + "RunTask");
        assertEquals("arn:aws:ecs:us-east-1:111111111111:task-definition/ecr-build-push-0000000000000000:1",
                runTask.get("taskDefinition").asText());
        assertEquals("FARGATE", runTask.get("launchType").asText());
        assertEquals("ci-builds", runTask.get("cluster").asText());
        assertEquals(64, runTask.get("clientToken").asText().length());
        assertEquals("DISABLED", runTask.at("/networkConfiguration/awsvpcConfiguration/assignPublicIp").asText());
        assertEquals("1024", runTask.at("/overrides/cpu").asText());
        assertEquals("3072", runTask.at("/overrides/memory").asText());
        assertEquals("GIT_COMMIT", runTask.at("/overrides/containerOverrides/0/environment/1/name").asText());
        assertEquals("GIT_BRANCH", runTask.at("/overrides/containerOverrides/0/environment/2/name").asText());
        assertEquals("BUILDPUSH_TIMEOUT_SECONDS", runTask.at("/overrides/containerOverrides/0/environment/3/name").asText());
        assertEquals("2700", runTask.at("/overrides/containerOverrides/0/environment/3/value").asText());
        String overrides = runTask.get("overrides").toString();
        assertFalse(overrides.contains(DOCKERHUB_REF) || overrides.contains("PLUGIN_BASE_IMAGE_PASSWORD"), overrides);
        assertTrue(overrides.contains("\"PLUGIN_TAGS\",\"value\":\"5e6f7a8,latest\""), overrides);
    }

    @Test
    void statusRequest_forTheTaskArn_describesTheTaskWithTheFunctionsRole() throws Exception {
        // given: the task is still pulling its images
        stub(ECS + "DescribeTasks", json(200, """
                {"tasks": [{"taskArn": "%s", "lastStatus": "PENDING", "desiredStatus": "RUNNING", "createdAt": %d,
                  "clusterArn": "arn:aws:ecs:us-east-1:111111111111:cluster/ci-builds", "startedBy": "ecr-build-push",
                  "taskDefinitionArn": "arn:aws:ecs:us-east-1:111111111111:task-definition/ecr-build-push-0000000000000000:1",
                  "containers": [{"name": "source"}, {"name": "plugin"}],
                  "overrides": {"containerOverrides": [
                    {"name": "source", "environment": [{"name": "BUILDPUSH_TIMEOUT_SECONDS", "value": "2700"}]},
                    {"name": "plugin", "environment": [{"name": "PLUGIN_REGISTRY", "value": "123456789012.dkr.ecr.us-east-1.amazonaws.com"},
                      {"name": "PLUGIN_REPO", "value": "acme/worker"}, {"name": "PLUGIN_TAGS", "value": "5e6f7a8,latest"}]}]}}],
                 "failures": []}
                """.formatted(TASK_ARN, System.currentTimeMillis() / 1000 - 60)));
        // when
        JsonNode status = invoke(("{\"buildId\": \"" + TASK_ARN + "\"}").getBytes(), 200);
        // then
        assertEquals(List.of("DescribeTasks by " + AwsFake.FUNCTION_ACCESS_KEY), calls());
        assertEquals("ci-builds", body(ECS + "DescribeTasks").get("cluster").asText());
        assertEquals(TASK_ARN, status.get("buildId").asText());
        assertEquals("QUEUED", status.get("status").asText());
        assertEquals("PENDING", status.get("phase").asText());
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/worker:5e6f7a8", status.at("/imageUris/0").asText());
        assertTrue(status.get("digest").isNull());
        // created a minute ago and not yet pulling: provisioning so far, the phases not begun unknown (issue 14)
        JsonNode timings = status.get("timings");
        assertTrue(timings.get("provisioningSeconds").asDouble() >= 60.0, timings::toString);
        assertEquals(timings.get("provisioningSeconds"), timings.get("totalSeconds"), timings::toString);
        for (String phase : List.of("queuedSeconds", "pullingImageSeconds", "fetchingSourceSeconds", "buildingSeconds",
                "pushingSeconds", "runningSeconds", "finalizingSeconds")) {
            assertTrue(timings.get(phase).isNull(), phase + ": " + timings);
        }
    }

    @Test
    void preflight_ecs_checksTheClusterAndTheDefinition_readOnly() throws Exception {
        // given
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/run-ecs.json")));
        payload.put("mode", "preflight");
        // when
        JsonNode result = invoke(payload.toString().getBytes(), 200);
        // then
        assertEquals("PREFLIGHT_OK", result.get("status").asText());
        assertEquals("ACTIVE", result.at("/checks/ecs/clusterStatus").asText());
        assertTrue(result.at("/checks/ecs/taskDefinitionArn").isNull() || result.at("/checks/ecs/taskDefinitionArn").isMissingNode());
        List<String> operations = calls().stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
        assertTrue(operations.containsAll(List.of("DescribeRepositories", "DescribeClusters", "DescribeTaskDefinition")),
                operations.toString());
        assertTrue(operations.stream().noneMatch(o -> o.startsWith("Create") || o.startsWith("Register") || o.startsWith("Run")),
                operations.toString());
    }

    @Test
    void statusRequest_malformedTaskArn_isAnInvalidStepNamingBuildId() {
        FromEdge.given().body("{\"buildId\": \"arn:aws:ecs:us-east-1:111111111111:task/no-id\"}").contentType("application/json")
                .post("/internal/events").then().statusCode(400)
                .body("errorMessage", org.hamcrest.Matchers.startsWith("buildId: "));
        assertEquals(List.of(), calls());
    }
}
