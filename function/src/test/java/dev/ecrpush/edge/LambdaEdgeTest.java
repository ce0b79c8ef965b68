package dev.ecrpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.ThrottledException;

/** The edge around a fake application: what it forwards, what it returns, what it throws. */
class LambdaEdgeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<JsonNode> forwarded = new ArrayList<>();

    private LambdaEdge edgeAnswering(int status, String body) {
        return new LambdaEdge((event, context) -> {
            forwarded.add(JSON.readTree(event));
            return JSON.writeValueAsBytes(JSON.createObjectNode().put("statusCode", status).put("body", body)
                    .put("isBase64Encoded", false));
        });
    }

    private static String invoke(LambdaEdge edge, String event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        edge.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void stepPayload_isPostedVerbatimToThePassThroughRoute_andTheBodyReturned() throws Exception {
        // given
        LambdaEdge edge = edgeAnswering(200, "{\"status\":\"PLANNED\"}");
        String payload = "{\"step\": {\"identifier\": \"x\"}, \"oidcToken\": \"a\\u00e9b\"}";
        // when
        String result = invoke(edge, payload);
        // then
        assertEquals("{\"status\":\"PLANNED\"}", result);
        JsonNode request = forwarded.get(0);
        assertEquals("POST", request.at("/requestContext/http/method").asText());
        assertEquals(EdgeCodec.PASS_THROUGH_PATH, request.get("rawPath").asText());
        assertEquals(payload, new String(Base64.getDecoder().decode(request.get("body").asText()), StandardCharsets.UTF_8));
    }

    @Test
    void failedAnswer_isRethrownAsTheTypedException() {
        // given
        LambdaEdge edge = edgeAnswering(400,
                "{\"errorType\":\"InvalidStepException\",\"errorMessage\":\"step.spec.account: bad\\nstep.spec.tags: is required\"}");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> invoke(edge, "{}"));
        // then
        assertEquals(List.of("step.spec.account: bad", "step.spec.tags: is required"), e.problems());
    }

    @Test
    void retryableFailure_keepsItsType() {
        LambdaEdge edge = edgeAnswering(429, "{\"errorType\":\"ThrottledException\",\"errorMessage\":\"slow down\"}");
        ThrottledException e = assertThrows(ThrottledException.class, () -> invoke(edge, "{}"));
        assertTrue(e.retryable());
    }

    @Test
    void failureWithoutErrorBody_isInternalAndSaysTheStatus() {
        LambdaEdge edge = edgeAnswering(503, "Service Unavailable");
        RuntimeException e = assertThrows(RuntimeException.class, () -> invoke(edge, "{}"));
        assertInstanceOf(dev.ecrpush.error.InternalErrorException.class, e);
        assertTrue(e.getMessage().contains("503"));
    }

    @Test
    void httpApiEvent_goesThroughUnchanged() throws Exception {
        // given
        LambdaEdge edge = edgeAnswering(200, "{\"status\":\"UP\"}");
        String event = "{\"version\":\"2.0\",\"rawPath\":\"/health\","
                + "\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/health\"}}}";
        // when
        String result = invoke(edge, event);
        // then
        assertEquals("/health", forwarded.get(0).get("rawPath").asText());
        assertEquals(200, JSON.readTree(result).get("statusCode").asInt());
    }

    @Test
    void httpApiEvent_forAnInternalRoute_isRefusedWithoutReachingTheApplication() throws Exception {
        LambdaEdge edge = edgeAnswering(200, "{}");
        String event = "{\"version\":\"2.0\",\"rawPath\":\"/internal/events\","
                + "\"requestContext\":{\"http\":{\"method\":\"POST\",\"path\":\"/internal/events\"}},\"body\":\"{}\"}";
        String result = invoke(edge, event);
        assertEquals(404, JSON.readTree(result).get("statusCode").asInt());
        assertTrue(forwarded.isEmpty());
    }

    @Test
    void nonJsonInput_isStillForwarded_soTheApplicationNamesTheProblem() throws Exception {
        LambdaEdge edge = edgeAnswering(400, "{\"errorType\":\"InvalidStepException\",\"errorMessage\":\"payload: is not valid JSON\"}");
        assertThrows(InvalidStepException.class, () -> invoke(edge, "{{"));
        assertEquals("{{", new String(Base64.getDecoder().decode(forwarded.get(0).get("body").asText()), StandardCharsets.UTF_8));
    }
}
