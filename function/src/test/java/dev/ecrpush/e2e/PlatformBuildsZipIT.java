package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.OciIndexSchema;
import dev.ecrpush.support.Repo;

/**
 * A two-platform step through the packaged zip under the Lambda runtime interface client: {@code
 * events/plan-platforms.json} planned (each platform's StartBuild and the index to write), then run as Step Functions
 * runs it, with DynamoDB Local and the AWS fake: two StartBuild calls, and on the builds' state changes the index
 * put under every tag with ECR PutImage and the task completed with its digest.
 */
class PlatformBuildsZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String AMD = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000a0d64";
    private static final String ARM = "ecr-build-push:0b6c5f1e-0000-4000-8000-0000000a0a64";
    private static final String AMD_MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"" + ImageIndex.DOCKER_MANIFEST
            + "\",\"config\":{\"size\":1,\"digest\":\"sha256:" + "1".repeat(64) + "\"},\"layers\":[]}";
    private static final String ARM_MANIFEST = AMD_MANIFEST.replace("1", "2");

    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.started();

    private static JsonNode invoke(JsonNode payload) throws IOException {
        return JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(payload), TIMEOUT).success().payload());
    }

    @Test
    void aTwoPlatformPlan_showsBothRequests_andTheIndex() throws IOException {
        // when
        JsonNode planned = invoke(JSON.readTree(Repo.path("events/plan-platforms.json").toFile()));
        // then
        assertEquals("PLANNED", planned.get("status").asText(), planned::toString);
        assertEquals(List.of("linux/amd64", "linux/arm64"), List.of(planned.at("/plan/platforms/0/platform").asText(),
                planned.at("/plan/platforms/1/platform").asText()));
        assertEquals("ecr-build-push", planned.at("/plan/platforms/1/startBuild/projectName").asText());
        assertEquals(2, planned.at("/plan/imageIndex/manifests").size());
        assertEquals("arm64", planned.at("/plan/imageIndex/manifests/1/platform/architecture").asText());
    }

    @Test
    void aTwoPlatformRun_startsTwoBuilds_andTheLastEnd_writesTheIndex_andCompletesTheTask() throws IOException {
        // given
        ZIP.world().aws().replyWhenBodyContains(START_BUILD, "linux-amd64", AwsFake.json("{\"build\":{\"id\":\"" + AMD + "\"}}"));
        ZIP.world().aws().replyWhenBodyContains(START_BUILD, "linux-arm64", AwsFake.json("{\"build\":{\"id\":\"" + ARM + "\"}}"));
        ObjectNode payload = (ObjectNode) JSON.readTree("""
                {"mode": "run", "idempotencyKey": "zip-platforms-1", "taskToken": "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKEZIPTOKEN",
                 "infra": "VM",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"],
                                   "platforms": ["linux/amd64", "linux/arm64"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""");
        // when
        JsonNode started = invoke(payload);
        // then
        assertEquals("STARTED", started.get("status").asText(), started::toString);
        assertEquals(AMD, started.get("buildId").asText());
        assertEquals(ARM, started.at("/platforms/1/buildId").asText());
        assertEquals(2, ZIP.world().aws().bodies(START_BUILD).size());
        // when: both builds have pushed, and the arm64 one's state change comes
        for (String[] build : new String[][] {{AMD, AMD_MANIFEST}, {ARM, ARM_MANIFEST}}) {
            ZIP.world().aws().replyWhenBodyContains(AwsFake.CODEBUILD + "BatchGetBuilds", build[0], AwsFake.json("{\"builds\":[{\"id\":\""
                    + build[0] + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\","
                    + "\"exportedEnvironmentVariables\":[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\""
                    + ImageIndex.digestOf(build[1]) + "\"}]}]}"));
        }
        ObjectNode images = JSON.createObjectNode();
        for (String manifest : List.of(AMD_MANIFEST, ARM_MANIFEST)) {
            images.withArray("images").addObject().put("imageManifest", manifest)
                    .put("imageManifestMediaType", ImageIndex.DOCKER_MANIFEST).putObject("imageId")
                    .put("imageDigest", ImageIndex.digestOf(manifest));
        }
        ZIP.world().aws().reply(AwsFake.ECR + "BatchGetImage", images.toString());
        ZIP.world().aws().reply(AwsFake.ECR + "PutImage", "{\"image\": {}}");
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/codebuild-state-change.json").toFile());
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + ARM);
        JsonNode answer = invoke(event);
        // then
        assertEquals("TASK_SUCCEEDED", answer.get("status").asText(), answer::toString);
        List<JsonNode> puts = ZIP.world().aws().bodies(AwsFake.ECR + "PutImage");
        assertEquals(List.of("9f1c2d3", "latest"), puts.stream().map(p -> p.get("imageTag").asText()).toList());
        JsonNode index = JSON.readTree(puts.get(0).get("imageManifest").asText());
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(index)));
        assertEquals(List.of(ImageIndex.digestOf(AMD_MANIFEST), ImageIndex.digestOf(ARM_MANIFEST)),
                List.of(index.at("/manifests/0/digest").asText(), index.at("/manifests/1/digest").asText()));
        JsonNode output = JSON.readTree(ZIP.world().aws().bodies(AwsFake.STEP_FUNCTIONS + "SendTaskSuccess").get(0).get("output").asText());
        assertEquals(ImageIndex.digestOf(puts.get(0).get("imageManifest").asText()), output.get("digest").asText());
        assertEquals(ImageIndex.digestOf(AMD_MANIFEST), output.at("/platforms/0/digest").asText());
        assertFalse(ZIP.zip().log().contains("AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKEZIPTOKEN"), "the task token is in the log");
    }
}
