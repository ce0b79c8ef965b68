package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFakeResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.FromEdge;

/**
 * {@code mode: run} and {@code mode: preflight} through the application with the real SDK clients against a
 * fake of every AWS API: which calls, in which order, signed by whom, and how few when warm.
 */
@QuarkusTest
@QuarkusTestResource(value = AwsFakeResource.class, restrictToAnnotatedClass = true)
class RunPathTest {
    @InjectFake
    AwsFake aws;

    private void stubAws(boolean repositoryExists) {
        KnownTargetScenario.stub(aws, repositoryExists);
    }

    private List<String> calls() {
        return aws.calls();
    }

    /** Each test its own target role: credentials are cached per target across tests of one application. */
    private static ObjectNode payload(String mode, String image) {
        return KnownTargetScenario.payload(mode, image, "push-" + mode);
    }

    @Test
    void run_coldThenWarm_toAKnownTarget() throws Exception {
        // given: the repository exists already
        stubAws(true);
        // when
        JsonNode cold = Fixtures.JSON.readTree(FromEdge.given().body(payload("run", "app").toString()).contentType("application/json")
                .post("/internal/events").then().statusCode(200).extract().asString());
        // then: at most five calls, each signed by the right identity, and the build started (the fifth, the lookup of
        // the tags the run would push, onExistingTag)
        assertEquals(List.of(
                "GetSecretValue by " + AwsFake.FUNCTION_ACCESS_KEY,
                "AssumeRole by " + KnownTargetScenario.CONNECTOR_KEY,
                "CreateRepository by " + KnownTargetScenario.TARGET_KEY,
                "BatchGetImage by " + KnownTargetScenario.TARGET_KEY,
                "StartBuild by " + AwsFake.FUNCTION_ACCESS_KEY), calls());
        assertEquals("STARTED", cold.get("status").asText());
        assertEquals("ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001", cold.get("buildId").asText());
        assertFalse(cold.get("repositoryCreated").asBoolean());
        String assumeRole = aws.requests().stream().map(AwsFake.AwsRequest::body)
                .filter(b -> b.contains("Action=AssumeRole")).findFirst().orElseThrow();
        assertTrue(assumeRole.contains("ExternalId=ext-123") && assumeRole.contains("RoleSessionName=ecr-build-push-build_app"),
                assumeRole);

        // when: the same target again, warm
        String coldRequests = aws.requests().toString();
        aws.resetRequests();
        FromEdge.given().body(payload("run", "app").toString()).contentType("application/json")
                .post("/internal/events").then().statusCode(200);
        // then: exactly two calls: the tags the run would push, looked up in the repository it knows, and the build
        assertEquals(List.of("BatchGetImage by " + KnownTargetScenario.TARGET_KEY, "StartBuild by " + AwsFake.FUNCTION_ACCESS_KEY),
                calls());

        // and no secret value left the function: in no request, cold or warm, nor in the result
        String everything = coldRequests + aws.requests() + cold;
        assertFalse(everything.contains(KnownTargetScenario.SECRET_KEY_VALUE));
    }

