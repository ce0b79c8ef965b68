package dev.ecrpush.githost;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.InvalidStepException;

/**
 * Reading a pull (merge) request's or a comment's event JSON, as every host's reader does it. What is read is
 * checked no further than its type here: a build's payload checks the branches and the commit as any payload's
 * ({@link dev.ecrpush.step.StepParser}), naming the field, before anything is called.
 */
public final class PullRequestFields {
    private PullRequestFields() {
    }

    /**
     * The non-blank text at {@code path}.
     *
     * @throws InvalidStepException naming the field ({@code body.pull_request.head.sha: ...}) when it is not there
     */
    public static String required(JsonNode body, String... path) {
        JsonNode node = at(body, path);
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidStepException("body." + String.join(".", path) + ": is required in a pull request event");
        }
        return node.asText();
    }

    /**
     * The request's number at {@code path}: a whole number from 1.
     *
     * @throws InvalidStepException naming the field when it is missing or is not one
     */
    public static int number(JsonNode body, String... path) {
        JsonNode node = at(body, path);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
            throw new InvalidStepException("body." + String.join(".", path)
                    + ": is required in a pull request event, as the request's number (a whole number from 1)");
        }
        return node.intValue();
    }

    /** The text at {@code path}, or null when it is missing, not text, or blank. */
    public static String optional(JsonNode body, String... path) {
        return PushFields.optional(body, path);
    }

    /** Who caused the event, as {@link PushFields#actor} reads it: null for a name no host gives a user. */
    public static String actor(JsonNode body, String... path) {
        return PushFields.actor(body, path);
    }

    /** Whether there is an object at {@code path} (not missing, not null). */
    public static boolean present(JsonNode body, String... path) {
        return at(body, path).isObject();
    }

    private static JsonNode at(JsonNode body, String... path) {
        JsonNode node = body;
        for (String field : path) {
            node = node.path(field);
        }
        return node;
    }
}
