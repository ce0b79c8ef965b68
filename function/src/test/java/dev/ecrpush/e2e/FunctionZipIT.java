package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.SecretField;
import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.local.LocalLambdaRuntime.Failure;
import dev.ecrpush.local.LocalLambdaRuntime.Invocation;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.WebhookSigning;

/**
 * Runs the packaged {@code target/function.zip} under the real Lambda runtime interface client (see
 * {@link FunctionProcess}) and checks what callers see: HTTP API answers, plans, and typed Lambda errors.
 * Unit tests cannot catch what only the deployed artifact gets wrong: a class missing from the zip, the
 * handler's wiring, how an exception becomes the invocation's {@code errorType}, what the function logs.
 *
 * <p>One function process serves the whole class, like one warm execution environment. Inputs come from
 * {@code events/*.json} and the fixtures under {@code src/test/resources/plans} and
 * {@code src/test/resources/invalid}; a folder that does not exist contributes no cases.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FunctionZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Generous: a sanity bound on cold start plus the first answer, not a performance test. */
    private static final Duration FIRST_INVOCATION_BOUND = Duration.ofSeconds(10);
    /** The errorType callers (Step Functions Retry/Catch) match on; a string, so a rename breaks this test. */
    private static final String INVALID_STEP = "dev.ecrpush.error.InvalidStepException";
    /** One problem of an InvalidStepException message: {@code <field path>: <problem>}. */
    private static final Pattern PROBLEM_LINE = Pattern.compile("[A-Za-z_$][\\w$.\\[\\]-]*: \\S.*");
    private static final String NEVER_LOGGED = "SECRETEXAMPLE";

    private static final Path EVENTS = Repo.path("events");
    private static final Path HEALTH_EVENT = EVENTS.resolve("apigw-health.json");
    private static final Path PLAN_FIXTURES = Path.of("src/test/resources/plans");
    private static final Path INVALID_FIXTURES = Path.of("src/test/resources/invalid");
    /** Plan-mode triggers for the recorded payloads' repositories: webhooks and schedules with no AWS call. */
    private static final Path PLAN_TRIGGERS = Path.of("src/test/resources/triggers/plan-triggers.json");
    /**
     * The test-only webhook secrets the signed {@code events/webhook-*.json} were signed with, given as the
     * configuration values a local run uses (no Secrets Manager), with the plan-mode trigger set.
     */
    private static final Map<String, String> WEBHOOK_CONFIG = webhookConfig();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalLambdaRuntime runtime;
    private static FunctionProcess function;
    private static Invocation firstInvocation;

    /**
     * Every Git host's secret keys as the environment variables Lambda would set, each with its test secret, but
     * GitLab's signing token: the recorded GitLab event carries the secret token alone, as a hook that does not
     * sign sends it, and a configured signing token requires the signature.
     */
    private static Map<String, String> webhookConfig() {
        Map<String, String> config = new HashMap<>();
        for (SecretField field : new GitHostRegistry().secretFields()) {
            if (field.key().equals("gitlabSigningToken")) {
                continue;
            }
            String secret = Objects.requireNonNull(WebhookSigning.BY_KEY.get(field.key()),
                    () -> "WebhookSigning has no test secret for " + field.key());
            config.put(field.configKey().toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), secret);
        }
        config.put("BUILDPUSH_TRIGGERS_FILE", PLAN_TRIGGERS.toAbsolutePath().toString());
        return Map.copyOf(config);
    }

    @BeforeAll
    static void startFunction() throws IOException {
        runtime = LocalLambdaRuntime.start();
        function = PackagedFunction.start(runtime,
                WEBHOOK_CONFIG, OutputStream.nullOutputStream());
        firstInvocation = runtime.invoke(Files.readAllBytes(HEALTH_EVENT), TIMEOUT);
    }

    @AfterAll
    static void stopFunction() throws IOException {
        if (function != null) {
            function.close();
        }
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    @Order(1)
    void firstInvocationAfterStartSucceedsQuickly() {
        firstInvocation.success();
        assertTrue(firstInvocation.elapsed().compareTo(FIRST_INVOCATION_BOUND) <= 0,
                "the first invocation took " + firstInvocation.elapsed() + ", cold start included");
    }

    @TestFactory
    Stream<DynamicTest> httpApiEventsAnswer200() {
        return jsonFiles(EVENTS).filter(FunctionZipIT::isHttpEvent).map(file -> named(name(file), () -> {
            JsonNode response = resultOf(invoke(Files.readAllBytes(file)));
            assertEquals(200, response.path("statusCode").asInt(), () -> "response: " + response);
        }));
    }

    @Test
    void internalRoutesAreNotReachableOverHttp() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(HEALTH_EVENT.toFile());
        event.put("routeKey", "POST /internal/events");
        event.put("rawPath", "/internal/events");
        ((ObjectNode) event.path("headers")).put("content-type", "application/json");
        ObjectNode context = (ObjectNode) event.path("requestContext");
        context.put("routeKey", "POST /internal/events");
        ((ObjectNode) context.path("http")).put("method", "POST").put("path", "/internal/events");
        event.put("body", "{\"mode\":\"plan\"}");

        JsonNode response = resultOf(invoke(JSON.writeValueAsBytes(event)));
        assertEquals(404, response.path("statusCode").asInt(), () -> "response: " + response);
    }

    /**
     * The plan-mode step events, which need no AWS: files named {@code *invalid*} must be rejected, every
     * other one planned. Events that call AWS (status requests, a schedule's run input) are replayed against fakes
     * in RunPathTest and ScheduleAndCompletionTest.
     */
    @TestFactory
    Stream<DynamicTest> stepEvents() {
        return jsonFiles(EVENTS).filter(file -> name(file).startsWith("plan-")).map(file -> named(name(file), () -> {
            Invocation invocation = invoke(Files.readAllBytes(file));
            if (name(file).contains("invalid")) {
                String message = assertInvalidStep(invocation).errorMessage();
                assertTrue(message.lines().anyMatch(line -> PROBLEM_LINE.matcher(line).matches()),
                        () -> "no '<field path>: <problem>' line in: " + message);
            } else {
                JsonNode result = resultOf(invocation);
                assertEquals("PLANNED", result.path("status").asText(null), () -> "result: " + result);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> nonObjectPayloadsAreInvalidSteps() {
        return Stream.of("[1,2]", "\"text\"", "42", "null", "{{").map(payload -> named(payload, () -> {
            String message = assertInvalidStep(invoke(payload.getBytes(StandardCharsets.UTF_8))).errorMessage();
            assertTrue(message.contains("payload"), () -> "message does not mention the payload: " + message);
        }));
    }

    /** Each {@code plans/*.json}: its {@code payload} must plan exactly its {@code expected} image and variables. */
    @TestFactory
    Stream<DynamicTest> planFixturesReplay() {
        return jsonFiles(PLAN_FIXTURES).map(file -> named(name(file), () -> {
            JsonNode fixture = JSON.readTree(file.toFile());
            JsonNode expected = fixture.path("expected");
            JsonNode result = resultOf(invoke(JSON.writeValueAsBytes(fixture.get("payload"))));
            assertAll(
                    () -> assertEquals(expected.get("pluginImage"), result.get("pluginImage"), "pluginImage"),
                    () -> assertEquals(expected.get("env"), result.path("plan").get("env"), "plan.env"),
                    () -> assertEquals(expected.get("secretEnv"), result.path("plan").get("secretEnv"), "plan.secretEnv"));
        }));
    }

    /** Each {@code invalid/*.json}: its {@code payload} must be rejected naming every path in {@code errors}. */
    @TestFactory
    Stream<DynamicTest> invalidFixturesReplay() {
        return jsonFiles(INVALID_FIXTURES).map(file -> named(name(file), () -> {
            JsonNode fixture = JSON.readTree(file.toFile());
            String message = assertInvalidStep(invoke(JSON.writeValueAsBytes(fixture.get("payload")))).errorMessage();
            List<String> lines = message.lines().toList();
            List<String> paths = textsOf(fixture.path("errors"));
            assertFalse(paths.isEmpty(), "the fixture lists no expected error paths");
            assertAll(paths.stream().map(path -> () -> assertTrue(
                    lines.stream().anyMatch(line -> line.startsWith(path)),
                    () -> "no line starts with '" + path + "' in:\n" + message)));
        }));
    }

    /**
     * The signed webhook events of pushes and pings: verified with the configured secrets, matched against the
     * plan-mode triggers, and answered as the HTTP API expects (200 for a ping, 202 with every build PLANNED for a
     * push). The pull request events ({@code webhook-<host>-pr-*.json}) are replayed by PullRequestZipIT and
     * PullRequestRouteTest, against the pull request triggers of the run-mode set.
     */
    @TestFactory
    Stream<DynamicTest> webhookEventsAreVerifiedAndPlanned() {
        return jsonFiles(EVENTS).filter(FunctionZipIT::isPushOrPingEvent).map(file -> named(name(file), () -> {
            JsonNode response = resultOf(invoke(Files.readAllBytes(file)));
            JsonNode answer = JSON.readTree(response.path("body").asText());
            if (name(file).contains("ping")) {
                assertEquals(200, response.path("statusCode").asInt(), () -> "response: " + response);
                assertEquals("PONG", answer.path("status").asText());
            } else {
                assertEquals(202, response.path("statusCode").asInt(), () -> "response: " + response);
                assertEquals("ACCEPTED", answer.path("status").asText(), () -> "answer: " + answer);
                answer.at("/refs/0/builds").forEach(build -> assertEquals("PLANNED", build.path("status").asText(), build::toString));
            }
        }));
    }

    @Test
    void tamperedWebhookEventIs401() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(EVENTS.resolve("webhook-github-push.json").toFile());
        event.put("body", event.get("body").asText().replace("Initial commit", "Initial c0mmit"));
        JsonNode response = resultOf(invoke(JSON.writeValueAsBytes(event)));
        assertEquals(401, response.path("statusCode").asInt(), () -> "response: " + response);
    }

    @Test
    void scheduledEventRebuildsTheTriggersOfItsRule() throws IOException {
        JsonNode result = resultOf(invoke(Files.readAllBytes(EVENTS.resolve("schedule-rule-event.json"))));
        assertEquals("nightly-app", result.path("schedule").asText(), () -> "result: " + result);
        assertEquals("PLANNED", result.at("/builds/0/status").asText(), () -> "result: " + result);
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/nightly:schedule",
                result.at("/builds/0/result/imageUris/1").asText(), () -> "result: " + result);
    }

    /** Without an idempotency table no task token is ever kept, so a state change is acknowledged and ignored. */
    @Test
    void stateChangeWithoutATableIsIgnored() throws IOException {
        JsonNode result = resultOf(invoke(Files.readAllBytes(EVENTS.resolve("codebuild-state-change.json"))));
        assertEquals("IGNORED", result.path("status").asText(), () -> "result: " + result);
    }

    /**
     * Issue 10: the unbuilt default kaniko image names no registry, so it would come from Docker Hub; run mode
     * refuses it before any AWS call (this function has no AWS endpoint: a call would fail otherwise).
     */
    @Test
    void runWithTheUnbuiltDefaultKanikoImage_isRefusedNamingTheKey() throws IOException {
        ObjectNode payload = (ObjectNode) JSON.readTree(EVENTS.resolve("plan-k8.json").toFile());
        payload.put("mode", "run");
        Failure failure = invoke(JSON.writeValueAsBytes(payload)).failure();
        assertEquals("dev.ecrpush.error.LaunchFailedException", failure.errorType(), failure::errorMessage);
        assertTrue(failure.errorMessage().startsWith("buildpush.plugins.kaniko-ecr-image is not set"), failure::errorMessage);
    }

    /** Last: stops the function so that all it wrote is captured, then looks for any secret in it. */
    @Test
    @Order(Integer.MAX_VALUE)
    void functionLogsNoSecret() throws IOException {
        function.close();
        String log = function.output();
        assertFalse(log.isBlank(), "nothing of the function's output was captured");
        List<String> secrets = new ArrayList<>(List.of(NEVER_LOGGED));
        secrets.addAll(WebhookSigning.BY_KEY.values());
        Stream.concat(jsonFiles(PLAN_FIXTURES), jsonFiles(INVALID_FIXTURES))
                .map(FunctionZipIT::readJson)
                .forEach(fixture -> secrets.addAll(textsOf(fixture.path("secretsNeverLogged"))));
        assertAll(secrets.stream().map(secret -> () -> assertFalse(log.contains(secret),
                "the function logged a secret from a fixture (" + secret.length() + " characters, starts with '"
                        + secret.substring(0, Math.min(4, secret.length())) + "')")));
    }

    /** A dynamic test whose failure names its case: Maven's console report shows dynamic tests by number only. */
    private static DynamicTest named(String name, Executable body) {
        return DynamicTest.dynamicTest(name, () -> {
            try {
                body.execute();
            } catch (AssertionError e) {
                throw new AssertionError(name + ": " + e.getMessage(), e);
            }
        });
    }

    private static Invocation invoke(byte[] event) {
        return runtime.invoke(event, TIMEOUT);
    }

    private static JsonNode resultOf(Invocation invocation) throws IOException {
        return JSON.readTree(invocation.success().payload());
    }

    private static Failure assertInvalidStep(Invocation invocation) {
        Failure failure = invocation.failure();
        assertEquals(INVALID_STEP, failure.errorType(), () -> "errorMessage: " + failure.errorMessage());
        return failure;
    }

    private static boolean isPushOrPingEvent(Path file) {
        return name(file).startsWith("webhook-") && !name(file).contains("-pr-");
    }

    private static boolean isHttpEvent(Path file) {
        return name(file).startsWith("apigw-");
    }

    private static String name(Path file) {
        return file.getFileName().toString();
    }

    private static Stream<Path> jsonFiles(Path folder) {
        return Fixtures.jsonFiles(folder).stream();
    }

    private static JsonNode readJson(Path file) {
        return Fixtures.read(file);
    }

    private static List<String> textsOf(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }
}
