package dev.ecrpush.completion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** What a Step Functions task is completed with: {@code SendTaskSuccess} or {@code SendTaskFailure}. */
public sealed interface TaskOutcome {
    /** @param output the task's output, a JSON document */
    record Success(String output) implements TaskOutcome {
    }

    /**
     * @param error a short code a {@code Catch} matches ({@code BuildFailed}, {@code BuildStopped}, ...)
     * @param cause what failed, for a person
     */
    record Failure(String error, String cause) implements TaskOutcome {
    }

    /** As stored with the build, so a task that asks later gets the same answer. */
    default String toJson(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        if (this instanceof Success success) {
            node.put("succeeded", true).put("output", success.output());
        } else if (this instanceof Failure failure) {
            node.put("succeeded", false).put("error", failure.error()).put("cause", failure.cause());
        }
        return node.toString();
    }

    static TaskOutcome fromJson(JsonNode stored) {
        return stored.path("succeeded").asBoolean(false)
                ? new Success(stored.path("output").asText("{}"))
                : new Failure(stored.path("error").asText("BuildFailed"), stored.path("cause").asText(""));
    }
}
