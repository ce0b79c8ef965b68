package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.ecrpush.edge.EdgeRoutes;
import dev.ecrpush.edge.InternalRoute;
import dev.ecrpush.edge.LambdaEdge;
import dev.ecrpush.support.Fixtures;

/**
 * Issue "Nobody gets in where they don't belong", case 4: HTTP events whose path normalizes to the internal route
 * (or to any route not declared) never reach the application. The edge runs in front of a fake application that
 * records every request it gets and answers 200, as the real one did for each of these paths.
 */
class EdgeAbuseTest {
    private final List<JsonNode> reached = new ArrayList<>();
    private final LambdaEdge edge = new LambdaEdge((event, context) -> {
        reached.add(Fixtures.JSON.readTree(event));
        return "{\"statusCode\":200,\"body\":\"{\\\"status\\\":\\\"STARTED\\\"}\",\"isBase64Encoded\":false}"
                .getBytes(StandardCharsets.UTF_8);
    });

    private JsonNode invoke(JsonNode event) throws Exception {
        return invoke(event.toString());
    }

    private JsonNode invoke(String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        edge.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return Fixtures.JSON.readTree(out.toByteArray());
    }

    static Stream<String> notRoutes() {
        return HttpAbuse.NOT_ROUTES.stream();
    }

    @ParameterizedTest(name = "POST {0}")
    @MethodSource("notRoutes")
    void pathThatIsNoDeclaredRoute_is404_andReachesNothing(String path) throws Exception {
        // when
        JsonNode answer = invoke(HttpAbuse.event("POST", TextNode.valueOf(path), HttpAbuse.runPayload()));
        // then
        assertEquals(404, answer.get("statusCode").asInt(), answer::toString);
        assertEquals(List.of(), reached, "the application was reached");
    }

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/webhooks/github", "/internal/events", "/Health"})
    void getOfAnythingButHealth_is404(String path) throws Exception {
        JsonNode answer = invoke(HttpAbuse.event("GET", TextNode.valueOf(path), null));
        assertEquals(404, answer.get("statusCode").asInt(), answer::toString);
        assertEquals(List.of(), reached);
    }

    @ParameterizedTest(name = "{0} /health")
    @ValueSource(strings = {"POST", "get", "HEAD", "PUT"})
    void healthByAnotherMethod_is404(String method) throws Exception {
        JsonNode answer = invoke(HttpAbuse.event(method, TextNode.valueOf("/health"), null));
        assertEquals(404, answer.get("statusCode").asInt(), answer::toString);
        assertEquals(List.of(), reached);
    }

    static Stream<JsonNode> malformedPaths() {
        return Stream.of(Fixtures.JSON.getNodeFactory().numberNode(1), Fixtures.JSON.createObjectNode().put("path", "/health"),
                Fixtures.JSON.createArrayNode().add("/internal/events"), Fixtures.JSON.getNodeFactory().nullNode(),
                Fixtures.JSON.getNodeFactory().booleanNode(true));
    }

    @ParameterizedTest(name = "rawPath {0}")
    @MethodSource("malformedPaths")
    void rawPathThatIsNotAString_is400_andReachesNothing(JsonNode rawPath) throws Exception {
        JsonNode answer = invoke(HttpAbuse.event("POST", rawPath, HttpAbuse.runPayload()));
        assertEquals(400, answer.get("statusCode").asInt(), answer::toString);
        assertEquals(List.of(), reached);
    }

    @Test
    void missingRawPath_withTheContextsPathOnTheInternalRoute_is400_andReachesNothing() throws Exception {
        ObjectNode event = HttpAbuse.event("POST", null, HttpAbuse.runPayload());
        assertEquals("/internal/events", event.at("/requestContext/http/path").asText());
        JsonNode answer = invoke(event);
        assertEquals(400, answer.get("statusCode").asInt(), answer::toString);
        assertEquals(List.of(), reached);
    }

