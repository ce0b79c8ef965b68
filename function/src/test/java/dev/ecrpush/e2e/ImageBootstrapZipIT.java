package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.CodeBuildAnswers;
import dev.ecrpush.support.OciIndexSchema;
import dev.ecrpush.support.PresignedUrlFake;
import dev.ecrpush.support.Repo;

/**
 * The image bootstrap function as deployed: {@code target/function.zip} with the handler {@code template.yaml} gives
 * {@code ImageBootstrapFunction}, under the Lambda runtime interface client, against the AWS fake (through
 * {@code AWS_ENDPOINT_URL}) and a local stand-in for the response URL. What only the zip can get wrong: the
 * handler's classes and their dependencies packaged, and the CodeBuild and ECR calls left whole by the SDK shrinker.
 */
class ImageBootstrapZipIT {
    /** Long enough for one poll (10 s) with the 30 s kept back for answering. */
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AwsFake aws;
    private static PresignedUrlFake responseUrl;
    private static LocalLambdaRuntime runtime;
    private static FunctionProcess function;
    private static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        aws = new AwsFake();
        responseUrl = new PresignedUrlFake();
        runtime = LocalLambdaRuntime.start();
        function = FunctionProcess.start(PackagedFunction.ZIP, PackagedFunction.CONFIG.withHandler(handler()), runtime,
                Map.of("AWS_ENDPOINT_URL", aws.endpoint().toString(), "AWS_ACCESS_KEY_ID", AwsFake.FUNCTION_ACCESS_KEY,
                        "AWS_SECRET_ACCESS_KEY", "function-role-secret", "AWS_SESSION_TOKEN", "function-role-session"),
                log);
    }

    @AfterAll
    static void stop() throws IOException {
        if (function != null) {
            function.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (responseUrl != null) {
            responseUrl.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @BeforeEach
    void reset() {
        aws.reset();
    }

    @Test
    void create_startsABuildPerPlatform_writesTheIndex_andAnswersSuccessPinningKanikoEcrByIt() throws IOException {
        // given: the amd64 build and the arm64 one (ARM_CONTAINER), both succeeded; ECR holds their images
        aws.reply(AwsFake.CODEBUILD + "StartBuild", CodeBuildAnswers.startedBuild(CodeBuildAnswers.BUILD_ID));
        aws.replyWhenBodyContains(AwsFake.CODEBUILD + "StartBuild", "ARM_CONTAINER",
                AwsFake.json(CodeBuildAnswers.startedBuild(CodeBuildAnswers.ARM_BUILD_ID)));
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", CodeBuildAnswers.bothSucceeded());
        aws.reply(AwsFake.ECR + "BatchGetImage", CodeBuildAnswers.kanikoImages(CodeBuildAnswers.AMD_MANIFEST,
                CodeBuildAnswers.ARM_MANIFEST));
        aws.reply(AwsFake.ECR + "PutImage", "{\"image\":{}}");
        ObjectNode event = event("create.json");
        int before = responseUrl.received().size();
        // when
        byte[] result = runtime.invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload();
        // then
        List<PresignedUrlFake.Received> puts = responseUrl.received();
        assertEquals(before + 1, puts.size());
        PresignedUrlFake.Received put = puts.get(puts.size() - 1);
        assertEquals("PUT", put.method());
        assertEquals("", put.contentType());
        JsonNode answer = JSON.readTree(put.body());
        assertEquals("SUCCESS", answer.path("Status").asText(), answer::toString);
        assertEquals(event.path("RequestId").asText(), answer.path("RequestId").asText());
        assertEquals(CodeBuildAnswers.PROJECT, answer.path("PhysicalResourceId").asText());
        // and: the index as ECR got it, whole after the SDK shrinker, and kaniko-ecr pinned by its digest
        JsonNode index = aws.bodies(AwsFake.ECR + "PutImage").get(0);
        assertEquals(CodeBuildAnswers.TAG, index.path("imageTag").asText());
        assertEquals(ImageIndex.DOCKER_LIST, index.path("imageManifestMediaType").asText());
        String indexDigest = ImageIndex.digestOf(index.path("imageManifest").asText());
        assertEquals(List.of(), List.copyOf(OciIndexSchema.validate(JSON.readTree(index.path("imageManifest").asText()))));
        assertEquals(JSON.readTree("{\"KanikoEcrImage\":\"" + CodeBuildAnswers.REPOSITORY + "@" + indexDigest + "\",\"EcrImage\":\""
                + CodeBuildAnswers.ECR + "\",\"BuildxEcrImage\":\"" + CodeBuildAnswers.BUILDX_ECR + "\",\"SourceImage\":\""
                + CodeBuildAnswers.SOURCE + "\",\"KanikoEcrPlatforms\":\"linux/amd64,linux/arm64\"}"), answer.path("Data"));
        assertEquals(put.body(), new String(result, StandardCharsets.UTF_8));
        // and: both builds, each with its platform's overrides, and every call signed by the function's credentials
        assertEquals(List.of("StartBuild", "StartBuild", "BatchGetBuilds", "BatchGetImage", "PutImage"), aws.operations());
        assertEquals(List.of("1.13.9-kaniko1.28.5-linux-amd64", "1.13.9-kaniko1.28.5-linux-arm64"),
                aws.bodies(AwsFake.CODEBUILD + "StartBuild").stream()
                        .map(b -> b.at("/environmentVariablesOverride/0/value").asText()).toList());
        assertEquals("ARM_CONTAINER", aws.bodies(AwsFake.CODEBUILD + "StartBuild").get(1).path("environmentTypeOverride").asText());
        assertTrue(aws.requests().stream().allMatch(r -> AwsFake.FUNCTION_ACCESS_KEY.equals(r.signedBy())), aws.requests().toString());
        String output = log.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("linux/arm64: started build " + CodeBuildAnswers.ARM_BUILD_ID), output);
    }

    @Test
    void delete_answersSuccessWithoutCallingAws() throws IOException {
        // given
        ObjectNode event = event("delete.json");
        // when
        runtime.invoke(JSON.writeValueAsBytes(event), TIMEOUT).success();
        // then
        List<PresignedUrlFake.Received> puts = responseUrl.received();
        JsonNode answer = JSON.readTree(puts.get(puts.size() - 1).body());
        assertEquals("SUCCESS", answer.path("Status").asText(), answer::toString);
        assertEquals(event.path("RequestId").asText(), answer.path("RequestId").asText());
        assertEquals(List.of(), aws.requests());
    }

    private static ObjectNode event(String name) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readString(Path.of("src/test/resources/images", name)));
        event.put("ResponseURL", responseUrl.standIn(event.path("ResponseURL").asText()));
        return event;
    }

    /** The bootstrap function's handler in {@code template.yaml}: the test runs what is deployed. */
    private static String handler() throws IOException {
        String template = Files.readString(Repo.path("template.yaml"));
        Matcher m = Pattern.compile("\\n  ImageBootstrapFunction:\\n(?:    .*\\n|\\s*\\n)*?      Handler: (\\S+)\\n").matcher(template);
        if (!m.find()) {
            throw new IllegalStateException("template.yaml has no Handler for ImageBootstrapFunction");
        }
        return m.group(1);
    }
}
