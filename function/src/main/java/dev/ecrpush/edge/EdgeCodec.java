package dev.ecrpush.edge;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorTypes;
import dev.ecrpush.error.InvalidStepException;

/**
 * The pure half of the Lambda edge: tells an HTTP API event from any other event, wraps the others as a
 * POST to the internal pass-through route (as the AWS Lambda Web Adapter does), marked as the edge's own
 * ({@link InternalRoute}), and turns the route's answer back into either the bare JSON result or the typed
 * exception the application raised.
 */
public final class EdgeCodec {
    /** Where non-HTTP events are delivered inside the application. */
    public static final String PASS_THROUGH_PATH = InternalRoute.PATH;

    /**
     * Duplicate keys make an event that is not HTTP-shaped to this reader: the application then reads it as a
     * payload and refuses it, naming the key, instead of one reader taking the first value and another the last.
     */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private EdgeCodec() {
    }

    /** What arrived at the function. */
    public sealed interface Event permits HttpEvent, OtherEvent {
    }

    /** An API Gateway HTTP API (payload 2.0) or Function URL request, for {@link EdgeRoutes} to judge. */
    public record HttpEvent(JsonNode event) implements Event {
    }

    /** Anything else: a step payload, a status request, an EventBridge event, or garbage. */
    public record OtherEvent() implements Event {
    }

    public static Event classify(byte[] event) {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (IOException e) {
            return new OtherEvent();
        }
        if (root != null && root.isObject()) {
            JsonNode http = root.path("requestContext").path("http");
            if (http.path("method").isTextual()) {
                return new HttpEvent(root);
            }
        }
        return new OtherEvent();
    }

    /** An HTTP API event that carries {@code event} verbatim as the body of a POST to the pass-through route. */
    public static byte[] wrap(byte[] event, String requestId) {
        ObjectNode wrapped = JSON.createObjectNode();
        wrapped.put("version", "2.0");
        wrapped.put("routeKey", "$default");
        wrapped.put("rawPath", PASS_THROUGH_PATH);
        wrapped.put("rawQueryString", "");
        wrapped.putObject("headers").put("content-type", "application/json").put(InternalRoute.HEADER, InternalRoute.token());
        ObjectNode context = wrapped.putObject("requestContext");
        context.put("requestId", requestId == null ? "local" : requestId);
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        ObjectNode http = context.putObject("http");
        http.put("method", "POST");
        http.put("path", PASS_THROUGH_PATH);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        // The body stays byte-for-byte what the caller sent: base64 keeps non-JSON input intact too.
        wrapped.put("body", java.util.Base64.getEncoder().encodeToString(event));
        wrapped.put("isBase64Encoded", true);
        try {
            return JSON.writeValueAsBytes(wrapped);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The result to return for a pass-through answer: its body on a 2xx, otherwise the typed exception named
     * in the error body.
     */
    public static byte[] unwrap(byte[] httpResponse) {
        JsonNode response;
        try {
            response = JSON.readTree(httpResponse);
        } catch (IOException e) {
            throw ErrorTypes.fromWire(null, "the application answered with something that is not JSON");
        }
        int status = response.path("statusCode").asInt(500);
        byte[] body = body(response);
        if (status >= 200 && status < 300) {
            return body;
        }
        throw toException(status, body);
    }

    /** The answer the edge gives an HTTP event for no declared route, without running any application code. */
    public static byte[] notFound() {
        return httpAnswer(404, "Not Found");
    }

    /** The answer the edge gives an HTTP event that is not shaped as API Gateway or a Function URL sends one. */
    public static byte[] badRequest() {
        return httpAnswer(400, "Bad Request");
    }

    private static byte[] httpAnswer(int status, String message) {
        ObjectNode answer = JSON.createObjectNode().put("statusCode", status);
        answer.putObject("headers").put("content-type", "application/json");
        answer.put("body", JSON.createObjectNode().put("message", message).toString()).put("isBase64Encoded", false);
        return answer.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] body(JsonNode response) {
        JsonNode body = response.path("body");
        if (!body.isTextual()) {
            return new byte[0];
        }
        if (response.path("isBase64Encoded").asBoolean(false)) {
            return java.util.Base64.getDecoder().decode(body.asText());
        }
        return body.asText().getBytes(StandardCharsets.UTF_8);
    }

    private static BuildPushException toException(int status, byte[] body) {
        try {
            JsonNode error = JSON.readTree(body);
            if (error != null && error.path("errorType").isTextual()) {
                return ErrorTypes.fromWire(error.path("errorType").asText(), error.path("errorMessage").asText(""));
            }
        } catch (IOException e) {
            // fall through: a framework-level failure with a non-JSON body
        }
        if (status == 400 || status == 415) {
            return new InvalidStepException("payload: the event could not be read (HTTP " + status + ")");
        }
        return ErrorTypes.fromWire(null, "the application failed with HTTP " + status);
    }
}
