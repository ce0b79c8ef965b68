package dev.ecrpush.images;

import static dev.ecrpush.support.CodeBuildAnswers.BUILDX_ECR;
import static dev.ecrpush.support.CodeBuildAnswers.BUILD_ID;
import static dev.ecrpush.support.CodeBuildAnswers.ECR;
import static dev.ecrpush.support.CodeBuildAnswers.KANIKO_ECR;
import static dev.ecrpush.support.CodeBuildAnswers.SOURCE;
import static dev.ecrpush.support.CodeBuildAnswers.build;
import static dev.ecrpush.support.CodeBuildAnswers.builds;
import static dev.ecrpush.support.CodeBuildAnswers.exported;
import static dev.ecrpush.support.CodeBuildAnswers.failedInBuildPhase;
import static dev.ecrpush.support.CodeBuildAnswers.startedBuild;
import static dev.ecrpush.support.CodeBuildAnswers.succeeded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.PresignedUrlFake;

/**
 * The image bootstrap handler with the real CodeBuild client against the WireMock fake of AWS, answering at a local
 * stand-in for the presigned response URL: the exact answer CloudFormation would read for each way a request can
 * end, and the calls made on the way.
 */
class ImageBootstrapTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    /** What CloudFormation's Lambda invocation gives the function: 15 minutes, the function's timeout. */
    private static final Duration FUNCTION_TIMEOUT = Duration.ofMinutes(15);

    private final AwsFake aws = new AwsFake();
    private PresignedUrlFake responseUrl;

    @BeforeEach
    void start() throws IOException {
        responseUrl = new PresignedUrlFake();
    }

    @AfterEach
    void stop() {
        aws.close();
        responseUrl.close();
    }

    @Test
    void create_buildInProgressThenSucceeded_answersSuccessWithThePinnedImages() throws Exception {
        // given
        aws.reply(START_BUILD, startedBuild());
        aws.stubFailingFirst(BATCH_GET_BUILDS, 1, AwsFake.json(builds(build("IN_PROGRESS", "BUILD"))),
                AwsFake.json(builds(succeeded(exported(KANIKO_ECR, ECR, BUILDX_ECR, SOURCE)))));
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        JsonNode event = event("create.json");
        // when
        String result = invoke(event, context);
        // then: the answer, exactly, at the URL CloudFormation gave
        PresignedUrlFake.Received put = responseUrl.only();
        assertEquals("PUT", put.method());
        assertEquals(pathAndQuery(event), put.pathAndQuery());
        assertEquals("", put.contentType(), "sent, and empty, as the presigned URL was signed");
        assertEquals("{\"Status\":\"SUCCESS\",\"Reason\":\"build " + BUILD_ID + " pinned the plugin images\","
                + "\"PhysicalResourceId\":\"ecr-build-push-images\","
                + "\"StackId\":\"arn:aws:cloudformation:us-east-1:111111111111:stack/ecr-build-push/5b7f1c40-3f1e-11f0-9a8e-0affd3c1e1a1\","
                + "\"RequestId\":\"0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90\",\"LogicalResourceId\":\"PluginImages\","
                + "\"Data\":{\"KanikoEcrImage\":\"" + KANIKO_ECR + "\",\"EcrImage\":\"" + ECR + "\",\"BuildxEcrImage\":\""
                + BUILDX_ECR + "\",\"SourceImage\":\"" + SOURCE + "\"}}", put.body());
        assertEquals(put.body(), result, "the invocation's result is the answer too");
        // and: one build of the project, started with the request's ID as its idempotency token, looked at twice
        assertEquals(List.of("StartBuild", "BatchGetBuilds", "BatchGetBuilds"), aws.operations());
        assertEquals("{\"projectName\":\"ecr-build-push-images\",\"idempotencyToken\":\"0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90\"}",
                aws.bodies(START_BUILD).get(0).toString());
        assertEquals("{\"ids\":[\"" + BUILD_ID + "\"]}", aws.bodies(BATCH_GET_BUILDS).get(0).toString());
        assertEquals(Duration.ofSeconds(20), context.slept(), "two polls, ten seconds apart");
        assertTrue(context.log().contains("started build " + BUILD_ID), context.log());
    }

    @Test
    void update_answersWithTheSamePhysicalResourceId_soTheResourceIsNotReplaced() throws Exception {
        // given
        aws.reply(START_BUILD, startedBuild());
        aws.reply(BATCH_GET_BUILDS, builds(succeeded(exported(KANIKO_ECR, ECR, BUILDX_ECR, SOURCE))));
        JsonNode event = event("update.json");
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        JsonNode answer = JSON.readTree(responseUrl.only().body());
        assertEquals("SUCCESS", answer.path("Status").asText(), answer::toString);
        assertEquals(event.path("PhysicalResourceId").asText(), answer.path("PhysicalResourceId").asText());
        assertEquals(event.path("RequestId").asText(), answer.path("RequestId").asText());
        assertEquals(KANIKO_ECR, answer.at("/Data/KanikoEcrImage").asText());
        assertEquals("6a1f0e9d-8c7b-4a6e-b5d4-c3b2a1908f7e", aws.bodies(START_BUILD).get(0).path("idempotencyToken").asText());
    }

    @Test
    void failedBuild_answersFailedWithTheBuildAndItsFailedPhase() throws Exception {
        // given
        aws.reply(START_BUILD, startedBuild());
        aws.reply(BATCH_GET_BUILDS, builds(failedInBuildPhase()));
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "build " + BUILD_ID + " FAILED in phase BUILD:"
                + " COMMAND_EXECUTION_ERROR: Error while executing command: set -eu -o pipefail... Reason: exit status 1"),
                responseUrl.only().body());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no SOURCE_IMAGE | SOURCE_IMAGE | | exported no SOURCE_IMAGE",
        "a tag, no digest | ECR_IMAGE | docker.io/plugins/ecr:21.1.1 | exported ECR_IMAGE=docker.io/plugins/ecr:21.1.1, which is"
                + " not a reference pinned by its digest (NAME@sha256:<64 hex digits>)",
        "a short digest | BUILDX_ECR_IMAGE | docker.io/plugins/buildx-ecr:1.4.2@sha256:abc | exported BUILDX_ECR_IMAGE="
                + "docker.io/plugins/buildx-ecr:1.4.2@sha256:abc, which is not a reference pinned by its digest"
                + " (NAME@sha256:<64 hex digits>)",
        "no name | KANIKO_ECR_IMAGE | @sha256:1111111111111111111111111111111111111111111111111111111111111111 | exported"
                + " KANIKO_ECR_IMAGE=@sha256:1111111111111111111111111111111111111111111111111111111111111111, which is not a"
                + " reference pinned by its digest (NAME@sha256:<64 hex digits>)"})
    void succeededBuild_withAMissingOrUnpinnedImage_answersFailedNamingIt(String description, String variable, String value,
            String problem) throws Exception {
        // given
        ObjectNode build = succeeded(exported(KANIKO_ECR, ECR, BUILDX_ECR, SOURCE));
        ArrayNode variables = (ArrayNode) build.get("exportedEnvironmentVariables");
        for (JsonNode v : variables) {
            if (v.path("name").asText().equals(variable)) {
                ((ObjectNode) v).put("value", value == null ? "" : value);
            }
        }
        aws.reply(START_BUILD, startedBuild());
        aws.reply(BATCH_GET_BUILDS, builds(build));
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "build " + BUILD_ID + " succeeded but " + problem),
                responseUrl.only().body());
    }

    @Test
    void startBuildRefused_answersFailedAtOnce() throws Exception {
        // given
        aws.fail(START_BUILD, 400, "AccessDeniedException", "not authorized to perform codebuild:StartBuild");
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "CodeBuild did not start a build of"
                + " ecr-build-push-images: not authorized to perform codebuild:StartBuild (Service: CodeBuild, Status Code: 400,"
                + " Request ID: null) (SDK Attempt Count: 1)"), responseUrl.only().body());
        assertEquals(List.of("StartBuild"), aws.operations());
    }

    @Test
    void delete_answersSuccessWithoutCallingAws() throws Exception {
        // given
        JsonNode event = event("delete.json");
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals("{\"Status\":\"SUCCESS\",\"Reason\":\"nothing to delete: the images go with their repository\","
                + "\"PhysicalResourceId\":\"ecr-build-push-images\","
                + "\"StackId\":\"arn:aws:cloudformation:us-east-1:111111111111:stack/ecr-build-push/5b7f1c40-3f1e-11f0-9a8e-0affd3c1e1a1\","
                + "\"RequestId\":\"9e8d7c6b-5a49-4382-a1b0-c9d8e7f6a5b4\",\"LogicalResourceId\":\"PluginImages\"}",
                responseUrl.only().body());
        assertEquals(pathAndQuery(event), responseUrl.only().pathAndQuery());
        assertEquals(List.of(), aws.requests());
    }

    @Test
    void timeRunningOut_answersFailedWhileTheBuildRuns() throws Exception {
        // given: a minute left, and a build that does not end
        aws.reply(START_BUILD, startedBuild());
        aws.reply(BATCH_GET_BUILDS, builds(build("IN_PROGRESS", "BUILD")));
        TestContext context = new TestContext(Duration.ofSeconds(60));
        // when
        invoke(event("create.json"), context);
        // then: polls at 10, 20 and 30 s; a fourth would leave less than the 30 s kept for answering
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "build " + BUILD_ID + " had not ended"
                + " (IN_PROGRESS, phase BUILD) when the function had 30 s left; it goes on running, see its log"),
                responseUrl.only().body());
        assertEquals(List.of("StartBuild", "BatchGetBuilds", "BatchGetBuilds", "BatchGetBuilds"), aws.operations());
        assertEquals(Duration.ofSeconds(30), context.slept());
    }

    @Test
    void pollFailingBeyondTheSdksRetries_isTriedAgainAtTheNextInterval() throws Exception {
        // given: one poll's three attempts fail, the next poll answers
        aws.reply(START_BUILD, startedBuild());
        aws.stubFailingFirst(BATCH_GET_BUILDS, 3, AwsFake.jsonError(500, "InternalFailure"),
                AwsFake.json(builds(succeeded(exported(KANIKO_ECR, ECR, BUILDX_ECR, SOURCE)))));
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        // when
        invoke(event("create.json"), context);
        // then
        assertEquals("SUCCESS", JSON.readTree(responseUrl.only().body()).path("Status").asText());
        assertEquals(List.of("StartBuild", "BatchGetBuilds", "BatchGetBuilds", "BatchGetBuilds", "BatchGetBuilds"), aws.operations());
        assertEquals(Duration.ofSeconds(20), context.slept());
        assertTrue(context.log().contains("looking at it failed, trying again in 10 s"), context.log());
    }

    @Test
    void anUnexpectedException_isAnsweredFailed() throws Exception {
        // given: a client that throws what no SDK call throws
        CodeBuildClient broken = (CodeBuildClient) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CodeBuildClient.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("not what anyone expected");
                });
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        ImageBootstrap handler = new ImageBootstrap(broken, ImageBootstrap.POLL_INTERVAL, ImageBootstrap.RESERVE, context.sleeper());
        // when
        handler.handleRequest(input(event("create.json")), new ByteArrayOutputStream(), context);
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90",
                "the image bootstrap failed: java.lang.IllegalStateException: not what anyone expected"), responseUrl.only().body());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "RequestType | Rename | unknown RequestType Rename | ecr-build-push-images",
        "ResourceProperties | {} | the resource has no ProjectName property | PluginImages"})
    void aRequestThisFunctionCannotServe_isAnsweredFailed(String field, String value, String reason, String physicalResourceId)
            throws Exception {
        // given
        ObjectNode event = (ObjectNode) event("create.json");
        event.set(field, value.startsWith("{") ? JSON.readTree(value) : JSON.getNodeFactory().textNode(value));
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        JsonNode answer = JSON.readTree(responseUrl.only().body());
        assertEquals("FAILED", answer.path("Status").asText());
        assertEquals(reason, answer.path("Reason").asText());
        assertEquals(physicalResourceId, answer.path("PhysicalResourceId").asText(), "the project, or else the logical ID");
        assertEquals(List.of(), aws.requests());
    }

    @Test
    void anEventWithoutResponseUrl_cannotBeAnswered_andFailsTheInvocation() throws Exception {
        // given
        ObjectNode event = (ObjectNode) event("create.json");
        event.remove("ResponseURL");
        ImageBootstrap handler = handler(new TestContext(FUNCTION_TIMEOUT));
        // when
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class,
                () -> handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), new ByteArrayOutputStream(),
                        new TestContext(FUNCTION_TIMEOUT)));
        // then
        assertEquals("the event is no CloudFormation custom resource request: it has no ResponseURL", thrown.getMessage());
        assertEquals(List.of(), responseUrl.received());
        assertEquals(List.of(), aws.requests());
    }

    @Test
    void responseUrlRefusingOnce_getsTheSameAnswerAgain() throws Exception {
        // given
        responseUrl.answerNext(503);
        // when
        invoke(event("delete.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        List<PresignedUrlFake.Received> puts = responseUrl.received();
        assertEquals(2, puts.size());
        assertEquals(puts.get(0), puts.get(1));
    }

    @Test
    void responseUrlRefusingEveryAttempt_failsTheInvocation_soLambdaRetriesTheEvent() throws Exception {
        // given
        responseUrl.answerNext(403, 403, 403);
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        // when
        IOException thrown = assertThrows(IOException.class, () -> invoke(event("delete.json"), context));
        // then
        assertEquals("the response URL did not take the response: HTTP 403 from the response URL", thrown.getMessage());
        assertEquals(3, responseUrl.received().size());
        assertEquals(Duration.ofSeconds(3), context.slept(), "one, then two seconds between the attempts");
    }

    // ------------------------------------------------------------------------------------------------------------

    private String invoke(JsonNode event, TestContext context) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler(context).handleRequest(input(event), out, context);
        return out.toString(StandardCharsets.UTF_8);
    }

    private ImageBootstrap handler(TestContext context) {
        return new ImageBootstrap(aws.codeBuild(Region.US_EAST_1), ImageBootstrap.POLL_INTERVAL, ImageBootstrap.RESERVE,
                context.sleeper());
    }

    private ByteArrayInputStream input(JsonNode event) throws IOException {
        return new ByteArrayInputStream(JSON.writeValueAsBytes(event));
    }

    /** A fixture with its response URL pointing at the local stand-in (path and query as CloudFormation gave them). */
    private JsonNode event(String name) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(Path.of("src/test/resources/images", name)));
        event.put("ResponseURL", responseUrl.standIn(event.path("ResponseURL").asText()));
        return event;
    }

    private static String pathAndQuery(JsonNode event) {
        String url = event.path("ResponseURL").asText();
        return url.substring(url.indexOf('/', "http://".length()));
    }

    private static String failedAnswer(String requestId, String reason) throws IOException {
        ObjectNode answer = JSON.createObjectNode().put("Status", "FAILED").put("Reason", reason)
                .put("PhysicalResourceId", "ecr-build-push-images")
                .put("StackId", "arn:aws:cloudformation:us-east-1:111111111111:stack/ecr-build-push/5b7f1c40-3f1e-11f0-9a8e-0affd3c1e1a1")
                .put("RequestId", requestId).put("LogicalResourceId", "PluginImages");
        return JSON.writeValueAsString(answer);
    }
}
