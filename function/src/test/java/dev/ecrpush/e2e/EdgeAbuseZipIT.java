package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.ecrpush.abuse.HttpAbuse;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * Issue "Nobody gets in where they don't belong", case 4, against the packaged zip as Lambda runs it: HTTP API events
 * whose path a router could normalize into the internal route (or into any undeclared one), each carrying a run
 * payload, are answered 404 (400 when malformed) and make no AWS call. The AWS fake, reached through
 * {@code AWS_ENDPOINT_URL}, answers every call a run makes, as the control shows: an event that got through would
 * start a build there.
 */
class EdgeAbuseZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AwsFake aws;
    private static PackagedFunction.Running zip;

    @BeforeAll
    static void start() throws IOException {
        aws = new AwsFake();
        zip = PackagedFunction.Running.start(PackagedFunction.environment(aws.endpoint()));
    }

    @AfterAll
    static void stop() throws IOException {
        if (zip != null) {
            zip.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @BeforeEach
    void stub() {
        KnownTargetScenario.stub(aws, true);
    }

    private static JsonNode invoke(JsonNode event) throws IOException {
        return JSON.readTree(zip.runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
    }

    static Stream<String> notRoutes() {
        return HttpAbuse.NOT_ROUTES.stream();
    }

    @ParameterizedTest(name = "POST {0}")
    @MethodSource("notRoutes")
    void pathThatIsNoDeclaredRoute_is404_withNoAwsCall(String path) throws IOException {
        JsonNode answer = invoke(HttpAbuse.event("POST", TextNode.valueOf(path), HttpAbuse.runPayload()));
        assertEquals(404, answer.path("statusCode").asInt(), answer::toString);
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void rawPathThatIsNotAString_orMissing_is400_withNoAwsCall() throws IOException {
        for (JsonNode rawPath : List.of(JSON.getNodeFactory().numberNode(1), JSON.createArrayNode().add("/internal/events"))) {
            JsonNode answer = invoke(HttpAbuse.event("POST", rawPath, HttpAbuse.runPayload()));
            assertEquals(400, answer.path("statusCode").asInt(), answer::toString);
        }
        ObjectNode missing = HttpAbuse.event("POST", null, HttpAbuse.runPayload());
        assertEquals(400, invoke(missing).path("statusCode").asInt());
        assertEquals(List.of(), aws.calls());
    }

    /** The control: the same run payload invoked directly starts a build through this fake. */
    @Test
    void theRunPayloadTheEventsCarry_startsABuildWhenInvokedDirectly() throws IOException {
        aws.resetRequests();
        JsonNode result = JSON.readTree(zip.runtime().invoke(HttpAbuse.runPayload().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                TIMEOUT).success().payload());
        assertEquals("STARTED", result.path("status").asText(), result::toString);
        assertTrue(aws.calls().stream().anyMatch(call -> call.startsWith("StartBuild")), aws.calls()::toString);
        aws.resetRequests();
    }
}
