package dev.ecrpush.step;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;

import dev.ecrpush.error.InvalidStepException;

/**
 * Reads an event the function is invoked with (a step payload, a status request, an EventBridge event) strictly,
 * and only when it is small enough: its size is checked before a byte is parsed; a key given twice, content after
 * the JSON value, or nesting deeper than any event has is refused, never resolved by guessing (with a lenient
 * reader, {@code "mode": "plan", "mode": "run"} runs). A refusal is an {@link InvalidStepException} saying where,
 * never quoting more than a key's name.
 *
 * <p>A reader of its own: Quarkus' {@code ObjectMapper} serves the framework and the answers, and stays as Quarkus
 * configures it.
 */
public final class PayloadJson {
    /**
     * The largest event read, in bytes: Step Functions' and EventBridge's own limit on what they pass, and far below
     * Lambda's 6 MB, so that the answer to any event, an error listing its problems included, fits in what Lambda
     * returns.
     */
    public static final int MAX_BYTES = 256 * 1024;
    /** Deeper than any payload or event is (a step payload nests 6 levels). */
    static final int MAX_DEPTH = 64;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build()).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private PayloadJson() {
    }

    /**
     * @throws InvalidStepException naming {@code payload} when the event is too large, empty or not one JSON value
     */
    public static JsonNode read(byte[] event) {
        if (event.length > MAX_BYTES) {
            throw new InvalidStepException("payload: is " + event.length + " bytes; the function reads at most " + MAX_BYTES
                    + " (256 KiB)");
        }
        try {
            JsonNode root = JSON.readTree(event);
            if (root == null || root.isMissingNode()) {
                throw new InvalidStepException("payload: is empty; send a step payload (a JSON object)");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new InvalidStepException("payload: nests deeper than " + MAX_DEPTH + " levels");
        } catch (JsonParseException e) {
            throw new InvalidStepException("payload: " + parseProblem(e) + where(e));
        } catch (MismatchedInputException e) {
            // FAIL_ON_TRAILING_TOKENS: one value, then more
            throw new InvalidStepException("payload: has more after its JSON value" + where(e));
        } catch (IOException e) {
            throw new InvalidStepException("payload: could not be read as JSON");
        }
    }

    /**
     * The parser's message quotes the input, which may hold a token: only a duplicate key's name is quoted (cut and
     * escaped), for the rest it says where, not what.
     */
    private static String parseProblem(JsonParseException e) {
        String message = e.getOriginalMessage();
        String prefix = "Duplicate field '";
        if (message != null && message.startsWith(prefix) && message.endsWith("'")) {
            return "the key " + Rules.quoted(message.substring(prefix.length(), message.length() - 1))
                    + " is given twice in one object";
        }
        return "is not valid JSON";
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
