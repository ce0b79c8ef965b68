package dev.ecrpush.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import com.amazonaws.services.lambda.runtime.Context;

/** The edge's priming: the built-in plan payload, handed to the handler as Lambda hands it an event. */
class EdgePrimingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prime_postsThePlanPayloadThroughTheEdge_toThePassThroughRoute() throws Exception {
        // given: an edge in front of an application that records what reaches it
        List<JsonNode> forwarded = new ArrayList<>();
        List<Context> contexts = new ArrayList<>();
        LambdaEdge edge = new LambdaEdge((event, context) -> {
            forwarded.add(JSON.readTree(event));
            contexts.add(context);
            return JSON.writeValueAsBytes(JSON.createObjectNode().put("statusCode", 200).put("body", "{\"status\":\"PLANNED\"}")
                    .put("isBase64Encoded", false));
        });
        // when
        int answered = EdgePriming.prime(edge);
        // then: the plan payload itself reached the internal route, as a direct invocation's would, with a context
        assertEquals(1, forwarded.size());
        JsonNode request = forwarded.get(0);
        assertEquals(EdgeCodec.PASS_THROUGH_PATH, request.get("rawPath").asText());
        byte[] expected;
        try (InputStream in = EdgePriming.class.getResourceAsStream(EdgePriming.PAYLOAD)) {
            expected = in.readAllBytes();
        }
        JsonNode payload = JSON.readTree(Base64.getDecoder().decode(request.get("body").asText()));
        assertEquals(JSON.readTree(expected), payload);
        assertEquals("plan", payload.get("mode").asText(), "priming may make no AWS call");
        assertEquals("snapstart-priming", contexts.get(0).getAwsRequestId());
        assertEquals("{\"status\":\"PLANNED\"}".getBytes(StandardCharsets.UTF_8).length, answered, "the application's answer");
    }
}
