package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;

/**
 * A step with {@code scanGate} through the application, as Step Functions calls it: the build's SUCCEEDED state change
 * leaves the task waiting (the build IN_PROGRESS in phase SCANNING), and the scan's event, read back with
 * {@code DescribeImageScanFindings} in the target registry, completes it: {@code SendTaskSuccess} with the counts, or
 * {@code SendTaskFailure} with {@code ScanGateFailed} and the counts in its cause. A forged scan event acts on nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class ScanGateFlowTest {
    static final String DESCRIBE = AwsFake.ECR + "DescribeImageScanFindings";
    static final String DESCRIBE_IMAGES = AwsFake.ECR + "DescribeImages";
    static final String BATCH_DELETE = AwsFake.ECR + "BatchDeleteImage";
    static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    static final String SUCCESS = AwsFake.STEP_FUNCTIONS + "SendTaskSuccess";
    static final String FAILURE = AwsFake.STEP_FUNCTIONS + "SendTaskFailure";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    String buildId;
    String digest;
    String token;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        buildId = "ecr-build-push:" + UUID.randomUUID();
        // Each test's own image, so that no other test's gate judges it.
        digest = "sha256:" + UUID.randomUUID().toString().replace("-", "").repeat(2);
        token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        world.startBuildAnswers(buildId);
        readsBack("IN_PROGRESS");
        aws.reply(BATCH_DELETE, "{\"imageIds\": [{\"imageTag\": \"latest\"}], \"failures\": []}");
    }

    /** An event of {@code events/}, as EventBridge or the template's schedule sends it. */
    static String event(String name) {
        try {
            return java.nio.file.Files.readString(Repo.path("events/" + name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String resource(String name) {
        try (InputStream in = ScanGateFlowTest.class.getResourceAsStream("/scans/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** CodeBuild reads the build back as {@code status}, having exported this test's digest when it succeeded. */
    void readsBack(String status) {
        aws.replyWhenBodyContains(BATCH_GET_BUILDS, buildId, AwsFake.json("{\"builds\":[{\"id\":\"" + buildId
                + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":\"" + status + "\",\"currentPhase\":\""
                + (status.equals("IN_PROGRESS") ? "BUILD" : "COMPLETED") + "\"" + (status.equals("SUCCEEDED")
                        ? ",\"exportedEnvironmentVariables\":[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + digest + "\"}]"
                        : "") + "}]}"));
    }

    /** ECR's scan of this test's image answers {@code file} (from {@code scans/}). */
    void scanAnswers(String file) {
        aws.reply(DESCRIBE, resource(file).replace(TriggerWorld.DIGEST, digest));
    }

    ObjectNode run(Map<String, Object> gate) throws Exception {
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                {"mode": "run", "infra": "VM",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""");
        payload.put("idempotencyKey", "exec-" + UUID.randomUUID());
        payload.put("taskToken", token);
        ((ObjectNode) payload.at("/step/spec")).set("scanGate", Fixtures.JSON.valueToTree(gate));
        return payload;
    }

    JsonNode stateChange() throws Exception {
        return PlatformBuildsFlowTest.stateChange(buildId);
    }

    JsonNode scanEvent(String file) throws Exception {
        return PlatformBuildsFlowTest.post(event(file).replace(TriggerWorld.DIGEST, digest), 200);
    }

    JsonNode status() throws Exception {
        return PlatformBuildsFlowTest.post("{\"buildId\": \"" + buildId + "\"}", 200);
    }

    Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key))))
                    .item();
        }
    }

    List<JsonNode> mine(String target) {
        return aws.bodies(target).stream().filter(b -> b.path("taskToken").asText().equals(token)).toList();
    }

    @Test
    void aGatedReRun_whoseTagsNameItsCommitsImage_buildsAndIsJudged_insteadOfAnsweringAlreadyBuilt() throws Exception {
        // given: both tags already name one image of the run's commit (which may have failed its own gate)
        aws.reply(AwsFake.ECR + "BatchGetImage", "{\"images\": [" + image("9f1c2d3") + ", " + image("latest") + "],"
                + " \"failures\": []}");
        // when
        JsonNode started = PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH")), 200);
        // then: the build starts, with its gate, as a first run would
        assertEquals("STARTED", started.get("status").asText(), started::toString);
        assertEquals(1, aws.requests(AwsFake.CODEBUILD + "StartBuild").size());
        assertEquals("BUILD", started.at("/checks/existingTags/decision").asText(), started::toString);
        readsBack("SUCCEEDED");
        aws.reply(DESCRIBE, resource("describe-status.json").replace("STATUS", "IN_PROGRESS").replace(TriggerWorld.DIGEST, digest));
        assertEquals("SCANNING", status().get("phase").asText());
    }

    /** An image of BatchGetImage's answer under {@code tag}: the one image of the run's commit. */
    static String image(String tag) {
        return "{\"registryId\": \"123456789012\", \"repositoryName\": \"acme/app\", \"imageId\": {\"imageDigest\": \"sha256:"
                + "c".repeat(64) + "\", \"imageTag\": \"" + tag + "\"}, \"imageManifestMediaType\":"
                + " \"application/vnd.oci.image.manifest.v1+json\", \"imageManifest\": \"{}\"}";
    }

    @Test
    void aSucceededBuild_waitsForItsScan_andTheScanEventPasses_withTheCountsInTheOutput() throws Exception {
        // given: a gated run, its build succeeded, its scan under way
        JsonNode started = PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH")), 200);
        assertEquals("STARTED", started.get("status").asText());
        readsBack("SUCCEEDED");
        aws.reply(DESCRIBE, resource("describe-status.json").replace("STATUS", "IN_PROGRESS").replace(TriggerWorld.DIGEST, digest));
        // when
        JsonNode changed = stateChange();
        // then: the task waits; the build is IN_PROGRESS in phase SCANNING
        assertEquals("IGNORED", changed.get("status").asText(), changed.toString());
        assertEquals(List.of(), mine(SUCCESS));
        assertEquals(List.of(), mine(FAILURE));
        JsonNode scanning = status();
        assertEquals("IN_PROGRESS", scanning.get("status").asText());
        assertEquals("SCANNING", scanning.get("phase").asText());
        assertEquals("SCANNING", scanning.at("/scan/state").asText());
        assertEquals("IN_PROGRESS", scanning.at("/scan/scanStatus").asText());
        // and the scan is read in the target registry, for the digest the build pushed
        JsonNode request = aws.bodies(DESCRIBE).get(0);
        assertEquals("123456789012", request.get("registryId").asText());
        assertEquals("acme/app", request.get("repositoryName").asText());
        assertEquals(digest, request.at("/imageId/imageDigest").asText());
        // when: the scan completes, with nothing above HIGH, and its event comes
        scanAnswers("describe-basic-low-only.json");
        JsonNode passed = scanEvent("ecr-image-scan.json");
        // then
        assertEquals("TASK_SUCCEEDED", passed.get("status").asText(), passed.toString());
        JsonNode output = Fixtures.JSON.readTree(mine(SUCCESS).get(0).get("output").asText());
        assertEquals("SUCCEEDED", output.get("status").asText());
        assertEquals(digest, output.get("digest").asText());
        assertEquals("PASSED", output.at("/scan/state").asText());
        assertEquals(3, output.at("/scan/counts/LOW").asInt());
        assertEquals(0, output.at("/scan/counts/CRITICAL").asInt());
        // and the verdict stands: a status request reads no scan again
        int reads = aws.bodies(DESCRIBE).size();
        JsonNode after = status();
        assertEquals("SUCCEEDED", after.get("status").asText());
        assertEquals("PASSED", after.at("/scan/state").asText());
        assertEquals(reads, aws.bodies(DESCRIBE).size());
        assertEquals(List.of(), aws.bodies(BATCH_DELETE));
    }

    @Test
    void aScanDoneBeforeTheBuildsEvent_isJudgedByThatEvent() throws Exception {
        // given: scan on push finished before CodeBuild's event came: its event names an image no gate judges yet
        PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH")), 200);
        readsBack("SUCCEEDED");
        scanAnswers("describe-basic-low-only.json");
        JsonNode early = scanEvent("ecr-image-scan.json");
        assertEquals("IGNORED", early.get("status").asText());
        // when
        JsonNode changed = stateChange();
        // then
        assertEquals("TASK_SUCCEEDED", changed.get("status").asText(), changed.toString());
    }

    @Test
    void aFailingScan_failsTheTaskWithScanGateFailed_theCountsInItsCause_andRemovesOnlyTheMovingTag() throws Exception {
        // given
        PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH", "untagOnFailure", true)), 200);
        readsBack("SUCCEEDED");
        scanAnswers("describe-basic-complete.json");
        aws.reply(DESCRIBE_IMAGES, "{\"imageDetails\": [{\"registryId\": \"123456789012\", \"repositoryName\": \"acme/app\","
                + " \"imageDigest\": \"" + digest + "\", \"imageTags\": [\"9f1c2d3\", \"latest\"]}]}");
        // when
        JsonNode changed = stateChange();
        // then
        assertEquals("TASK_FAILED", changed.get("status").asText(), changed.toString());
        JsonNode failure = mine(FAILURE).get(0);
        assertEquals("ScanGateFailed", failure.get("error").asText());
        String cause = failure.get("cause").asText();
        assertTrue(cause.contains("FAILED in phase SCAN_GATE"), cause);
        assertTrue(cause.contains("findings above HIGH: 1 CRITICAL (CRITICAL 1, HIGH 2, MEDIUM 0, LOW 4, INFORMATIONAL 0,"
                + " UNDEFINED 0)"), cause);
        // and only the moving tag is removed, by tag, never the digest: the commit's tag keeps the image
        List<JsonNode> deletes = aws.bodies(BATCH_DELETE);
        assertEquals(1, deletes.size());
        assertEquals(Fixtures.JSON.readTree("[{\"imageTag\": \"latest\"}]"), deletes.get(0).get("imageIds"));
        assertEquals("acme/app", deletes.get(0).get("repositoryName").asText());
        assertEquals("123456789012", deletes.get(0).get("registryId").asText());
        // and a status request says the same, with the tags removed
        JsonNode status = status();
        assertEquals("FAILED", status.get("status").asText());
        assertEquals("SCAN_GATE", status.get("phase").asText());
        assertEquals(List.of("latest"), Fixtures.JSON.convertValue(status.at("/scan/untagged"), List.class));
        assertEquals(1, status.at("/scan/counts/CRITICAL").asInt());
        // and a redelivered event removes nothing again
        stateChange();
        assertEquals(1, aws.bodies(BATCH_DELETE).size());
    }

    @Test
    void aFailingScan_withoutUntagOnFailure_removesNoTag() throws Exception {
        // given
        PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "MEDIUM")), 200);
        readsBack("SUCCEEDED");
        scanAnswers("describe-basic-complete.json");
        // when
        JsonNode changed = stateChange();
        // then
        assertEquals("TASK_FAILED", changed.get("status").asText(), changed.toString());
        assertEquals("ScanGateFailed", mine(FAILURE).get(0).get("error").asText());
        assertEquals(List.of(), aws.bodies(BATCH_DELETE));
        assertEquals(List.of(), aws.bodies(DESCRIBE_IMAGES));
    }

    @Test
    void anInspectorEvent_namingTheRepositoryByItsArn_passesAGateThatIgnoresUnfixedFindings() throws Exception {
        // given
        PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH", "ignoreUnfixed", true)), 200);
        readsBack("SUCCEEDED");
        aws.reply(DESCRIBE, resource("describe-status.json").replace("STATUS", "PENDING").replace(TriggerWorld.DIGEST, digest));
        assertEquals("IGNORED", stateChange().get("status").asText());
        aws.reply(DESCRIBE, resource("describe-enhanced-active-page-1.json").replace(TriggerWorld.DIGEST, digest));
        aws.replyWhenBodyContains(DESCRIBE, "enhanced-page-2", AwsFake.json(resource("describe-enhanced-active-page-2.json")
                .replace(TriggerWorld.DIGEST, digest)));
        // when
        JsonNode passed = scanEvent("inspector2-scan.json");
        // then
        assertEquals("TASK_SUCCEEDED", passed.get("status").asText(), passed.toString());
        JsonNode output = Fixtures.JSON.readTree(mine(SUCCESS).get(0).get("output").asText());
        assertEquals("ACTIVE", output.at("/scan/scanStatus").asText());
        assertEquals(2, output.at("/scan/ignoredUnfixed").asInt());
        assertEquals(1, output.at("/scan/counts/HIGH").asInt());
    }

    @Test
    void noScanEventEver_theSweepAsksAgain_andPastTheTimeout_failsTheTask() throws Exception {
        // given: scanning is off for the repository, and the build succeeded
        PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH", "timeout", "5m")), 200);
        readsBack("SUCCEEDED");
        aws.fail(DESCRIBE, 400, "ScanNotFoundException", "Image scan does not exist for the image");
        assertEquals("IGNORED", stateChange().get("status").asText());
        // when: a sweep within the timeout
        PlatformBuildsFlowTest.post(event("scan-gate-sweep.json"), 200);
        // then: still waiting
        assertEquals(List.of(), mine(FAILURE));
        assertEquals("SCANNING", status().at("/scan/state").asText());
        // when: a sweep once the timeout has passed (the gate's start moved back, as if six minutes went by)
        try (DynamoDbClient client = world.dynamoDb().client()) {
            client.updateItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey",
                    AttributeValue.fromS("build#scangate#" + buildId))).updateExpression("SET scanStartedAt = :t")
                    .expressionAttributeValues(Map.of(":t", AttributeValue.fromN(String.valueOf(
                            Instant.now().minusSeconds(360).getEpochSecond())))));
        }
        PlatformBuildsFlowTest.post(event("scan-gate-sweep.json"), 200);
        // then
        JsonNode failure = mine(FAILURE).get(0);
        assertEquals("ScanGateFailed", failure.get("error").asText());
        assertTrue(failure.get("cause").asText().contains("timeout: no verdict 5m after the build succeeded; no scan of the"
                + " image was found"), failure.toString());
        // and the gate is no longer pending: the next sweep does not ask about it, nor about a listed build whose gate
        // is gone (expired), which it takes off the list
        String gone = "ecr-build-push:" + UUID.randomUUID();
        try (DynamoDbClient client = world.dynamoDb().client()) {
            client.updateItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey",
                    AttributeValue.fromS("build#scangates#pending"))).updateExpression("ADD buildIds :b")
                    .expressionAttributeValues(Map.of(":b", AttributeValue.fromSs(List.of(gone)))));
        }
        aws.resetRequests();
        PlatformBuildsFlowTest.post(event("scan-gate-sweep.json"), 200);
        assertFalse(aws.bodies(BATCH_GET_BUILDS).stream().anyMatch(b -> b.toString().contains(buildId)));
        assertFalse(aws.bodies(BATCH_GET_BUILDS).stream().anyMatch(b -> b.toString().contains(gone)));
        assertFalse(item("build#scangates#pending").getOrDefault("buildIds", AttributeValue.fromSs(List.of("x"))).ss()
                .contains(gone));
    }

    @Test
    void forgedScanEvents_forAnImageNoGateJudges_orAnotherAccountOrRepository_doNothing() throws Exception {
        // given: a gated build waiting for its scan
        PlatformBuildsFlowTest.post(run(Map.of("maxSeverity", "HIGH")), 200);
        readsBack("SUCCEEDED");
        aws.reply(DESCRIBE, resource("describe-status.json").replace("STATUS", "IN_PROGRESS").replace(TriggerWorld.DIGEST, digest));
        stateChange();
        scanAnswers("describe-basic-low-only.json");
        aws.resetRequests();
        String event = event("ecr-image-scan.json").replace(TriggerWorld.DIGEST, digest);
        List<String> forged = List.of(
                // an image the function never recorded
                event("ecr-image-scan.json").replace(TriggerWorld.DIGEST, "sha256:" + "e".repeat(64)),
                // the gate's digest, in another account
                event.replace("\"account\": \"123456789012\"", "\"account\": \"999999999999\""),
                // the gate's digest, in another repository
                event.replace("\"repository-name\": \"acme/app\"", "\"repository-name\": \"acme/other\""),
                // the gate's digest, in another region
                event.replace("\"region\": \"us-east-1\"", "\"region\": \"eu-west-1\""),
                // Inspector's ARN naming another account than the event's
                event("inspector2-scan.json").replace(TriggerWorld.DIGEST, digest)
                        .replace("\"arn:aws:ecr:us-east-1:123456789012:repository/acme/app\",\n    \"finding",
                                "\"arn:aws:ecr:us-east-1:999999999999:repository/acme/app\",\n    \"finding"),
                // a digest that is no digest
                event.replace(digest, digest + "\\u0000"));
        for (String body : forged) {
            // when
            JsonNode answer = PlatformBuildsFlowTest.post(body, 200);
            // then
            assertEquals("IGNORED", answer.get("status").asText(), body);
        }
        assertEquals(List.of(), aws.bodies(DESCRIBE));
        assertEquals(List.of(), aws.bodies(BATCH_GET_BUILDS));
        assertEquals(List.of(), mine(SUCCESS));
        assertEquals(List.of(), mine(FAILURE));
        // and the real event still completes it
        assertEquals("TASK_SUCCEEDED", scanEvent("ecr-image-scan.json").get("status").asText());
    }

    @Test
    void anOidcConnector_isRefusedForAGate_namingTheField_beforeAnyAwsCall() throws Exception {
        // given
        ObjectNode payload = run(Map.of("maxSeverity", "HIGH"));
        payload.set("connectors", Fixtures.JSON.readTree("""
                {"role": {"type": "Aws", "spec": {"credential": {"type": "OidcAuthentication",
                          "spec": {"iamRoleArn": "arn:aws:iam::123456789012:role/oidc"}}}}}"""));
        payload.put("oidcToken", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl");
        aws.resetRequests();
        for (String mode : List.of("run", "preflight")) {
            payload.put("mode", mode);
            // when
            JsonNode refused = PlatformBuildsFlowTest.post(payload, 400);
            // then
            assertEquals("InvalidStepException", refused.get("errorType").asText(), refused.toString());
            assertTrue(refused.toString().contains("step.spec.scanGate: "), refused.toString());
        }
        assertEquals(List.of(), aws.calls());
    }
}
