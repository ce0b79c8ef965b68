package dev.ecrpush.flow;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.error.InvalidStepException;

/**
 * Decides what a non-HTTP event is and hands it to the stage that owns it. A status request is
 * {@code {"buildId": ...}} alone; everything else is read as a step payload, so a payload that lacks its
 * {@code step} still gets every problem listed.
 */
@ApplicationScoped
public class EventDispatcher {
    /** What {@code <+trigger.type>} is for a direct invocation (Step Functions, the CLI, sam local invoke). */
    static final String DIRECT_TRIGGER = "manual";

    @Inject
    ObjectMapper json;

    @Inject
    StepService steps;

    public Object dispatch(byte[] event) {
        JsonNode root = read(event);
        if (root.isObject() && root.has("buildId") && !root.has("step")) {
            throw new InvalidStepException("buildId: status requests are not supported yet");
        }
        return steps.handle(root, DIRECT_TRIGGER);
    }

    private JsonNode read(byte[] event) {
        try {
            JsonNode root = json.readTree(event);
            if (root == null || root.isMissingNode()) {
                throw new InvalidStepException("payload: is empty; send a step payload (a JSON object)");
            }
            return root;
        } catch (JsonParseException e) {
            // The parser's message quotes the input, which may hold a token: say where, not what.
            throw new InvalidStepException("payload: is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new InvalidStepException("payload: could not be read as JSON");
        }
    }
}