    @Test
    void webhookEventWhoseFieldsAreNotWhatTheHttpApiSends_is400() throws Exception {
        for (String field : List.of("headers", "body", "isBase64Encoded", "rawQueryString", "cookies")) {
            ObjectNode event = HttpAbuse.event("POST", TextNode.valueOf("/webhooks/github"), "{}");
            event.putObject(field).put("x", 1);
            if (field.equals("headers")) {
                event.putObject("headers").putObject("x-hub-signature-256").put("sha256", "00");
            }
            JsonNode answer = invoke(event);
            assertEquals(400, answer.get("statusCode").asInt(), field + ": " + answer);
        }
        assertEquals(List.of(), reached);
    }

    @Test
    void declaredRoute_reachesTheApplication_withTheCheckedPathAndWithoutTheEdgesHeader() throws Exception {
        // given: a webhook whose context names another path, and that carries the edge's header, in any case
        ObjectNode event = HttpAbuse.event("POST", TextNode.valueOf("/webhooks/github"), "{\"zen\":\"x\"}");
        ((ObjectNode) event.at("/requestContext/http")).put("path", "/internal/events");
        ((ObjectNode) event.get("headers")).put(InternalRoute.HEADER, InternalRoute.token())
                .put("X-ECR-Build-Push-Edge", InternalRoute.token()).put("x-github-event", "ping");
        // when
        JsonNode answer = invoke(event);
        // then
        assertEquals(200, answer.get("statusCode").asInt());
        JsonNode forwarded = reached.get(0);
        assertEquals("/webhooks/github", forwarded.get("rawPath").asText());
        assertEquals("/webhooks/github", forwarded.at("/requestContext/http/path").asText());
        assertEquals("POST", forwarded.at("/requestContext/http/method").asText());
        assertEquals("{\"zen\":\"x\"}", forwarded.get("body").asText());
        assertEquals("ping", forwarded.at("/headers/x-github-event").asText());
        assertFalse(forwarded.get("headers").toString().toLowerCase().contains(InternalRoute.HEADER), forwarded.toString());
        assertFalse(forwarded.toString().contains(InternalRoute.token()));
    }

    @Test
    void everyDeclaredRoute_reachesTheApplication() throws Exception {
        for (String route : EdgeRoutes.declared().routes()) {
            String[] parts = route.split(" ");
            JsonNode answer = invoke(HttpAbuse.event(parts[0], TextNode.valueOf(parts[1]), "{}"));
            assertEquals(200, answer.get("statusCode").asInt(), route);
        }
        assertEquals(EdgeRoutes.declared().routes().size(), reached.size());
        assertTrue(EdgeRoutes.declared().routes().containsAll(List.of("GET /health", "POST /webhooks/github",
                "POST /webhooks/gitlab", "POST /webhooks/bitbucket", "POST /webhooks/gitea")));
    }

    @Test
    void httpEventWithADuplicatedPath_isNoHttpEvent_butAPayloadTheApplicationReadsStrictly() throws Exception {
        // given: one reader would take the first rawPath, another the last
        String event = HttpAbuse.event("POST", TextNode.valueOf("/health"), HttpAbuse.runPayload()).toString()
                .replaceFirst("\\{", "{\"rawPath\":\"/internal/events\",");
        // when
        invoke(event);
        // then: only as the body of the edge's own request, which the application reads with duplicate keys refused
        JsonNode forwarded = reached.get(0);
        assertEquals(InternalRoute.PATH, forwarded.get("rawPath").asText());
        assertEquals(InternalRoute.token(), forwarded.at("/headers/" + InternalRoute.HEADER).asText());
        assertEquals(event, new String(Base64.getDecoder().decode(forwarded.get("body").asText()), StandardCharsets.UTF_8));
    }

    @Test
    void nonHttpEvent_isPostedToTheInternalRoute_withTheEdgesToken() throws Exception {
        invoke(HttpAbuse.runPayload());
        assertEquals(InternalRoute.token(), reached.get(0).at("/headers/" + InternalRoute.HEADER).asText());
    }
}
