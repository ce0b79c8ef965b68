package dev.ecrpush.webhook;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.InvalidStepException;

/**
 * Reads a verified delivery's JSON into a {@link WebhookEvent}, one provider at a time, from the fields each
 * host documents for its push event. A push that lacks what a build needs is an {@link InvalidStepException}
 * naming the field ({@code body.repository.clone_url: ...}).
 */
public final class WebhookEvents {
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    private WebhookEvents() {
    }

    public static WebhookEvent read(WebhookRequest request, JsonNode body) {
        return switch (request.provider()) {
            case GITHUB -> github(request.header("X-GitHub-Event"), body);
            case GITLAB -> gitlab(request.header("X-Gitlab-Event"), body);
            case BITBUCKET -> bitbucket(request.header("X-Event-Key"), body);
        };
    }

    private static WebhookEvent github(String event, JsonNode body) {
        if (event == null) {
            return new WebhookEvent.Ignored("?", "X-GitHub-Event is missing");
        }
        if (event.equals("ping")) {
            return new WebhookEvent.Ping(event);
        }
        if (!event.equals("push")) {
            return new WebhookEvent.Ignored(event, "only push events start builds");
        }
        String ref = required(body, "ref");
        Push.Ref parsed = ref(ref);
        if (parsed == null) {
            return new WebhookEvent.Ignored(event, "the pushed ref " + ref + " is neither a branch nor a tag");
        }
        boolean deleted = body.path("deleted").asBoolean(false);
        String commit = deleted ? null : githubCommit(body, parsed);
        return new WebhookEvent.Pushes(event, List.of(new Push(Provider.GITHUB, required(body, "repository", "full_name"),
                required(body, "repository", "clone_url"), parsed, commit)));
    }

    /**
     * The commit a GitHub push builds. For an annotated tag {@code after} is the tag object, not a commit; GitHub's
     * schema gives {@code head_commit} as "the commit pointed to by the annotated tag" then, and as the commit
     * itself whenever {@code after} is or points to a commit (a lightweight tag, a branch). So a tag builds
     * {@code head_commit.id}. When {@code head_commit} is null (a tag of something other than a commit, or a host
     * from before GitHub sent it on every tag creation), {@code after} is all there is, and for a lightweight tag
     * it is the commit. Branches keep {@code after}: it is the branch's new head commit.
     */
    private static String githubCommit(JsonNode body, Push.Ref ref) {
        if (ref.kind() == Push.Ref.Kind.TAG && body.path("head_commit").isObject()) {
            return required(body, "head_commit", "id");
        }
        return required(body, "after");
    }

    /** Project hooks and system hooks alike: the body's {@code object_kind} says what it is. */
    private static WebhookEvent gitlab(String event, JsonNode body) {
        String name = event == null ? "?" : event;
        String kind = body.path("object_kind").asText("");
        if (!kind.equals("push") && !kind.equals("tag_push")) {
            return new WebhookEvent.Ignored(name, "only push and tag push events start builds");
        }
        String ref = required(body, "ref");
        Push.Ref parsed = ref(ref);
        if (parsed == null) {
            return new WebhookEvent.Ignored(name, "the pushed ref " + ref + " is neither a branch nor a tag");
        }
        // checkout_sha is the commit itself; "after" is the tag object for an annotated tag. A deletion has none.
        JsonNode checkout = body.path("checkout_sha");
        boolean deleted = checkout.isNull() || checkout.isMissingNode() || ZERO_SHA.equals(body.path("after").asText());
        String commit = deleted ? null : checkout.asText();
        return new WebhookEvent.Pushes(name, List.of(new Push(Provider.GITLAB,
                required(body, "project", "path_with_namespace"), required(body, "project", "git_http_url"), parsed, commit)));
    }

    private static WebhookEvent bitbucket(String event, JsonNode body) {
        if (event == null) {
            return new WebhookEvent.Ignored("?", "X-Event-Key is missing");
        }
        if (!event.equals("repo:push")) {
            return new WebhookEvent.Ignored(event, "only repo:push events start builds");
        }
        String repository = required(body, "repository", "full_name");
        // Bitbucket Cloud serves every repository's HTTPS clone at its page URL + .git.
        String cloneUrl = required(body, "repository", "links", "html", "href") + ".git";
        JsonNode changes = body.path("push").path("changes");
        if (!changes.isArray()) {
            throw new InvalidStepException("body.push.changes: a repo:push event must list its changes");
        }
        List<Push> pushes = new ArrayList<>();
        for (int i = 0; i < changes.size(); i++) {
            JsonNode change = changes.get(i);
            boolean deleted = change.path("new").isNull() || change.path("new").isMissingNode();
            JsonNode side = deleted ? change.path("old") : change.path("new");
            String at = "body.push.changes[" + i + "]." + (deleted ? "old" : "new");
            String type = side.path("type").asText("");
            String name = side.path("name").asText("");
            if (name.isEmpty()) {
                throw new InvalidStepException(at + ".name: is required in a repo:push change");
            }
            Push.Ref.Kind kind = switch (type) {
                case "branch" -> Push.Ref.Kind.BRANCH;
                case "tag" -> Push.Ref.Kind.TAG;
                default -> null;
            };
            if (kind == null) {
                continue;
            }
            String commit = deleted ? null : side.path("target").path("hash").asText("");
            if (commit != null && commit.isEmpty()) {
                throw new InvalidStepException(at + ".target.hash: is required in a repo:push change");
            }
            pushes.add(new Push(Provider.BITBUCKET, repository, cloneUrl, new Push.Ref(kind, name), commit));
        }
        return new WebhookEvent.Pushes(event, pushes);
    }

    private static Push.Ref ref(String ref) {
        if (ref.startsWith("refs/heads/") && ref.length() > "refs/heads/".length()) {
            return new Push.Ref(Push.Ref.Kind.BRANCH, ref.substring("refs/heads/".length()));
        }
        if (ref.startsWith("refs/tags/") && ref.length() > "refs/tags/".length()) {
            return new Push.Ref(Push.Ref.Kind.TAG, ref.substring("refs/tags/".length()));
        }
        return null;
    }

    private static String required(JsonNode body, String... path) {
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
