package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * ECR managed signing through the packaged zip, as Lambda runs it with {@code BUILDPUSH_REPOSITORY_SIGNING} set: the
 * registry's signing rule added in the cold path (every other rule kept) and no signing call warm, preflight's look at
 * the profile through the Signer client left in the zip, and the status of a build whose target was not kept.
 */
class SigningZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String FUNCTION_KEY = PackagedFunction.FUNCTION_ACCESS_KEY;
    private static final String TARGET_KEY = KnownTargetScenario.TARGET_KEY;
    private static final String PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/builds_prod";
    private static final String OTHER_RULE = "{\"signingProfileArn\":\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/"
            + "security\",\"repositoryFilters\":[{\"filter\":\"payments/*\",\"filterType\":\"WILDCARD_MATCH\"}]}";
    private static final String OWN_RULE = "{\"signingProfileArn\":\"" + PROFILE + "\",\"repositoryFilters\":[{\"filter\":\"app\","
            + "\"filterType\":\"WILDCARD_MATCH\"}]}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AwsFake aws;
    private static LocalLambdaRuntime runtime;
    private static FunctionProcess function;
    private static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        aws = new AwsFake();
        runtime = LocalLambdaRuntime.start();
        Map<String, String> environment = new HashMap<>(PackagedFunction.environment(aws.endpoint()));
        environment.put("BUILDPUSH_REPOSITORY_SIGNING", PROFILE);
        function = PackagedFunction.start(runtime, environment, log);
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
    void run_coldAddsTheRuleKeepingTheOthers_warmMakesNoSigningCall() throws IOException {
        // given: the registry has another team's rule; after the write, both
        KnownTargetScenario.stub(aws, true);
        aws.stubFailingFirst(AwsFake.ECR + "GetSigningConfiguration", 1, AwsFake.json(configuration(OTHER_RULE)),
                AwsFake.json(configuration(OTHER_RULE + "," + OWN_RULE)));
        aws.reply(AwsFake.ECR + "PutSigningConfiguration", "{}");
        byte[] payload = JSON.writeValueAsBytes(KnownTargetScenario.payload("run", "app", "sign-zip"));
        // when
        JsonNode cold = JSON.readTree(runtime.invoke(payload, TIMEOUT).success().payload());
        // then: the signing calls in the target account, before the build
        assertEquals("STARTED", cold.path("status").asText(), cold::toString);
        assertEquals(List.of("GetSecretValue by " + FUNCTION_KEY, "AssumeRole by " + KnownTargetScenario.CONNECTOR_KEY,
                "CreateRepository by " + TARGET_KEY, "GetSigningConfiguration by " + TARGET_KEY,
                "PutSigningConfiguration by " + TARGET_KEY, "GetSigningConfiguration by " + TARGET_KEY,
                "BatchGetImage by " + TARGET_KEY, "StartBuild by " + FUNCTION_KEY), aws.calls());
        assertEquals(JSON.readTree("[" + OTHER_RULE + "," + OWN_RULE + "]"),
                aws.bodies(AwsFake.ECR + "PutSigningConfiguration").get(0).at("/signingConfiguration/rules"));

        // when: warm, the same target
        aws.resetRequests();
        runtime.invoke(payload, TIMEOUT).success();
        // then: the tag lookup every run makes, and no signing call
        assertEquals(List.of("BatchGetImage by " + TARGET_KEY, "StartBuild by " + FUNCTION_KEY), aws.calls());
    }

    @Test
    void preflight_looksAtTheProfileWithTheTargetCredentials() throws IOException {
        // given
        KnownTargetScenario.stub(aws, false);
        aws.reply(AwsFake.SIGNER + "GetSigningProfile", "{\"profileName\":\"builds_prod\",\"platformId\":\"Notation-OCI-SHA384-ECDSA\","
                + "\"status\":\"Active\",\"arn\":\"" + PROFILE + "\"}");
        aws.reply(AwsFake.ECR + "GetSigningConfiguration", configuration(OTHER_RULE));
        byte[] payload = JSON.writeValueAsBytes(KnownTargetScenario.payload("preflight", "fresh/app", "sign-preflight-zip"));
        // when
        JsonNode result = JSON.readTree(runtime.invoke(payload, TIMEOUT).success().payload());
        // then
        assertEquals("PREFLIGHT_OK", result.path("status").asText(), result::toString);
        assertEquals("Active", result.at("/checks/signing/status").asText(), result::toString);
        assertTrue(aws.calls().contains("GetSigningProfile by " + TARGET_KEY), aws.calls().toString());
        assertTrue(aws.requests(AwsFake.ECR + "PutSigningConfiguration").isEmpty());
    }

    @Test
    void status_withoutAnIdempotencyTable_isNotCheckedAndSaysWhy() throws IOException {
        // given
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", "{\"builds\":[{\"id\":\"" + KnownTargetScenario.BUILD_ID + "\",\"projectName\":"
                + "\"ecr-build-push\",\"buildStatus\":\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\",\"exportedEnvironmentVariables\":"
                + "[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"sha256:" + "ab".repeat(32) + "\"}]}]}");
        // when
        JsonNode status = JSON.readTree(runtime.invoke(("{\"buildId\": \"" + KnownTargetScenario.BUILD_ID + "\"}")
                .getBytes(StandardCharsets.UTF_8), TIMEOUT).success().payload());
        // then
        assertEquals("SUCCEEDED", status.path("status").asText(), status::toString);
        assertEquals("NOT_CHECKED", status.at("/signing/status").asText(), status::toString);
        assertTrue(status.at("/signing/failureReason").asText().startsWith("no idempotency table is configured"), status::toString);
    }

    private static String configuration(String rules) {
        return "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":[" + rules + "]}}";
    }
}
