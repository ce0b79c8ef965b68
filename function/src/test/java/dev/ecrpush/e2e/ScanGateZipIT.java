package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;

/**
 * A gated step through the packaged zip under the Lambda runtime interface client, with DynamoDB Local and the AWS
 * fake (docs/scan-gate.md): the build's SUCCEEDED state change leaves the Step Functions task waiting, and the scan's
 * EventBridge event, read back with {@code DescribeImageScanFindings}, completes it (the scan passed) or fails it with
 * {@code ScanGateFailed} and the counts per severity.
 */
class ScanGateZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DESCRIBE = AwsFake.ECR + "DescribeImageScanFindings";
    private static final String SUCCESS = AwsFake.STEP_FUNCTIONS + "SendTaskSuccess";
    private static final String FAILURE = AwsFake.STEP_FUNCTIONS + "SendTaskFailure";

    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.started();

    @BeforeEach
    void stubs() {
        ZIP.world().stubDefaults();
    }

    private static JsonNode invoke(String payload) throws IOException {
        return JSON.readTree(ZIP.zip().runtime().invoke(payload.getBytes(StandardCharsets.UTF_8), TIMEOUT).success().payload());
    }

    /** An event of {@code events/}, as EventBridge sends it. */
    private static String event(String name) throws IOException {
        return java.nio.file.Files.readString(Repo.path("events/" + name));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = ScanGateZipIT.class.getResourceAsStream("/scans/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A gated run of {@code buildId}, whose build then succeeds having pushed {@code digest}, scanned IN_PROGRESS. */
    private static void runAndSucceed(String key, String token, String buildId, String digest) throws IOException {
        ZIP.world().startBuildAnswers(buildId);
        ObjectNode payload = (ObjectNode) JSON.readTree("""
                {"mode": "run", "infra": "VM",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"],
                                   "scanGate": {"maxSeverity": "HIGH"}}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""");
        payload.put("idempotencyKey", key).put("taskToken", token);
        JsonNode started = invoke(payload.toString());
        assertEquals("STARTED", started.get("status").asText(), started::toString);
        ZIP.world().aws().reply(AwsFake.CODEBUILD + "BatchGetBuilds", "{\"builds\":[{\"id\":\"" + buildId + "\",\"projectName\":"
                + "\"ecr-build-push\",\"buildStatus\":\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\",\"exportedEnvironmentVariables\":"
                + "[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + digest + "\"}]}]}");
        ZIP.world().aws().reply(DESCRIBE, resource("describe-status.json").replace("STATUS", "IN_PROGRESS")
                .replace(TriggerWorld.DIGEST, digest));
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/codebuild-state-change.json").toFile());
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId);
        JsonNode changed = invoke(event.toString());
        // The build succeeded; its task waits for the scan.
        assertEquals("IGNORED", changed.get("status").asText(), changed::toString);
        assertEquals(List.of(), ZIP.world().aws().bodies(SUCCESS));
        assertEquals(List.of(), ZIP.world().aws().bodies(FAILURE));
    }

    @Test
    void aGatedBuildsSuccess_waitsForTheScan_andTheScanEventCompletesTheTask() throws IOException {
        // given
        String digest = "sha256:" + "a".repeat(64);
        runAndSucceed("zip-scan-pass", "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKEZIPSCANPASS", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000a551",
                digest);
        ZIP.world().aws().reply(DESCRIBE, resource("describe-basic-low-only.json").replace(TriggerWorld.DIGEST, digest));
        // when
        JsonNode answer = invoke(event("ecr-image-scan.json").replace(TriggerWorld.DIGEST, digest));
        // then
        assertEquals("TASK_SUCCEEDED", answer.get("status").asText(), answer::toString);
        JsonNode output = JSON.readTree(ZIP.world().aws().bodies(SUCCESS).get(0).get("output").asText());
        assertEquals("PASSED", output.at("/scan/state").asText(), output::toString);
        assertEquals(3, output.at("/scan/counts/LOW").asInt());
        assertFalse(ZIP.zip().log().contains("AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKEZIPSCANPASS"), "the task token is in the log");
    }

    @Test
    void aGatedBuildWhoseScanFindsACritical_failsTheTaskWithScanGateFailed_andTheCounts() throws IOException {
        // given
        String digest = "sha256:" + "b".repeat(64);
        runAndSucceed("zip-scan-fail", "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKEZIPSCANFAIL", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000fa11",
                digest);
        ZIP.world().aws().reply(DESCRIBE, resource("describe-basic-complete.json").replace(TriggerWorld.DIGEST, digest));
        // when
        JsonNode answer = invoke(event("ecr-image-scan.json").replace(TriggerWorld.DIGEST, digest));
        // then
        assertEquals("TASK_FAILED", answer.get("status").asText(), answer::toString);
        JsonNode failure = ZIP.world().aws().bodies(FAILURE).get(0);
        assertEquals("ScanGateFailed", failure.get("error").asText());
        assertTrue(failure.get("cause").asText().contains("1 CRITICAL (CRITICAL 1, HIGH 2, MEDIUM 0, LOW 4, INFORMATIONAL 0"),
                failure::toString);
    }
}
