package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
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

import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.OciIndexSchema;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;

/**
 * A step with {@code platforms: [linux/amd64, linux/arm64]} through the application, as Step Functions calls it:
 * one CodeBuild build per platform, recorded as one in DynamoDB Local; the index written with ECR {@code PutImage}
 * (validated against the OCI image index schema) once both have pushed; one platform's failure stopping the other
 * and failing the task, naming the platform.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class PlatformBuildsFlowTest {
    static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";
    static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    static final String BATCH_GET_IMAGE = AwsFake.ECR + "BatchGetImage";
    static final String PUT_IMAGE = AwsFake.ECR + "PutImage";
    static final String SUCCESS = AwsFake.STEP_FUNCTIONS + "SendTaskSuccess";
    static final String FAILURE = AwsFake.STEP_FUNCTIONS + "SendTaskFailure";

    /** What kaniko pushes for each platform: Docker image manifests (their bytes are what ECR hands back). */
    static final String AMD_MANIFEST = manifest("amd64");
    static final String ARM_MANIFEST = manifest("arm64");

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    String amdBuild;
    String armBuild;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        amdBuild = "ecr-build-push:" + UUID.randomUUID();
        armBuild = "ecr-build-push:" + UUID.randomUUID();
        startsAs("linux-amd64", amdBuild);
        startsAs("linux-arm64", armBuild);
        aws.reply(STOP_BUILD, "{\"build\": {}}");
        aws.reply(PUT_IMAGE, "{\"image\": {}}");
    }

    static String manifest(String architecture) {
        return "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{"
                + "\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1470,\"digest\":\"sha256:"
                + (architecture.equals("amd64") ? "1" : "2").repeat(64) + "\"},\"layers\":[]}";
    }

    void startsAs(String platformTag, String buildId) {
        aws.replyWhenBodyContains(START_BUILD, platformTag, AwsFake.json("{\"build\":{\"id\":\"" + buildId
                + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + buildId + "\"}}"));
    }

    /** CodeBuild reads {@code buildId} back as {@code status}, with the digest it pushed when it succeeded. */
    void readsBack(String buildId, String status, String digest) {
        aws.replyWhenBodyContains(BATCH_GET_BUILDS, buildId, AwsFake.json("{\"builds\":[{\"id\":\"" + buildId
                + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":\"" + status + "\",\"currentPhase\":\""
                + (status.equals("IN_PROGRESS") ? "BUILD" : "COMPLETED") + "\"" + (digest == null ? ""
                        : ",\"exportedEnvironmentVariables\":[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + digest + "\"}]")
                + "}]}"));
    }

    void ecrHolds(String... manifests) {
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        for (String manifest : manifests) {
            answer.withArray("images").addObject().put("registryId", "123456789012").put("repositoryName", "acme/app")
                    .put("imageManifest", manifest).put("imageManifestMediaType", ImageIndex.DOCKER_MANIFEST)
                    .putObject("imageId").put("imageDigest", ImageIndex.digestOf(manifest));
        }
        aws.reply(BATCH_GET_IMAGE, answer.toString());
    }

    static ObjectNode run(String key, String taskToken) throws Exception {
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                {"mode": "run", "infra": "VM",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"],
                                   "platforms": ["linux/amd64", "linux/arm64"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""");
        payload.put("idempotencyKey", key);
        if (taskToken != null) {
            payload.put("taskToken", taskToken);
        }
        return payload;
    }

    static JsonNode post(Object body, int status) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(body.toString().getBytes()).contentType("application/json")
                .post("/internal/events").then().statusCode(status).extract().asString());
    }

    static JsonNode stateChange(String buildId) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId);
        return post(event, 200);
    }

    Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    /** Issue 15: a re-run whose tags name the index its commit's builds wrote starts no platform's build. */
    @Test
    void aRerunWhoseTagsNameTheCommitsIndex_isAlreadyBuilt_andStartsNoPlatformsBuild() throws Exception {
        // given: the index under both of the step's tags
        String index = "sha256:" + "9".repeat(64);
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        for (String tag : List.of("9f1c2d3", "latest")) {
            answer.withArray("images").addObject().put("registryId", "123456789012").put("repositoryName", "acme/app")
                    .put("imageManifest", "{}").put("imageManifestMediaType", ImageIndex.OCI_INDEX)
                    .putObject("imageId").put("imageTag", tag).put("imageDigest", index);
        }
        answer.putArray("failures");
        aws.reply(BATCH_GET_IMAGE, answer.toString());
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        // when
        JsonNode result = post(run("exec-" + UUID.randomUUID(), token), 200);
        // then: the index's digest; no platform built; the task completed at once
        assertEquals("ALREADY_BUILT", result.get("status").asText(), result::toString);
        assertEquals(index, result.get("digest").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of("9f1c2d3", "latest", "9f1c2d3-linux-amd64", "9f1c2d3-linux-arm64",
                "9f1c2d3e4b5a69788776655443322110ffeeddcc"), aws.bodies(BATCH_GET_IMAGE).get(0).findValuesAsText("imageTag"));
        assertEquals(index, Fixtures.JSON.readTree(aws.bodies(SUCCESS).get(0).get("output").asText()).get("digest").asText());
    }

    @Test
    void run_startsOneBuildPerPlatform_eachPushingItsOwnTag_recordedAsOne() throws Exception {
        // when
        String key = "exec-" + UUID.randomUUID();
        JsonNode started = post(run(key, null), 200);
        JsonNode again = post(run(key, null), 200);
        // then: two StartBuild calls, each with its platform's tag and its own idempotency token
        List<JsonNode> starts = aws.bodies(START_BUILD);
        assertEquals(2, starts.size());
        assertEquals(List.of("9f1c2d3-linux-amd64", "9f1c2d3-linux-arm64"), List.of(env(starts.get(0), "PLUGIN_TAGS"),
                env(starts.get(1), "PLUGIN_TAGS")));
        assertNotEquals(starts.get(0).get("idempotencyToken").asText(), starts.get(1).get("idempotencyToken").asText());
        // natively: each on its architecture's environment
        assertEquals(List.of("LINUX_CONTAINER", "ARM_CONTAINER"), starts.stream().map(b -> b.get("environmentTypeOverride").asText())
                .toList());
        assertEquals("STARTED", started.get("status").asText());
        assertEquals(amdBuild, started.get("buildId").asText());
        assertEquals("linux/arm64", started.at("/platforms/1/platform").asText());
        assertEquals(armBuild, started.at("/platforms/1/buildId").asText());
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:9f1c2d3-linux-arm64",
                started.at("/platforms/1/imageUri").asText());
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:9f1c2d3",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:latest"),
                Fixtures.JSON.convertValue(started.get("imageUris"), List.class));
        // and each build's item names the whole
        for (String build : List.of(amdBuild, armBuild)) {
            JsonNode group = Fixtures.JSON.readTree(item("build#platforms#" + build).get("group").s());
            assertEquals(amdBuild, group.get("id").asText());
            assertEquals(armBuild, group.at("/members/1/buildId").asText());
        }
        // and a repeat starts nothing
        assertTrue(again.get("duplicate").asBoolean());
        assertEquals(2, aws.bodies(START_BUILD).size());
    }

    @Test
    void bothSucceed_theLastEvent_writesTheIndexUnderEveryTag_andCompletesTheTask() throws Exception {
        // given
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        post(run("exec-" + UUID.randomUUID(), token), 200);
        readsBack(amdBuild, "SUCCEEDED", ImageIndex.digestOf(AMD_MANIFEST));
        readsBack(armBuild, "IN_PROGRESS", null);
        // when: the first platform ends while the other still builds
        JsonNode first = stateChange(amdBuild);
        // then: nothing is written or completed
        assertEquals("IGNORED", first.get("status").asText());
        assertEquals(0, aws.bodies(PUT_IMAGE).size());
        // when: the other ends
        readsBack(armBuild, "SUCCEEDED", ImageIndex.digestOf(ARM_MANIFEST));
        ecrHolds(AMD_MANIFEST, ARM_MANIFEST);
        JsonNode last = stateChange(armBuild);
        // then: the children are read by their digests, and the index put under both tags
        assertEquals("TASK_SUCCEEDED", last.get("status").asText());
        // (the run's lookup of its tags before it built asked by tag: onExistingTag)
        JsonNode read = aws.bodies(BATCH_GET_IMAGE).stream().filter(body -> body.at("/imageIds/0").has("imageDigest"))
                .findFirst().orElseThrow();
        assertEquals(List.of(Map.of("imageDigest", ImageIndex.digestOf(AMD_MANIFEST)), Map.of("imageDigest",
                ImageIndex.digestOf(ARM_MANIFEST))), Fixtures.JSON.convertValue(read.get("imageIds"), List.class));
        List<JsonNode> puts = aws.bodies(PUT_IMAGE);
        assertEquals(List.of("9f1c2d3", "latest"), puts.stream().map(p -> p.get("imageTag").asText()).toList());
        JsonNode index = Fixtures.JSON.readTree(puts.get(0).get("imageManifest").asText());
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(index)));
        assertEquals(ImageIndex.DOCKER_LIST, puts.get(0).get("imageManifestMediaType").asText());
        assertEquals("acme/app", puts.get(0).get("repositoryName").asText());
        assertEquals("123456789012", puts.get(0).get("registryId").asText());
        List<String> children = new ArrayList<>();
        for (JsonNode child : index.get("manifests")) {
            children.add(child.at("/platform/os").asText() + "/" + child.at("/platform/architecture").asText() + " "
                    + child.get("digest").asText() + " " + child.get("size").asLong());
        }
        assertEquals(List.of("linux/amd64 " + ImageIndex.digestOf(AMD_MANIFEST) + " " + AMD_MANIFEST.length(),
                "linux/arm64 " + ImageIndex.digestOf(ARM_MANIFEST) + " " + ARM_MANIFEST.length()), children);
        String indexDigest = ImageIndex.digestOf(puts.get(0).get("imageManifest").asText());
        assertEquals(indexDigest, puts.get(0).get("imageDigest").asText());
        // and the task's output has the index's digest and each platform's
        JsonNode output = Fixtures.JSON.readTree(aws.bodies(SUCCESS).get(0).get("output").asText());
        assertEquals(amdBuild, output.get("buildId").asText());
        assertEquals(indexDigest, output.get("digest").asText());
        assertEquals(ImageIndex.digestOf(ARM_MANIFEST), output.at("/platforms/1/digest").asText());
        assertEquals("linux/arm64", output.at("/platforms/1/platform").asText());
        // and a status request gets the same, without writing the index again
        JsonNode status = post("{\"buildId\": \"" + armBuild + "\"}", 200);
        assertEquals("SUCCEEDED", status.get("status").asText());
        assertEquals(indexDigest, status.get("digest").asText());
        assertEquals(amdBuild, status.get("buildId").asText());
        assertEquals(2, aws.bodies(PUT_IMAGE).size());
        // and each platform's build has its own phase timings (the whole has none of its own)
        assertTrue(status.at("/platforms/1/timings").isObject(), status.toString());
        assertTrue(status.get("timings").isNull(), status.toString());
    }

    @Test
    void onePlatformFails_theOtherIsStopped_andTheTaskFails_namingThePlatform() throws Exception {
        // given
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        post(run("exec-" + UUID.randomUUID(), token), 200);
        readsBack(amdBuild, "IN_PROGRESS", null);
        readsBack(armBuild, "FAILED", null);
        // when
        JsonNode answer = stateChange(armBuild);
        // then: only the amd64 build, still running, is stopped
        assertEquals("TASK_FAILED", answer.get("status").asText());
        List<JsonNode> stops = aws.bodies(STOP_BUILD);
        assertEquals(1, stops.size());
        assertEquals(amdBuild, stops.get(0).get("id").asText());
        JsonNode failure = aws.bodies(FAILURE).get(0);
        assertEquals("BuildFailed", failure.get("error").asText());
        assertTrue(failure.get("cause").asText().contains("linux/arm64"), failure.toString());
        assertEquals(0, aws.bodies(PUT_IMAGE).size());
        // and a status request says the same
        JsonNode status = post("{\"buildId\": \"" + amdBuild + "\"}", 200);
        assertEquals("FAILED", status.get("status").asText());
        assertTrue(status.get("reason").asText().startsWith("linux/arm64: "), status.toString());
        assertFalse(status.has("digest") && !status.get("digest").isNull());
    }

    @Test
    void anImmutableTagNamingAnotherImage_failsTheWhole_namingTheTag() throws Exception {
        // given
        post(run("exec-" + UUID.randomUUID(), null), 200);
        readsBack(amdBuild, "SUCCEEDED", ImageIndex.digestOf(AMD_MANIFEST));
        readsBack(armBuild, "SUCCEEDED", ImageIndex.digestOf(ARM_MANIFEST));
        ecrHolds(AMD_MANIFEST, ARM_MANIFEST);
        aws.fail(PUT_IMAGE, 400, "ImageTagAlreadyExistsException", "The image tag '9f1c2d3' already exists");
        // when
        JsonNode status = post("{\"buildId\": \"" + amdBuild + "\"}", 200);
        // then
        assertEquals("FAILED", status.get("status").asText());
        assertTrue(status.get("reason").asText().contains("tag 9f1c2d3 of acme/app is immutable"), status.toString());
    }

    @Test
    void aChildWhoseManifestIsNotWhatItsBuildReported_isNeverListed() throws Exception {
        // given: ECR hands back bytes that do not hash to the arm64 build's digest
        post(run("exec-" + UUID.randomUUID(), null), 200);
        readsBack(amdBuild, "SUCCEEDED", ImageIndex.digestOf(AMD_MANIFEST));
        readsBack(armBuild, "SUCCEEDED", ImageIndex.digestOf(ARM_MANIFEST));
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        answer.withArray("images").addObject().put("imageManifest", AMD_MANIFEST)
                .put("imageManifestMediaType", ImageIndex.DOCKER_MANIFEST).putObject("imageId")
                .put("imageDigest", ImageIndex.digestOf(AMD_MANIFEST));
        answer.withArray("images").addObject().put("imageManifest", AMD_MANIFEST + " ")
                .put("imageManifestMediaType", ImageIndex.DOCKER_MANIFEST).putObject("imageId")
                .put("imageDigest", ImageIndex.digestOf(ARM_MANIFEST));
        aws.reply(BATCH_GET_IMAGE, answer.toString());
        // when
        JsonNode status = post("{\"buildId\": \"" + amdBuild + "\"}", 200);
        // then
        assertEquals("FAILED", status.get("status").asText());
        assertTrue(status.get("reason").asText().contains("linux/arm64: the manifest ECR returned"), status.toString());
        assertEquals(0, aws.bodies(PUT_IMAGE).size());
    }

    @Test
    void planMode_showsEachPlatformsRequest_andTheIndexToBeWritten_withNoAwsCall() throws Exception {
        // given
        ObjectNode payload = run("exec-" + UUID.randomUUID(), null);
        payload.put("mode", "plan");
        // when
        JsonNode planned = post(payload, 200);
        // then
        assertEquals("PLANNED", planned.get("status").asText());
        JsonNode platforms = planned.at("/plan/platforms");
        assertEquals(2, platforms.size());
        assertEquals("linux/amd64", platforms.get(0).get("platform").asText());
        assertEquals("9f1c2d3-linux-amd64", env(platforms.get(0).get("startBuild"), "PLUGIN_TAGS"));
        assertEquals("9f1c2d3-linux-arm64", env(platforms.get(1).get("startBuild"), "PLUGIN_TAGS"));
        assertEquals("9f1c2d3-linux-arm64", platforms.get(1).at("/env/PLUGIN_TAGS").asText());
        assertNotEquals(platforms.get(0).at("/startBuild/idempotencyToken"), platforms.get(1).at("/startBuild/idempotencyToken"));
        assertFalse(planned.get("plan").has("startBuild"), "a multi-platform plan shows its requests per platform only");
        JsonNode index = planned.at("/plan/imageIndex");
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:9f1c2d3",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:latest"),
                Fixtures.JSON.convertValue(index.get("imageUris"), List.class));
        assertEquals(Fixtures.JSON.readTree("""
                [{"from": "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:9f1c2d3-linux-amd64",
                  "platform": {"architecture": "amd64", "os": "linux"}},
                 {"from": "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:9f1c2d3-linux-arm64",
                  "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}}]"""), index.get("manifests"));
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void anOidcConnector_isRefusedForTwoPlatforms_namingTheField_beforeAnyAwsCall() throws Exception {
        // given: a web identity's token is good for the start only, and the index is written when the last build ends
        ObjectNode payload = run("exec-" + UUID.randomUUID(), null);
        payload.set("connectors", Fixtures.JSON.readTree("""
                {"role": {"type": "Aws", "spec": {"credential": {"type": "OidcAuthentication",
                          "spec": {"iamRoleArn": "arn:aws:iam::123456789012:role/oidc"}}}}}"""));
        payload.put("oidcToken", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl");
        // when: run, and preflight, which says what run would do
        for (String mode : List.of("run", "preflight")) {
            payload.put("mode", mode);
            JsonNode refused = post(payload, 400);
            // then
            assertEquals("InvalidStepException", refused.get("errorType").asText(), refused.toString());
            assertTrue(refused.get("errorMessage").asText().startsWith("step.spec.platforms: "), refused.toString());
            assertEquals(List.of(), aws.calls());
        }
    }

    static String env(JsonNode startBuild, String name) {
        for (JsonNode variable : startBuild.get("environmentVariablesOverride")) {
            if (variable.get("name").asText().equals(name)) {
                return variable.get("value").asText();
            }
        }
        return null;
    }
}
