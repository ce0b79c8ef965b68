package dev.ecrpush.githost;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.InvalidStepException;

/** Reading a push event's JSON, as every host's reader does it. */
public final class PushFields {
    private PushFields() {
    }

    /** The branch or tag a full ref names ({@code refs/heads/main}), or null for any other ref. */
    public static Push.Ref ref(String ref) {
        if (ref.startsWith("refs/heads/") && ref.length() > "refs/heads/".length()) {
            return new Push.Ref(Push.Ref.Kind.BRANCH, ref.substring("refs/heads/".length()));
        }
        if (ref.startsWith("refs/tags/") && ref.length() > "refs/tags/".length()) {
            return new Push.Ref(Push.Ref.Kind.TAG, ref.substring("refs/tags/".length()));
        }
        return null;
    }

    /**
     * The non-blank text at {@code path}.
     *
     * @throws InvalidStepException naming the field ({@code body.repository.clone_url: ...}) when it is not there
     */
    public static String required(JsonNode body, String... path) {
        JsonNode node = body;
        for (String field : path) {
            node = node.path(field);
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidStepException("body." + String.join(".", path) + ": is required in a push event");
        }
        return node.asText();
    }
}
