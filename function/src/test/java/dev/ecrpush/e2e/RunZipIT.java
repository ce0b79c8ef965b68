package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * {@code mode: run} through the packaged zip, as Lambda runs it, against a fake of every AWS API
 * ({@link AwsFake}) reached through {@code AWS_ENDPOINT_URL}: the SDK classes left in the zip do the whole run,
 * with the call budget of a cold and a warm start to the same target, and no secret in the function's log.
 */
class RunZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String FUNCTION_KEY = PackagedFunction.FUNCTION_ACCESS_KEY;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AwsFake aws;
    private static LocalLambdaRuntime runtime;
    private static FunctionProcess function;
    private static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        aws = new AwsFake();
        runtime = LocalLambdaRuntime.start();
        function = PackagedFunction.start(runtime, PackagedFunction.environment(aws.endpoint()), log);
    }

    @AfterAll
    static void stop() throws IOException {
        if (function != null) {
            function.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void run_coldThenWarm_withinTheCallBudget() throws IOException {
        // given: manual keys, a role in another account, a repository that exists
        KnownTargetScenario.stub(aws, true);
        byte[] payload = JSON.writeValueAsBytes(KnownTargetScenario.payload("run", "app", "push-zip"));
        // when
        JsonNode cold = JSON.readTree(runtime.invoke(payload, TIMEOUT).success().payload());
        // then
        assertEquals(List.of("GetSecretValue by " + FUNCTION_KEY, "AssumeRole by " + KnownTargetScenario.CONNECTOR_KEY,
                "CreateRepository by " + KnownTargetScenario.TARGET_KEY, "BatchGetImage by " + KnownTargetScenario.TARGET_KEY,
                "StartBuild by " + FUNCTION_KEY), aws.calls());
        assertEquals("STARTED", cold.path("status").asText(), cold::toString);
        assertEquals(KnownTargetScenario.BUILD_ID, cold.path("buildId").asText());
        assertTrue(cold.at("/timings/functionMillis").canConvertToLong(), cold::toString);

        // when: warm, the same target
        aws.resetRequests();
        JsonNode warm = JSON.readTree(runtime.invoke(payload, TIMEOUT).success().payload());
        // then
        assertEquals(List.of("BatchGetImage by " + KnownTargetScenario.TARGET_KEY, "StartBuild by " + FUNCTION_KEY), aws.calls());
        assertEquals("STARTED", warm.path("status").asText());
        assertTrue(warm.at("/timings/functionMillis").canConvertToLong(), warm::toString);
        String output = log.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("run plan"), output);
        assertFalse(output.contains(KnownTargetScenario.SECRET_KEY_VALUE));
    }

    /**
     * Issue 15: a re-run whose tags all name an image of its commit answers {@code ALREADY_BUILT} with that digest and
     * starts nothing; one whose immutable tag names another commit's image fails with the typed error, as Lambda
     * reports it to Step Functions.
     */
    @Test
    void rerun_ofAnImageThatExists_answersAlreadyBuilt_andStartsNothing() throws IOException {
        // given: the commit's image under both tags, in a repository that exists
        KnownTargetScenario.stub(aws, true);
        ObjectNode payload = KnownTargetScenario.payload("run", "rerun/app", "rerun-zip");
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main")
                .put("commitSha", "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        ((ArrayNode) payload.at("/step/spec/tags")).insert(0, "<+codebase.shortCommitSha>");
        String digest = "sha256:" + "c".repeat(64);
        aws.reply(AwsFake.ECR + "BatchGetImage", images("9f1c2d3", digest, "latest", digest));
        // when
        JsonNode result = JSON.readTree(runtime.invoke(JSON.writeValueAsBytes(payload), TIMEOUT).success().payload());
        // then
        assertEquals("ALREADY_BUILT", result.path("status").asText(), result::toString);
        assertEquals(digest, result.path("digest").asText());
        assertTrue(result.path("buildId").isMissingNode(), result::toString);
        assertEquals(List.of("GetSecretValue by " + FUNCTION_KEY, "AssumeRole by " + KnownTargetScenario.CONNECTOR_KEY,
                "CreateRepository by " + KnownTargetScenario.TARGET_KEY, "BatchGetImage by " + KnownTargetScenario.TARGET_KEY),
                aws.calls());

        // when: latest names another commit's image, in an immutable repository
        aws.resetRequests();
        aws.reply(AwsFake.ECR + "BatchGetImage", images("latest", "sha256:" + "e".repeat(64)));
        aws.reply(AwsFake.ECR + "DescribeRepositories", "{\"repositories\": [{\"repositoryName\": \"rerun/app\","
                + " \"registryId\": \"123456789012\", \"imageTagMutability\": \"IMMUTABLE\"}]}");
        LocalLambdaRuntime.Failure failure = runtime.invoke(JSON.writeValueAsBytes(payload), TIMEOUT).failure();
        // then
        assertEquals("dev.ecrpush.error.TagExistsException", failure.errorType());
        assertTrue(failure.errorMessage().startsWith("step.spec.tags: tag \"latest\""), failure::errorMessage);
        assertEquals(List.of("BatchGetImage by " + KnownTargetScenario.TARGET_KEY, "DescribeRepositories by "
                + KnownTargetScenario.TARGET_KEY), aws.calls());
    }

    /** BatchGetImage's answer: each tag found with its digest. */
    private static String images(String... tagsAndDigests) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode images = answer.putArray("images");
        for (int i = 0; i < tagsAndDigests.length; i += 2) {
            ObjectNode image = images.addObject().put("registryId", "123456789012").put("repositoryName", "rerun/app")
                    .put("imageManifest", "{}").put("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json");
            image.putObject("imageId").put("imageTag", tagsAndDigests[i]).put("imageDigest", tagsAndDigests[i + 1]);
        }
        answer.putArray("failures");
        return answer.toString();
    }

    /** Issue 14: the packaged function's status request says where the build's time went. */
    @Test
    void status_reportsThePhaseTimings() throws IOException {
        // given: CodeBuild's canned answer for a build that succeeded
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", Files.readString(Path.of("src/test/resources/timings/codebuild-succeeded.json"))
                .replace("ecr-build-push:0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70", KnownTargetScenario.BUILD_ID));
        // when
        JsonNode status = JSON.readTree(runtime.invoke(("{\"buildId\": \"" + KnownTargetScenario.BUILD_ID + "\"}")
                .getBytes(StandardCharsets.UTF_8), TIMEOUT).success().payload());
        // then
        assertEquals(JSON.readTree("""
                {"queuedSeconds": 2.0, "provisioningSeconds": 186.0, "pullingImageSeconds": null, "fetchingSourceSeconds": 4.0,
                 "buildingSeconds": 95.0, "pushingSeconds": null, "runningSeconds": 99.0, "finalizingSeconds": 2.0,
                 "totalSeconds": 291.4}"""), status.get("timings"), status::toString);
    }

    @Test
    void preflight_readsOnly() throws IOException {
        KnownTargetScenario.stub(aws, false);
        byte[] payload = JSON.writeValueAsBytes(KnownTargetScenario.payload("preflight", "fresh/app", "preflight-zip"));
        JsonNode result = JSON.readTree(runtime.invoke(payload, TIMEOUT).success().payload());
        assertEquals("PREFLIGHT_OK", result.path("status").asText(), result::toString);
        List<String> operations = aws.calls().stream().map(c -> c.substring(0, c.indexOf(' '))).toList();
        assertEquals(List.of("GetSecretValue", "AssumeRole", "DescribeRepositories", "BatchGetProjects"), operations);
    }
}
