package dev.ecrpush.priming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.OciIndexSchema;

/**
 * The run path's priming: every operation of the run and event paths marshalled, signed and parsed, and not one
 * connection opened, even with every SDK endpoint pointed at a live local socket that would take it.
 */
class RunPathPrimingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordingSocket socket;

    @BeforeEach
    void recordEveryConnection() throws IOException {
        socket = new RecordingSocket();
    }

    @AfterEach
    void restore() throws IOException {
        socket.close();
    }

    private static RunPathPriming priming(Map<String, String> environment) {
        ServiceConfig config = Fixtures.config(environment);
        Settings settings = new Settings(config, JSON, new Executors(List.of(Fixtures.CODEBUILD, Fixtures.ECS)), new GitHostRegistry());
        return new RunPathPriming(config, new GitHostRegistry(), settings.planConfig(), JSON);
    }

    @Test
    void prime_answersEveryOperationOfTheRunAndEventPaths_withoutAConnection() {
        // when: with nothing configured (no cluster, no execution role, no idempotency table, the unbuilt kaniko image)
        RunPathPriming.Outcome outcome = priming(Map.of()).prime();
        // then: a CodeBuild build and an ECS task started through the function's own stages, on canned answers
        assertEquals(2, outcome.buildIds().size(), outcome.toString());
        assertTrue(outcome.buildIds().get(0).matches("ecr-build-push:[0-9a-f-]{36}"), outcome.toString());
        assertTrue(outcome.buildIds().get(1).matches("arn:aws:ecs:us-east-1:123456789012:task/priming/[0-9a-f]{32}"),
                outcome.toString());
        // and every operation a function without a table calls was answered locally; only those no payload reaches
        // were called directly (a run's tag lookup reaches BatchGetImage, and DescribeRepositories for a tag that exists)
        List<String> reachable = RunPathPriming.OPERATIONS.stream().filter(o -> !RunPathPriming.TABLE_OPERATIONS.contains(o)
                && !RunPathPriming.TABLE_STEP_OPERATIONS.contains(o)).toList();
        assertTrue(outcome.operations().containsAll(reachable),
                "not primed: " + reachable.stream().filter(o -> !outcome.operations().contains(o)).toList());
        assertEquals(List.of("SetRepositoryPolicy", "PutImage", "GetParameter", "StopTask"), outcome.calledDirectly());
        // and the ECS task's end deleted its stashed token and swept the region, through the function's own cleanup
        assertTrue(outcome.operations().containsAll(List.of("DeleteParameter", "DescribeParameters")), outcome.operations().toString());
        // and nothing of a table or of Step Functions, which such a function never calls: the builds' ends were read as
        // a status request reads them; nor a scan gate's reading or a build stopped, for the steps it refuses
        assertEquals(List.of(), outcome.operations().stream().filter(RunPathPriming.TABLE_OPERATIONS::contains).toList(),
                outcome.operations().toString());
        assertEquals(List.of(), outcome.operations().stream().filter(RunPathPriming.TABLE_STEP_OPERATIONS::contains).toList(),
                outcome.operations().toString());
        assertTrue(outcome.operations().containsAll(List.of("BatchGetBuilds", "DescribeTasks", "GetLogEvents")),
                outcome.operations().toString());
        // and nothing reached the network
        assertEquals(0, socket.connections(), "connections opened while priming");
    }

    @Test
    void prime_withASigningProfile_stillStartsBothBuilds_withoutAConnection() {
        // given: the registry stage then reads the signing configuration, which priming answers as covering
        RunPathPriming priming = priming(Map.of("BUILDPUSH_REPOSITORY_SIGNING",
                "arn:aws:signer:us-east-1:123456789012:/signing-profiles/builds_prod"));
        // when
        RunPathPriming.Outcome outcome = priming.prime();
        // then
        assertEquals(2, outcome.buildIds().size(), outcome.toString());
        assertTrue(outcome.operations().contains("GetSigningConfiguration"), outcome.operations().toString());
        assertFalse(outcome.operations().contains("PutSigningConfiguration"), outcome.operations().toString());
        // and a signed image's status, read as a build's end reads it
        assertTrue(outcome.calledDirectly().contains("DescribeImageSigningStatus"), outcome.toString());
        assertEquals(0, socket.connections(), "connections opened while priming");
    }

    @Test
    void prime_withTheStacksConfiguration_stillPrimesEverything() throws IOException {
        // given: what the stack configures: a cluster, roles, the built kaniko image, an idempotency table
        RunPathPriming priming = priming(Map.of("BUILDPUSH_ECS_CLUSTER", "builds", "BUILDPUSH_ECS_EXECUTION_ROLE_ARN",
                "arn:aws:iam::111111111111:role/execution", "BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE",
                "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr:1", "BUILDPUSH_IDEMPOTENCY_TABLE", "runs",
                "BUILDPUSH_REPOSITORY_BUILD_PRINCIPAL", "arn:aws:iam::111111111111:role/build"));
        // when
        RunPathPriming.Outcome outcome = priming.prime();
        // then: the configured cluster's task, and a new repository's push policy set by the function's own code
        assertTrue(outcome.buildIds().get(1).matches("arn:aws:ecs:us-east-1:123456789012:task/builds/[0-9a-f]{32}"),
                outcome.toString());
        assertTrue(outcome.operations().containsAll(RunPathPriming.OPERATIONS), outcome.toString());
        assertFalse(outcome.calledDirectly().contains("SetRepositoryPolicy"), outcome.toString());
        // and a two-platform run: a build per platform, natively, then the index over both put under each tag
        assertEquals(3, outcome.buildIds().size(), outcome.toString());
        List<JsonNode> starts = bodies(outcome, "StartBuild");
        assertEquals(List.of("LINUX_CONTAINER", "ARM_CONTAINER"), starts.subList(1, 3).stream()
                .map(start -> start.path("environmentTypeOverride").asText()).toList());
        assertFalse(outcome.calledDirectly().contains("PutImage"), outcome.toString());
        List<JsonNode> puts = bodies(outcome, "PutImage");
        assertEquals(List.of("0123456", "latest"), puts.stream().map(put -> put.path("imageTag").asText()).toList());
        JsonNode index = JSON.readTree(puts.get(0).path("imageManifest").asText());
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(index)));
        assertEquals(List.of("amd64", "arm64"), List.of(index.at("/manifests/0/platform/architecture").asText(),
                index.at("/manifests/1/platform/architecture").asText()));
        // its waiting task completed with the index's digest
        List<JsonNode> completed = bodies(outcome, "SendTaskSuccess");
        JsonNode output = JSON.readTree(completed.get(completed.size() - 1).path("output").asText());
        assertEquals(ImageIndex.digestOf(puts.get(0).path("imageManifest").asText()), output.path("digest").asText());
        // and, with a table, the claims and the task tokens through the function's own code, not called directly
        assertTrue(RunPathPriming.TABLE_OPERATIONS.stream().noneMatch(outcome.calledDirectly()::contains), outcome.toString());
        assertEquals(0, socket.connections(), "connections opened while priming");
    }

    private static List<JsonNode> bodies(RunPathPriming.Outcome outcome, String operation) {
        List<JsonNode> bodies = new ArrayList<>();
        for (CannedAws.Request request : outcome.requests()) {
            if (request.operation().equals(operation)) {
                try {
                    bodies.add(JSON.readTree(request.body()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return bodies;
    }

    @Test
    void primeAtInit_leavesOutTheTwoPlatformRun_andStillAnswersEveryOperation() {
        // given: the stack's configuration, with its idempotency table
        RunPathPriming priming = priming(Map.of("BUILDPUSH_ECS_CLUSTER", "builds", "BUILDPUSH_ECS_EXECUTION_ROLE_ARN",
                "arn:aws:iam::111111111111:role/execution", "BUILDPUSH_IDEMPOTENCY_TABLE", "runs"));
        // when
        RunPathPriming.Outcome outcome = priming.primeAtInit();
        // then: the CodeBuild and ECS runs alone; the image index's calls are made directly instead
        assertEquals(2, outcome.buildIds().size(), outcome.toString());
        assertEquals(1, bodies(outcome, "StartBuild").size(), outcome.toString());
        assertTrue(outcome.calledDirectly().containsAll(List.of("PutImage", "StopBuild")), outcome.toString());
        assertTrue(outcome.operations().containsAll(RunPathPriming.OPERATIONS), outcome.toString());
        assertEquals(0, socket.connections(), "connections opened while priming");
    }

    @Test
    void theRecordingSocket_seesARealClientsCall() {
        // A control: the same endpoint setting does bring a real client to the socket, which counts it.
        AwsClients real = new AwsClients(AwsClients.Options.defaults().withFunctionCredentials(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDCONTROL", "control"))));
        try {
            assertThrows(SdkException.class, () -> real.ecr(Region.US_EAST_1, real.functionCredentials())
                    .describeRepositories(r -> r.repositoryNames("control")));
        } finally {
            real.close();
        }
        assertTrue(socket.connections() > 0, "the socket saw no connection");
    }
}