    @Test
    void statusRequestEvent_reportsTheBuildAndThePushedDigest() throws Exception {
        // given: a build that has pushed, as CodeBuild and ECR report it
        stubAws(true);
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", """
                {"builds": [{"id": "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001",
                  "buildStatus": "SUCCEEDED", "currentPhase": "COMPLETED",
                  "environment": {"environmentVariables": [
                    {"name": "PLUGIN_REGISTRY", "value": "123456789012.dkr.ecr.us-east-1.amazonaws.com", "type": "PLAINTEXT"},
                    {"name": "PLUGIN_REPO", "value": "app", "type": "PLAINTEXT"},
                    {"name": "PLUGIN_TAGS", "value": "9f1c2d3,latest", "type": "PLAINTEXT"}]},
                  "exportedEnvironmentVariables": [{"name": "BUILDPUSH_IMAGE_DIGEST", "value": "sha256:%s"}]}]}
                """.formatted("a".repeat(64)));
        byte[] event = java.nio.file.Files.readAllBytes(Repo.path("events/status-request.json"));
        // when
        JsonNode status = Fixtures.JSON.readTree(FromEdge.given().body(event).contentType("application/json")
                .post("/internal/events").then().statusCode(200).extract().asString());
        // then
        assertEquals("SUCCEEDED", status.get("status").asText());
        assertEquals("COMPLETED", status.get("phase").asText());
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:9f1c2d3", status.at("/imageUris/0").asText());
        assertEquals("sha256:" + "a".repeat(64), status.get("digest").asText());
        // and without a signing profile configured, no signing is asked for or reported
        assertFalse(status.has("signing"), status.toString());
        assertTrue(aws.requests(AwsFake.ECR + "DescribeImageSigningStatus").isEmpty());
    }

    @Test
    void statusRequest_withAnotherField_isAnInvalidStepNamingBuildId() {
        FromEdge.given().body("{\"buildId\": \"p:0b6c5f1e-0000-4000-8000-000000000001\", \"x\": 1}").contentType("application/json")
                .post("/internal/events").then().statusCode(400)
                .body("errorMessage", org.hamcrest.Matchers.startsWith("buildId: "));
    }

    @Test
    void preflight_checksReadOnly_andStartsNothing() throws Exception {
        // given
        stubAws(false);
        // when
        JsonNode result = Fixtures.JSON.readTree(FromEdge.given().body(payload("preflight", "fresh/app").toString())
                .contentType("application/json").post("/internal/events").then().statusCode(200).extract().asString());
        // then
        assertEquals("PREFLIGHT_OK", result.get("status").asText());
        assertEquals("fresh/app", result.at("/checks/repositories/0/name").asText());
        assertFalse(result.at("/checks/repositories/0/exists").asBoolean());
        List<String> operations = calls().stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
        assertTrue(operations.contains("DescribeRepositories") && operations.contains("BatchGetProjects"), operations.toString());
        assertTrue(operations.stream().noneMatch(o -> o.startsWith("Create") || o.startsWith("Put") || o.startsWith("Start")),
                operations.toString());
        // and without a signing profile configured, no signing check
        assertFalse(result.get("checks").has("signing"), result.toString());
        assertTrue(operations.stream().noneMatch(o -> o.contains("Signing")), operations.toString());
    }

    private static ObjectNode ownTarget(ObjectNode payload, String role) {
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/crossAccountAccess"))
                .put("crossAccountRoleArn", "arn:aws:iam::123456789012:role/" + role);
        return payload;
    }

    @Test
    void taskToken_withoutAnIdempotencyTable_isRefusedBeforeAnyAwsCall() {
        // given: this application has no idempotency table, so nothing could keep the token until the build ends
        stubAws(true);
        ObjectNode payload = ownTarget(payload("run", "token/app"), "push-token");
        payload.put("taskToken", "AQCEAAAAKgAAAAMAAAAAAAAAAtoken");
        // when / then
        FromEdge.given().body(payload.toString()).contentType("application/json").post("/internal/events").then().statusCode(400)
                .body("errorType", org.hamcrest.Matchers.equalTo("InvalidStepException"))
                .body("errorMessage", org.hamcrest.Matchers.startsWith("taskToken: cannot be completed"))
                .body("errorMessage", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("AQCEAAAA")));
        assertEquals(List.of(), calls());
    }

    @Test
    void idempotencyKey_withoutATable_stillStartsTheBuild_withCodeBuildsOwnToken() throws Exception {
        stubAws(true);
        ObjectNode payload = ownTarget(payload("run", "keyed/app"), "push-keyed");
        payload.put("idempotencyKey", "exec-7/build_app");
        FromEdge.given().body(payload.toString()).contentType("application/json").post("/internal/events").then().statusCode(200);
        String startBuild = aws.requests(AwsFake.CODEBUILD + "StartBuild").get(0).body();
        // the key has a '/', which CodeBuild's token does not take: it goes as its SHA-256
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("exec-7/build_app".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(expected, Fixtures.JSON.readTree(startBuild).get("idempotencyToken").asText());
        assertTrue(calls().stream().noneMatch(c -> c.startsWith("PutItem") || c.startsWith("GetItem")), calls().toString());
    }
}
