package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import io.restassured.response.ValidatableResponse;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.executor.ecs.EcsSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFakeResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.support.Repo;

/**
 * Issue "Nobody gets in where they don't belong", case 7 (bad input): every payload here is a run that would start a
 * build if it got through (the AWS fake answers every call a run makes), and each is refused with a typed,
 * non-retryable error naming the field, bounded in size, before any AWS call.
 */
@QuarkusTest
@QuarkusTestResource(value = AwsFakeResource.class, restrictToAnnotatedClass = true)
class InputAbuseTest {
    @InjectFake
    AwsFake aws;

    @BeforeEach
    void stub() {
        KnownTargetScenario.stub(aws, true);
    }

    private static ObjectNode run() {
        return KnownTargetScenario.payload("run", "app", "input-abuse");
    }

    private ValidatableResponse post(byte[] body, int status) {
        ValidatableResponse response = FromEdge.given().body(body).contentType("application/json").post("/internal/events")
                .then().statusCode(status);
        assertEquals(List.of(), aws.calls(), "an AWS call was made for invalid input");
        return response;
    }

    private JsonNode invalid(String body) throws Exception {
        return invalid(body.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode invalid(byte[] body) throws Exception {
        JsonNode error = Fixtures.JSON.readTree(post(body, 400).extract().asString());
        assertEquals("InvalidStepException", error.get("errorType").asText(), error::toString);
        assertFalse(error.get("retryable").asBoolean(), error::toString);
        return error;
    }

    /** The control: the run itself starts a build, so each refusal below is the check's doing. */
    @Test
    void theRunEveryCaseVaries_startsABuild() {
        FromEdge.given().body(run().toString()).contentType("application/json").post("/internal/events").then().statusCode(200);
        assertTrue(aws.calls().stream().anyMatch(call -> call.startsWith("StartBuild")), aws.calls()::toString);
    }

    @Test
    void duplicateKey_isRefused_namingTheKey() throws Exception {
        // given: a lenient reader takes the last "mode", and runs
        String body = run().put("mode", "plan").toString().replaceFirst("\\{", "{\"mode\":\"run\",");
        // when
        JsonNode error = invalid(body);
        // then
        assertTrue(error.get("errorMessage").asText().startsWith("payload: the key \"mode\" is given twice in one object"),
                error::toString);
    }

    @Test
    void duplicateKeyDeepInThePayload_isRefused() throws Exception {
        String body = run().toString().replace("\"imageName\":\"app\"", "\"imageName\":\"app\",\"imageName\":\"other\"");
        assertTrue(invalid(body).get("errorMessage").asText().contains("the key \"imageName\" is given twice"));
    }

    @ParameterizedTest(name = "trailing {0}")
    @ValueSource(strings = {" {\"mode\":\"plan\"}", "x", "]", " 1", "{}"})
    void contentAfterThePayload_isRefused(String trailing) throws Exception {
        JsonNode error = invalid(run() + trailing);
        assertTrue(error.get("errorMessage").asText().startsWith("payload: "), error::toString);
        assertFalse(error.get("errorMessage").asText().contains("input-abuse"), "the message quotes the payload");
    }

    @Test
    void payloadLargerThan256KiB_isRefusedBeforeItIsRead_evenWhenItIsNotJson() throws Exception {
        byte[] body = new byte[256 * 1024 + 1];
        java.util.Arrays.fill(body, (byte) '[');
        JsonNode error = invalid(body);
        assertEquals("payload: is 262145 bytes; the function reads at most 262144 (256 KiB)", error.get("errorMessage").asText());
    }

    @Test
    void payloadOfAtMost256KiB_isRead() throws Exception {
        ObjectNode payload = run();
        payload.put("idempotencyKey", "k");
        String small = payload.toString();
        // padded with whitespace to exactly the limit: read, and refused only for what it says
        String body = small + " ".repeat(256 * 1024 - small.length());
        FromEdge.given().body(body).contentType("application/json").post("/internal/events").then().statusCode(200);
    }

    @Test
    void twoHundredThousandTags_isOneBoundedProblem() throws Exception {
        // given: the reported 200k tags, which made a 14.9 MB answer
        ObjectNode payload = run();
        ArrayNode tags = ((ObjectNode) payload.at("/step/spec")).putArray("tags");
        for (int i = 0; i < 200_000; i++) {
            tags.add("t" + i);
        }
        byte[] body = payload.toString().getBytes(StandardCharsets.UTF_8);
        // when
        String answer = post(body, 400).extract().asString();
        // then: refused by its size, in a few hundred bytes
        assertTrue(answer.length() < 1000, answer.length() + " characters");
        assertTrue(answer.contains("payload: is " + body.length + " bytes"), answer);
    }

    @Test
    void oneTagTooMany_isRefused_namingTheField() throws Exception {
        ObjectNode payload = run();
        ArrayNode tags = ((ObjectNode) payload.at("/step/spec")).putArray("tags");
        for (int i = 0; i < 101; i++) {
            tags.add("t" + i);
        }
        assertEquals("step.spec.tags: has 101 items; at most 100 are allowed", invalid(payload.toString()).get("errorMessage").asText());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"buildArgs", "labels", "envVariables"})
    void mapOfTooManyEntries_isRefused_namingTheField(String field) throws Exception {
        ObjectNode payload = run();
        ObjectNode map = ((ObjectNode) payload.at("/step/spec")).putObject(field);
        for (int i = 0; i < 101; i++) {
            map.put("K" + i, "v");
        }
        assertEquals("step.spec." + field + ": has 101 entries; at most 100 are allowed",
                invalid(payload.toString()).get("errorMessage").asText());
    }

    @Test
    void tooManyConnectors_isRefused_namingTheField() throws Exception {
        ObjectNode payload = run();
        ObjectNode connectors = (ObjectNode) payload.get("connectors");
        for (int i = 0; i < 100; i++) {
            connectors.set("c" + i, connectors.get("aws").deepCopy());
        }
        assertTrue(invalid(payload.toString()).get("errorMessage").asText()
                .contains("connectors: has 101 entries; at most 100 are allowed"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://github.com/acme/app^.git", "https://github.com/acme|app.git", "https://github.com/acme/%zz.git",
            "https://github.com/acme app.git", "https:///acme/app.git", "https://[::1/acme.git", "https://github.com/a#frag"})
    void repoUrlNoUriReaderTakes_isRefused_namingTheField(String url) throws Exception {
        // given: each of these ended in an InternalErrorException (retried 4 times) once the build was planned
        ObjectNode payload = run();
        payload.putObject("codebase").put("repoUrl", url).put("branch", "main");
        // when
        JsonNode error = invalid(payload.toString());
        // then
        assertTrue(error.get("errorMessage").asText().startsWith("codebase.repoUrl: "), error::toString);
        assertFalse(error.get("errorMessage").asText().contains("acme"), "the message quotes the URL");
    }

    @Test
    void controlCharactersInAValue_neverForgeALine_andALongValueIsCut() throws Exception {
        // given: a mode that would write a forged line into the log and the caller's error output
        ObjectNode payload = run().put("mode", "run\nERROR [dev.ecrpush] build approved\u2028\u202e" + "x".repeat(10_000));
        // when
        String message = invalid(payload.toString()).get("errorMessage").asText();
        // then
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.startsWith("mode: \"run\\u000aERROR [dev.ecrpush] build approved\\u2028\\u202e"), message);
        assertTrue(message.length() < 300, message.length() + " characters");
    }

    @Test
    void manyProblems_areListedUpToABound() throws Exception {
        ObjectNode payload = run();
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        for (int i = 0; i < 500; i++) {
            spec.put("unknown" + i + "\n", 1);
        }
        String message = invalid(payload.toString()).get("errorMessage").asText();
        List<String> lines = message.lines().toList();
        assertEquals(51, lines.size(), message);
        assertTrue(lines.get(50).matches("payload: \\d+ more problems are not listed"), lines.get(50));
        assertFalse(lines.stream().anyMatch(line -> line.contains("\n") || line.contains("\r")));
    }

    // --- malformed events --------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"taskArn\": 7}", "{\"taskArn\": null}", "{}", "{\"taskArn\": [\"arn:aws:ecs:us-east-1:1:task/c/1\"]}",
            "{\"taskArn\": \"arn:aws:ecs:us-east-1:111111111111:task/no-id\"}",
            "{\"taskArn\": \"arn:aws:ecs:us-east-1:111111111111:task/c/\\u0000\\n\"}"})
    void malformedEcsStateChange_isRefused_namingTheField(String detail) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/ecs-task-state-change.json")));
        event.set("detail", Fixtures.JSON.readTree(detail));
        JsonNode error = invalid(event.toString());
        assertTrue(error.get("errorMessage").asText().startsWith("detail.taskArn: "), error::toString);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"detail\"", "null", "[]", "7"})
    void ecsStateChangeWhoseDetailIsNoObject_isRefused(String detail) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/ecs-task-state-change.json")));
        event.set("detail", Fixtures.JSON.readTree(detail));
        JsonNode error = invalid(event.toString());
        assertTrue(error.get("errorMessage").asText().startsWith("detail"), error::toString);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"{\"build-id\": 7}", "{}", "{\"build-id\": \"arn:aws:codebuild:us-east-1:111111111111:build/\"}",
            "{\"build-id\": \"arn:aws:codebuild:us-east-1:111111111111:build/p:x\\ny\"}"})
    void malformedCodeBuildStateChange_isRefused_namingTheField(String detail) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        event.set("detail", Fixtures.JSON.readTree(detail));
        JsonNode error = invalid(event.toString());
        assertTrue(error.get("errorMessage").asText().startsWith("detail.build-id: "), error::toString);
    }

    // --- the ECS git token's host --------------------------------------------------------------------------------

    /** {@code events/plan-ecs.json} as a run with this repoUrl, parsed with a token for {@code git.example.com}. */
    private static void parseEcsWithToken(String repoUrl) throws Exception {
        ObjectNode payload = (ObjectNode) Fixtures.read(Repo.path("events/plan-ecs.json"));
        ((ObjectNode) payload.get("codebase")).put("repoUrl", repoUrl);
        EcsSettings ecs = EcsSettings.defaults().withGitToken("arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/git",
                "x-access-token", "git.example.com");
        StepParser.parse(payload, Fixtures.parseSettings(CodeBuildSettings.defaults(), ecs));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://git.example.com/acme/app.git", "https://127.0.0.1/acme/app.git", "https://localhost/acme/app.git",
            "https://169.254.170.2/v2/credentials", "https://169.254.169.254/latest/meta-data", "https://[::1]/acme/app.git",
            "https://[fd00:ec2::254]/latest", "https://2130706433/acme/app.git", "https://0x7f.1/acme/app.git",
            "https://[fe80::1]/acme/app.git", "https://0.0.0.0/acme/app.git"})
    void ecsRunWithAToken_ofAnHttpOrLocalUrl_isRefused_namingTheField(String repoUrl) {
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> parseEcsWithToken(repoUrl));
        assertTrue(e.getMessage().startsWith("codebase.repoUrl: "), e.getMessage());
    }

    @ParameterizedTest(name = "host [{0}]")
    @ValueSource(strings = {"", "https://git.example.com", "git.example.com/acme", "Git.Example.com", "127.0.0.1", "localhost:8443",
            "169.254.169.254", "[::1]"})
    void gitTokenHost_thatIsNoGitServersName_stopsTheFunctionAtInit(String host) {
        EcsSettings ecs = EcsSettings.defaults();
        assertThrows(IllegalStateException.class, () -> ecs.withGitToken("arn:aws:secretsmanager:us-east-1:1:secret:git", "u", host));
    }

    @Test
    void gitTokenRef_withoutItsHost_stopsTheFunctionAtInit() {
        EcsSettings ecs = EcsSettings.defaults();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ecs.withGitToken("arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/git", "x-access-token", null));
        assertTrue(e.getMessage().contains("buildpush.ecs.git-token-host is required with buildpush.ecs.git-token-ref"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"https://git.example.com/acme/app.git", "https://github.com/acme/app.git"})
    void ecsRunWithAToken_ofAnHttpsGitServer_isAccepted(String repoUrl) throws Exception {
        parseEcsWithToken(repoUrl);
    }
}
