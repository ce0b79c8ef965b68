package dev.ecrpush.images;

import static dev.ecrpush.support.CodeBuildAnswers.AMD_MANIFEST;
import static dev.ecrpush.support.CodeBuildAnswers.ARM_BUILD_ID;
import static dev.ecrpush.support.CodeBuildAnswers.ARM_MANIFEST;
import static dev.ecrpush.support.CodeBuildAnswers.BUILDX_ECR;
import static dev.ecrpush.support.CodeBuildAnswers.BUILD_ID;
import static dev.ecrpush.support.CodeBuildAnswers.ECR;
import static dev.ecrpush.support.CodeBuildAnswers.KANIKO_ECR;
import static dev.ecrpush.support.CodeBuildAnswers.KANIKO_ECR_ARM;
import static dev.ecrpush.support.CodeBuildAnswers.REPOSITORY;
import static dev.ecrpush.support.CodeBuildAnswers.SOURCE;
import static dev.ecrpush.support.CodeBuildAnswers.bothSucceeded;
import static dev.ecrpush.support.CodeBuildAnswers.build;
import static dev.ecrpush.support.CodeBuildAnswers.builds;
import static dev.ecrpush.support.CodeBuildAnswers.exported;
import static dev.ecrpush.support.CodeBuildAnswers.exportedPinnedImages;
import static dev.ecrpush.support.CodeBuildAnswers.failedInBuildPhase;
import static dev.ecrpush.support.CodeBuildAnswers.kanikoImages;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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

import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.step.Platform;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.OciIndexSchema;
import dev.ecrpush.support.PresignedUrlFake;
import dev.ecrpush.support.Repo;

/**
 * The image bootstrap handler with the real CodeBuild client against the WireMock fake of AWS, answering at a local
 * stand-in for the presigned response URL: the exact answer CloudFormation would read for each way a request can
 * end, and the calls made on the way.
 */
class ImageBootstrapTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    static final String BATCH_GET_BUILDS = AwsFake.CODEBUILD + "BatchGetBuilds";
    static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";
    static final String BATCH_GET_IMAGE = AwsFake.ECR + "BatchGetImage";
    static final String PUT_IMAGE = AwsFake.ECR + "PutImage";
    /** The arm64 build's pins of the other images: not the ones answered, which are the amd64 build's. */
    static final String OTHER_ECR = "docker.io/plugins/ecr:21.1.1@sha256:" + "5".repeat(64);
    static final String OTHER_BUILDX_ECR = "docker.io/plugins/buildx-ecr:1.4.2@sha256:" + "6".repeat(64);
    static final String OTHER_SOURCE = "docker.io/alpine/git:2.45.2@sha256:" + "7".repeat(64);
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
    void create_bothPlatformsBuilt_writesTheIndexAndAnswersSuccessPinningTheKanikoImageByIt() throws Exception {
        // given: the amd64 build (the project as it is) and the arm64 build, still running, then both succeeded
        startsBothBuilds();
        aws.stubFailingFirst(BATCH_GET_BUILDS, 1,
                AwsFake.json(builds(build(BUILD_ID, "IN_PROGRESS", "BUILD"), build(ARM_BUILD_ID, "IN_PROGRESS", "PROVISIONING"))),
                AwsFake.json(builds(succeeded(BUILD_ID, exported(KANIKO_ECR, ECR, BUILDX_ECR, SOURCE)),
                        succeeded(ARM_BUILD_ID, exported(KANIKO_ECR_ARM, OTHER_ECR, OTHER_BUILDX_ECR, OTHER_SOURCE)))));
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST));
        aws.reply(PUT_IMAGE, "{\"image\":{}}");
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        JsonNode event = event("create.json");
        // when
        String result = invoke(event, context);
        // then: one build per platform, each natively, its own tag and idempotency token
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds", "BatchGetBuilds", "BatchGetImage", "PutImage"),
                aws.operations());
        assertEquals(List.of(JSON.readTree("""
                {"projectName": "ecr-build-push-images",
                 "environmentVariablesOverride": [
                   {"name": "KANIKO_ECR_TAG", "value": "1.13.9-kaniko1.28.5-linux-amd64", "type": "PLAINTEXT"},
                   {"name": "IMAGE_PLATFORM", "value": "linux/amd64", "type": "PLAINTEXT"}],
                 "idempotencyToken": "0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90-linux-amd64"}"""), JSON.readTree("""
                {"projectName": "ecr-build-push-images",
                 "environmentVariablesOverride": [
                   {"name": "KANIKO_ECR_TAG", "value": "1.13.9-kaniko1.28.5-linux-arm64", "type": "PLAINTEXT"},
                   {"name": "IMAGE_PLATFORM", "value": "linux/arm64", "type": "PLAINTEXT"}],
                 "environmentTypeOverride": "ARM_CONTAINER",
                 "imageOverride": "aws/codebuild/amazonlinux-aarch64-standard:3.0",
                 "computeTypeOverride": "BUILD_GENERAL1_SMALL",
                 "idempotencyToken": "0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90-linux-arm64"}""")), aws.bodies(START_BUILD));
        assertEquals(JSON.readTree("{\"ids\":[\"" + BUILD_ID + "\",\"" + ARM_BUILD_ID + "\"]}"), aws.bodies(BATCH_GET_BUILDS).get(0),
                "one look at both builds per poll");
        // and: the two images read by the digests their builds pinned, every manifest type accepted
        JsonNode get = aws.bodies(BATCH_GET_IMAGE).get(0);
        assertEquals("111111111111", get.path("registryId").asText());
        assertEquals("ecr-build-push/kaniko-ecr", get.path("repositoryName").asText());
        assertEquals(JSON.readTree("[{\"imageDigest\":\"" + ImageIndex.digestOf(AMD_MANIFEST) + "\"},{\"imageDigest\":\""
                + ImageIndex.digestOf(ARM_MANIFEST) + "\"}]"), get.path("imageIds"));
        assertEquals(ImageIndex.MANIFEST_TYPES, JSON.convertValue(get.path("acceptedMediaTypes"), List.class));
        // and: the index put under the tag, valid, listing both images by digest, size and platform
        JsonNode put = aws.bodies(PUT_IMAGE).get(0);
        assertEquals("1.13.9-kaniko1.28.5", put.path("imageTag").asText());
        assertEquals("ecr-build-push/kaniko-ecr", put.path("repositoryName").asText());
        assertEquals(ImageIndex.DOCKER_LIST, put.path("imageManifestMediaType").asText());
        String manifest = put.path("imageManifest").asText();
        String indexDigest = ImageIndex.digestOf(manifest);
        assertEquals(indexDigest, put.path("imageDigest").asText());
        JsonNode index = JSON.readTree(manifest);
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(index)));
        assertEquals(JSON.readTree("[{\"mediaType\":\"" + ImageIndex.DOCKER_MANIFEST + "\",\"digest\":\""
                + ImageIndex.digestOf(AMD_MANIFEST) + "\",\"size\":" + AMD_MANIFEST.length()
                + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},{\"mediaType\":\"" + ImageIndex.DOCKER_MANIFEST
                + "\",\"digest\":\"" + ImageIndex.digestOf(ARM_MANIFEST) + "\",\"size\":" + ARM_MANIFEST.length()
                + ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]"), index.path("manifests"));
        // and: the answer, exactly, at the URL CloudFormation gave: kaniko-ecr pinned by the index, the others as
        // the amd64 build pinned them
        PresignedUrlFake.Received answer = responseUrl.only();
        assertEquals("PUT", answer.method());
        assertEquals(pathAndQuery(event), answer.pathAndQuery());
        assertEquals("", answer.contentType(), "sent, and empty, as the presigned URL was signed");
        assertEquals("{\"Status\":\"SUCCESS\",\"Reason\":\"builds " + BUILD_ID + " (linux/amd64) and " + ARM_BUILD_ID
                + " (linux/arm64) pinned the plugin images; the kaniko-ecr image's index " + indexDigest + " is " + REPOSITORY
                + ":1.13.9-kaniko1.28.5\","
                + "\"PhysicalResourceId\":\"ecr-build-push-images\","
                + "\"StackId\":\"arn:aws:cloudformation:us-east-1:111111111111:stack/ecr-build-push/5b7f1c40-3f1e-11f0-9a8e-0affd3c1e1a1\","
                + "\"RequestId\":\"0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90\",\"LogicalResourceId\":\"PluginImages\","
                + "\"Data\":{\"KanikoEcrImage\":\"" + REPOSITORY + "@" + indexDigest + "\",\"EcrImage\":\"" + ECR
                + "\",\"BuildxEcrImage\":\"" + BUILDX_ECR + "\",\"SourceImage\":\"" + SOURCE + "\","
                + "\"KanikoEcrPlatforms\":\"linux/amd64,linux/arm64\"}}", answer.body());
        assertEquals(answer.body(), result, "the invocation's result is the answer too");
        assertEquals(Duration.ofSeconds(20), context.slept(), "two polls, ten seconds apart");
        assertTrue(context.log().contains("linux/arm64: started build " + ARM_BUILD_ID), context.log());
    }

    @Test
    void amd64Only_asInARegionWithoutArmBuilds_buildsOnePlatform_andPinsTheIndexOfIt() throws Exception {
        // given: the deployer chose linux/amd64 alone (PluginImagePlatforms)
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, builds(succeeded(BUILD_ID, exportedPinnedImages())));
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST));
        aws.reply(PUT_IMAGE, "{\"image\":{}}");
        ObjectNode event = (ObjectNode) event("create.json");
        ((ObjectNode) event.path("ResourceProperties")).put("Platforms", "linux/amd64");
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then: no ARM build asked for; the index lists the one image
        assertEquals(List.of("StartBuild", "BatchGetBuilds", "BatchGetImage", "PutImage"), aws.operations());
        assertTrue(aws.bodies(START_BUILD).get(0).path("environmentTypeOverride").isMissingNode());
        JsonNode index = JSON.readTree(aws.bodies(PUT_IMAGE).get(0).path("imageManifest").asText());
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(index)));
        assertEquals(1, index.path("manifests").size());
        assertEquals(ImageIndex.digestOf(AMD_MANIFEST), index.at("/manifests/0/digest").asText());
        JsonNode answer = JSON.readTree(responseUrl.only().body());
        assertEquals("SUCCESS", answer.path("Status").asText(), answer::toString);
        assertEquals("linux/amd64", answer.at("/Data/KanikoEcrPlatforms").asText());
        assertEquals(REPOSITORY + "@" + ImageIndex.digestOf(aws.bodies(PUT_IMAGE).get(0).path("imageManifest").asText()),
                answer.at("/Data/KanikoEcrImage").asText());
        assertTrue(answer.path("Reason").asText().startsWith("build " + BUILD_ID + " (linux/amd64) pinned"), answer::toString);
    }

    @Test
    void everyPlatformsTheTemplateOffers_isOneTheFunctionBuilds() throws IOException {
        String template = Files.readString(Repo.path("template.yaml"));
        Matcher allowed = Pattern.compile("\\n  PluginImagePlatforms:\\n(?:    .*\\n)*?    AllowedValues: \\[([^\\]]*)\\]")
                .matcher(template);
        assertTrue(allowed.find(), "template.yaml has no PluginImagePlatforms with AllowedValues");
        List<String> values = Stream.of(allowed.group(1).split(", ")).map(v -> v.replace("'", "")).toList();
        assertEquals(List.of("linux/amd64,linux/arm64", "linux/amd64"), values);
        for (String value : values) {
            assertEquals(value, String.join(",", ImageBootstrap.platforms(value).stream().map(Platform::wire).toList()));
        }
    }

    @Test
    void lambdaRetryingTheSameEvent_sendsTheSameTokens_soCodeBuildHandsBackTheSameBuilds() throws Exception {
        // given
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, bothSucceeded());
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST));
        aws.reply(PUT_IMAGE, "{\"image\":{}}");
        JsonNode event = event("create.json");
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        List<String> tokens = aws.bodies(START_BUILD).stream().map(b -> b.path("idempotencyToken").asText()).toList();
        assertEquals(List.of("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90-linux-amd64", "0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90-linux-arm64",
                "0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90-linux-amd64", "0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90-linux-arm64"), tokens);
        List<PresignedUrlFake.Received> answers = responseUrl.received();
        assertEquals(answers.get(0).body(), answers.get(1).body(), "the same index, the same bytes, the same answer");
    }

    @Test
    void update_answersWithTheSamePhysicalResourceId_soTheResourceIsNotReplaced() throws Exception {
        // given
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, bothSucceeded());
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST));
        aws.reply(PUT_IMAGE, "{\"image\":{}}");
        JsonNode event = event("update.json");
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        JsonNode answer = JSON.readTree(responseUrl.only().body());
        assertEquals("SUCCESS", answer.path("Status").asText(), answer::toString);
        assertEquals(event.path("PhysicalResourceId").asText(), answer.path("PhysicalResourceId").asText());
        assertEquals(event.path("RequestId").asText(), answer.path("RequestId").asText());
        assertTrue(answer.at("/Data/KanikoEcrImage").asText().startsWith(REPOSITORY + "@sha256:"), answer::toString);
        assertEquals("6a1f0e9d-8c7b-4a6e-b5d4-c3b2a1908f7e-linux-arm64", aws.bodies(START_BUILD).get(1).path("idempotencyToken").asText());
    }

    @ParameterizedTest(name = "{0} fails")
    @CsvSource(delimiter = '|', value = {
        "linux/arm64 | " + BUILD_ID + " | " + ARM_BUILD_ID,
        "linux/amd64 | " + ARM_BUILD_ID + " | " + BUILD_ID})
    void onePlatformFailing_answersFailedNamingIt_andStopsTheOtherBuild(String platform, String running, String failing)
            throws Exception {
        // given: one build still running, the other failed in its BUILD phase
        startsBothBuilds();
        ObjectNode runningBuild = build(running, "IN_PROGRESS", "BUILD");
        ObjectNode failedBuild = failedInBuildPhase(failing);
        aws.reply(BATCH_GET_BUILDS, running.equals(BUILD_ID) ? builds(runningBuild, failedBuild) : builds(failedBuild, runningBuild));
        aws.reply(STOP_BUILD, "{\"build\":{}}");
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        // when
        invoke(event("create.json"), context);
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", platform + ": build " + failing + " FAILED in phase BUILD:"
                + " COMMAND_EXECUTION_ERROR: Error while executing command: set -eu -o pipefail... Reason: exit status 1"),
                responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds", "StopBuild"), aws.operations(), "no index");
        assertEquals(JSON.readTree("{\"id\":\"" + running + "\"}"), aws.bodies(STOP_BUILD).get(0));
    }

    @Test
    void onePlatformFailingAfterTheOtherSucceeded_stopsNothing() throws Exception {
        // given
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, builds(succeeded(BUILD_ID, exportedPinnedImages()), failedInBuildPhase(ARM_BUILD_ID)));
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertTrue(responseUrl.only().body().contains("\"Reason\":\"linux/arm64: build " + ARM_BUILD_ID + " FAILED"),
                responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds"), aws.operations());
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
        // given: the arm64 build's export is wrong
        ObjectNode build = succeeded(ARM_BUILD_ID, exported(KANIKO_ECR_ARM, ECR, BUILDX_ECR, SOURCE));
        ArrayNode variables = (ArrayNode) build.get("exportedEnvironmentVariables");
        for (JsonNode v : variables) {
            if (v.path("name").asText().equals(variable)) {
                ((ObjectNode) v).put("value", value == null ? "" : value);
            }
        }
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, builds(succeeded(BUILD_ID, exportedPinnedImages()), build));
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "linux/arm64: build " + ARM_BUILD_ID + " succeeded but "
                + problem), responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds"), aws.operations(), "no index");
    }

    @Test
    void startBuildRefused_answersFailedAtOnce() throws Exception {
        // given
        aws.fail(START_BUILD, 400, "AccessDeniedException", "not authorized to perform codebuild:StartBuild");
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "linux/amd64: CodeBuild did not start a build of"
                + " ecr-build-push-images: not authorized to perform codebuild:StartBuild (Service: CodeBuild, Status Code: 400,"
                + " Request ID: null) (SDK Attempt Count: 1)"), responseUrl.only().body());
        assertEquals(List.of("StartBuild"), aws.operations());
    }

    @Test
    void armBuildRefused_asInARegionWithoutArmContainers_answersFailedNamingIt_andStopsTheAmdBuild() throws Exception {
        // given
        aws.reply(START_BUILD, startedBuild(BUILD_ID));
        aws.failWhenBodyContains(START_BUILD, "ARM_CONTAINER", 400, "InvalidInputException",
                "Invalid environment type: ARM_CONTAINER is not supported in this region");
        aws.reply(STOP_BUILD, "{\"build\":{}}");
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "linux/arm64: CodeBuild did not start a build of"
                + " ecr-build-push-images: Invalid environment type: ARM_CONTAINER is not supported in this region (Service:"
                + " CodeBuild, Status Code: 400, Request ID: null) (SDK Attempt Count: 1)"), responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "StopBuild"), aws.operations());
        assertEquals(JSON.readTree("{\"id\":\"" + BUILD_ID + "\"}"), aws.bodies(STOP_BUILD).get(0));
    }

    @Test
    void indexRefused_whenEcrsCopyDoesNotHashToTheDigestTheBuildPinned_answersFailedAndPutsNothing() throws Exception {
        // given
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, bothSucceeded());
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST + " "));
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "the index of the kaniko-ecr image was refused:"
                + " linux/arm64: the manifest ECR returned for " + ImageIndex.digestOf(ARM_MANIFEST)
                + " does not hash to that digest"), responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds", "BatchGetImage"), aws.operations());
    }

    @Test
    void indexNotPut_whenEcrRefuses_answersFailedWithWhy() throws Exception {
        // given
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, bothSucceeded());
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST));
        aws.fail(PUT_IMAGE, 400, "AccessDeniedException", "not authorized to perform ecr:PutImage");
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        JsonNode answer = JSON.readTree(responseUrl.only().body());
        assertEquals("FAILED", answer.path("Status").asText());
        assertTrue(answer.path("Reason").asText().startsWith("the index of the kaniko-ecr image was not written: "), answer::toString);
        assertTrue(answer.path("Reason").asText().contains("ecr.PutImage"), answer::toString);
    }

    @Test
    void aBuildPinningAnImageOutsideTheStacksRepository_isNotListed() throws Exception {
        // given: the arm64 build exported an image of another repository
        startsBothBuilds();
        String elsewhere = "222222222222.dkr.ecr.us-east-1.amazonaws.com/other/kaniko-ecr@" + ImageIndex.digestOf(ARM_MANIFEST);
        aws.reply(BATCH_GET_BUILDS, builds(succeeded(BUILD_ID, exportedPinnedImages()),
                succeeded(ARM_BUILD_ID, exported(elsewhere, ECR, BUILDX_ECR, SOURCE))));
        // when
        invoke(event("create.json"), new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "linux/arm64: build " + ARM_BUILD_ID + " pinned "
                + elsewhere + ", which is not in the stack's repository " + REPOSITORY), responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds"), aws.operations());
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
        // given: a minute left, and builds that do not end
        startsBothBuilds();
        aws.reply(BATCH_GET_BUILDS, builds(build(BUILD_ID, "IN_PROGRESS", "BUILD"), build(ARM_BUILD_ID, "IN_PROGRESS", "QUEUED")));
        TestContext context = new TestContext(Duration.ofSeconds(60));
        // when
        invoke(event("create.json"), context);
        // then: polls at 10, 20 and 30 s; a fourth would leave less than the 30 s kept for answering
        assertEquals(failedAnswer("0d7b4c8e-4c2a-4a55-9c1e-2f5c6d7e8f90", "linux/amd64: build " + BUILD_ID + " had not ended"
                + " (IN_PROGRESS, phase BUILD); linux/arm64: build " + ARM_BUILD_ID + " had not ended (IN_PROGRESS, phase QUEUED)"
                + " when the function had 30 s left; they go on running, see their logs"), responseUrl.only().body());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds", "BatchGetBuilds", "BatchGetBuilds"), aws.operations(),
                "nothing stopped: the builds may still end well");
        assertEquals(Duration.ofSeconds(30), context.slept());
    }

    @Test
    void pollFailingBeyondTheSdksRetries_isTriedAgainAtTheNextInterval() throws Exception {
        // given: one poll's three attempts fail, the next poll answers
        startsBothBuilds();
        aws.stubFailingFirst(BATCH_GET_BUILDS, 3, AwsFake.jsonError(500, "InternalFailure"), AwsFake.json(bothSucceeded()));
        aws.reply(BATCH_GET_IMAGE, kanikoImages(AMD_MANIFEST, ARM_MANIFEST));
        aws.reply(PUT_IMAGE, "{\"image\":{}}");
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        // when
        invoke(event("create.json"), context);
        // then
        assertEquals("SUCCESS", JSON.readTree(responseUrl.only().body()).path("Status").asText());
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds", "BatchGetBuilds", "BatchGetBuilds", "BatchGetBuilds",
                "BatchGetImage", "PutImage"), aws.operations());
        assertEquals(Duration.ofSeconds(20), context.slept());
        assertTrue(context.log().contains("looking at the builds failed, trying again in 10 s"), context.log());
    }

    @Test
    void anUnexpectedException_isAnsweredFailed() throws Exception {
        // given: a client that throws what no SDK call throws
        CodeBuildClient broken = (CodeBuildClient) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CodeBuildClient.class}, (proxy, method, args) -> {
                    throw new IllegalStateException("not what anyone expected");
                });
        TestContext context = new TestContext(FUNCTION_TIMEOUT);
        ImageBootstrap handler = new ImageBootstrap(broken, aws.ecr(Region.US_EAST_1), ImageBootstrap.POLL_INTERVAL,
                ImageBootstrap.RESERVE, context.sleeper());
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

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "KanikoEcrTag | '' | the KanikoEcrTag property null is no image tag of at most 116 characters ([A-Za-z0-9_][A-Za-z0-9_.-]*)",
        "KanikoEcrTag | -leading-dash | the KanikoEcrTag property -leading-dash is no image tag of at most 116 characters"
                + " ([A-Za-z0-9_][A-Za-z0-9_.-]*)",
        "KanikoEcrTag | a:b | the KanikoEcrTag property a:b is no image tag of at most 116 characters ([A-Za-z0-9_][A-Za-z0-9_.-]*)",
        "Repository | docker.io/plugins/kaniko-ecr | the Repository property docker.io/plugins/kaniko-ecr is no ECR repository URI"
                + " (<account>.dkr.ecr.<region>.<domain>/<name>)",
        "Platforms | linux/arm64 | the Platforms property linux/arm64 is neither linux/amd64,linux/arm64 nor linux/amd64",
        "Platforms | linux/amd64,linux/amd64 | the Platforms property linux/amd64,linux/amd64 is neither linux/amd64,linux/arm64"
                + " nor linux/amd64",
        "Platforms | linux/amd64,linux/s390x | the Platforms property linux/amd64,linux/s390x is neither linux/amd64,linux/arm64"
                + " nor linux/amd64",
        "Repository | 111111111111.dkr.ecr.us-east-1.amazonaws.com/ | the Repository property"
                + " 111111111111.dkr.ecr.us-east-1.amazonaws.com/ is no ECR repository URI (<account>.dkr.ecr.<region>.<domain>/<name>)"})
    void aBadTagRepositoryOrPlatformsProperty_isAnsweredFailed_beforeAnyBuild(String property, String value, String reason)
            throws Exception {
        // given
        ObjectNode event = (ObjectNode) event("create.json");
        ((ObjectNode) event.path("ResourceProperties")).put(property, value);
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        JsonNode answer = JSON.readTree(responseUrl.only().body());
        assertEquals("FAILED", answer.path("Status").asText());
        assertEquals(reason, answer.path("Reason").asText());
        assertEquals(List.of(), aws.requests());
    }

    @Test
    void aTagTooLongForItsPlatformTags_isAnsweredFailed() throws Exception {
        // given: 117 characters; with -linux-arm64 the arm64 tag would pass Docker's 128
        ObjectNode event = (ObjectNode) event("create.json");
        ((ObjectNode) event.path("ResourceProperties")).put("KanikoEcrTag", "t".repeat(117));
        // when
        invoke(event, new TestContext(FUNCTION_TIMEOUT));
        // then
        assertEquals("FAILED", JSON.readTree(responseUrl.only().body()).path("Status").asText());
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
        return new ImageBootstrap(aws.codeBuild(Region.US_EAST_1), aws.ecr(Region.US_EAST_1), ImageBootstrap.POLL_INTERVAL,
                ImageBootstrap.RESERVE, context.sleeper());
    }

    /** StartBuild answers the amd64 build, and the arm64 build for the request that asks for ARM_CONTAINER. */
    private void startsBothBuilds() {
        aws.reply(START_BUILD, startedBuild(BUILD_ID));
        aws.replyWhenBodyContains(START_BUILD, "ARM_CONTAINER", AwsFake.json(startedBuild(ARM_BUILD_ID)));
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
