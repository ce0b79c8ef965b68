package dev.ecrpush.flow;

import java.io.IOException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.launch.EcsTaskArn;

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

    @Inject
    AwsStages aws;

    public Object dispatch(byte[] event) {
        JsonNode root = read(event);
        if (root.isObject() && root.has("buildId") && !root.has("step")) {
            return aws.status(buildId(root));
        }
        return steps.handle(root, DIRECT_TRIGGER);
    }

    /** A CodeBuild build ID ({@code PROJECT:UUID}) or an ECS task ARN, alone, as a run returned it. */
    private static String buildId(JsonNode request) {
        JsonNode id = request.get("buildId");
        boolean known = id.isTextual() && (id.asText().matches("[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[0-9a-f-]{36}")
                || EcsTaskArn.matches(id.asText()));
        if (request.size() != 1 || !known) {
            throw new InvalidStepException("buildId: a status request is {\"buildId\": \"PROJECT:BUILD-UUID\"} or"
                    + " {\"buildId\": \"arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID\"} alone, as a run returned it");
        }
        return id.asText();
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
