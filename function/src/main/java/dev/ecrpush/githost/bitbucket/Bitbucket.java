package dev.ecrpush.githost.bitbucket;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.codebuild.model.SourceType;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHost;
import dev.ecrpush.githost.GitHostApi;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.PullRequestFields;
import dev.ecrpush.githost.Push;
import dev.ecrpush.githost.PushFields;
import dev.ecrpush.githost.SecretField;
import dev.ecrpush.githost.Signatures;
import dev.ecrpush.githost.Verdict;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecrets;

/**
 * Bitbucket Cloud ({@code bitbucket.org}): {@code X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>},
 * the {@code repo:push} event (which may list several changed refs), {@code pullrequest:created}, {@code updated},
 * {@code fulfilled}, {@code rejected} and {@code comment_created}, deliveries identified by the signed body's
 * SHA-256 ({@code X-Request-UUID} is not signed, and only logged).
 */
public final class Bitbucket implements GitHost {
    public static final String NAME = "bitbucket";
    static final String SIGNATURE = "X-Hub-Signature";
    static final String EVENT = "X-Event-Key";
    static final SecretField SECRET = new SecretField("bitbucket", "buildpush.webhooks.bitbucket-secret");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GitHostApi api() {
        return new BitbucketApi();
    }

    @Override
    public List<SecretField> secretFields() {
        return List.of(SECRET);
    }

    @Override
    public Map<String, SourceType> cloneHosts() {
        return Map.of("bitbucket.org", SourceType.BITBUCKET);
    }

    @Override
    public boolean carriesCredentials(WebhookRequest request) {
        return request.header(SIGNATURE) != null;
    }

    @Override
    public Verdict verify(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance) {
        return Signatures.hexHmacSha256(request, SIGNATURE, "sha256=", secrets.get(SECRET), NAME);
    }

    @Override
    public String hostDeliveryId(WebhookRequest request) {
        return DeliveryId.printable(request.header("X-Request-UUID"));
    }

    @Override
    public WebhookEvent read(WebhookRequest request, JsonNode body) {
        String event = request.header(EVENT);
        if (event == null) {
            return new WebhookEvent.Ignored("?", EVENT + " is missing");
        }
        if (event.equals("pullrequest:comment_created")) {
            return comment(event, body);
        }
        if (event.startsWith("pullrequest:")) {
            return pullRequest(event, body);
        }
        if (!event.equals("repo:push")) {
            return new WebhookEvent.Ignored(event, "only repo:push, pullrequest:* and pullrequest:comment_created events are read");
        }
        String repository = PushFields.required(body, "repository", "full_name");
        // Bitbucket Cloud serves every repository's HTTPS clone at its page URL + .git.
        String cloneUrl = PushFields.required(body, "repository", "links", "html", "href") + ".git";
        JsonNode changes = body.path("push").path("changes");
        if (!changes.isArray()) {
            throw new InvalidStepException("body.push.changes: a repo:push event must list its changes");
        }
        String actor = actor(body);
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
            // A new branch or tag has no old side: nothing to compare with.
            pushes.add(new Push(NAME, repository, cloneUrl, new Push.Ref(kind, name), commit, files(change), actor,
                    deleted ? null : PushFields.optional(side, "target", "message"), PushFields.optional(change, "old", "target", "hash")));
        }
        return new WebhookEvent.Pushes(event, pushes);
    }

    /** Who caused the event. */
    private static String actor(JsonNode body) {
        // nickname replaced username in Bitbucket Cloud's user objects; older deliveries carry username only.
        String actor = PushFields.actor(body, "actor", "nickname");
        return actor != null ? actor : PushFields.actor(body, "actor", "username");
    }

    /**
     * A pull request created, updated, merged ({@code fulfilled}) or declined ({@code rejected}); approvals and the
     * like change no code. Bitbucket sends {@code pullrequest:updated} for new commits and for an edited title or
     * description alike, and says nothing of which: each update builds (its head commit, under the same tags).
     * The head commit's hash is the 12-character short hash Bitbucket gives; the clone URL is the source
     * repository's page URL + {@code .git}, as for a push.
     */
    private static WebhookEvent pullRequest(String event, JsonNode body) {
        WebhookEvent.PullRequestChange.Action change = switch (event) {
            case "pullrequest:created" -> WebhookEvent.PullRequestChange.Action.OPENED;
            case "pullrequest:updated" -> WebhookEvent.PullRequestChange.Action.UPDATED;
            case "pullrequest:fulfilled", "pullrequest:rejected" -> WebhookEvent.PullRequestChange.Action.CLOSED;
            default -> null;
        };
        if (change == null) {
            return new WebhookEvent.Ignored(event, "the event " + DeliveryId.printable(event) + " builds nothing (only"
                    + " pullrequest:created, updated, fulfilled and rejected are read)");
        }
        return new WebhookEvent.PullRequestChange(event, change, new PullRequest(NAME,
                PullRequestFields.required(body, "pullrequest", "destination", "repository", "full_name"),
                PullRequestFields.number(body, "pullrequest", "id"),
                PullRequestFields.required(body, "pullrequest", "source", "repository", "full_name"),
                PullRequestFields.required(body, "pullrequest", "source", "repository", "links", "html", "href") + ".git",
                PullRequestFields.required(body, "pullrequest", "source", "branch", "name"),
                PullRequestFields.required(body, "pullrequest", "destination", "branch", "name"),
                PullRequestFields.required(body, "pullrequest", "source", "commit", "hash"),
                actor(body), PullRequestFields.optional(body, "pullrequest", "title"),
                PullRequestFields.optional(body, "pullrequest", "destination", "commit", "hash")));
    }

    /**
     * A new comment on a pull request, made on its head commit as the event names it. Bitbucket does not say what
     * the author is to the repository.
     */
    private static WebhookEvent comment(String event, JsonNode body) {
        return new WebhookEvent.PullRequestComment(event, NAME,
                PullRequestFields.required(body, "pullrequest", "destination", "repository", "full_name"),
                PullRequestFields.number(body, "pullrequest", "id"), actor(body), null,
                PullRequestFields.optional(body, "pullrequest", "source", "commit", "hash"),
                PullRequestFields.required(body, "comment", "content", "raw"));
    }

    /** Bitbucket's push event lists commits without their files, and at most 5 of them ({@code truncated}). */
    static ChangedFiles files(JsonNode change) {
        if (change.path("truncated").asBoolean(false)) {
            return new ChangedFiles.Unknown("Bitbucket truncated the change's list of commits, and lists no files of them");
        }
        return new ChangedFiles.Unknown("Bitbucket's push event lists no changed files");
    }
}
