package dev.ecrpush.githost.gitlab;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.codebuild.model.SourceType;

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
import dev.ecrpush.step.SecretText;

/**
 * GitLab ({@code gitlab.com}, and a self-managed GitLab through {@code buildpush.codebuild.git-hosts}): the
 * secret token in {@code X-Gitlab-Token}, and/or the {@link StandardWebhooks} signature, which is required once
 * a signing token is configured; push and tag push events of project and system hooks, merge request events, and
 * comments on merge requests. A signed delivery is
 * identified by its signed {@code webhook-id}, one with the secret token alone by its body's SHA-256;
 * {@code Idempotency-Key} and {@code X-Gitlab-Event-UUID} are not signed, and only logged.
 */
public final class GitLab implements GitHost {
    public static final String NAME = "gitlab";
    static final String TOKEN = "X-Gitlab-Token";
    static final String EVENT = "X-Gitlab-Event";
    static final SecretField SECRET_TOKEN = new SecretField("gitlab", "buildpush.webhooks.gitlab-secret");
    static final SecretField SIGNING_TOKEN = new SecretField("gitlabSigningToken", "buildpush.webhooks.gitlab-signing-token");
    private static final String ZERO_SHA = "0000000000000000000000000000000000000000";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GitHostApi api() {
        return new GitLabApi();
    }

    @Override
    public List<SecretField> secretFields() {
        return List.of(SECRET_TOKEN, SIGNING_TOKEN);
    }

    @Override
    public Map<String, SourceType> cloneHosts() {
        return Map.of("gitlab.com", SourceType.GITLAB);
    }

    @Override
    public boolean carriesCredentials(WebhookRequest request) {
        return request.header(TOKEN) != null || request.header(StandardWebhooks.SIGNATURE) != null;
    }

    /**
     * Each credential sent that a configured secret can check must pass, and at least one must be checked: a
     * hook may carry the token, the signature, or both while it moves from one to the other. Once a signing token
     * is configured the signature is required: the secret token is sent as it is with every delivery, so whoever
     * saw one delivery (a proxy's log, the hook's settings page) could otherwise send any body with it.
     */
    @Override
    public Verdict verify(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance) {
        String token = request.header(TOKEN);
        boolean signed = request.header(StandardWebhooks.SIGNATURE) != null;
        SecretText secretToken = secrets.get(SECRET_TOKEN);
        SecretText signingToken = secrets.get(SIGNING_TOKEN);
        if (signingToken != null && !signed) {
            return new Verdict.Refused(StandardWebhooks.SIGNATURE + " is missing: a GitLab signing token is configured, so "
                    + TOKEN + " alone is not accepted");
        }
        boolean tokenChecked = token != null && secretToken != null;
        boolean signatureChecked = signed && signingToken != null;
        if (!tokenChecked && !signatureChecked) {
            return new Verdict.Refused(token == null && !signed
                    ? TOKEN + " and " + StandardWebhooks.SIGNATURE + " are both missing"
                    : "no GitLab secret token or signing token is configured for what the delivery carries");
        }
        if (tokenChecked && !Signatures.sameText(token, secretToken)) {
            return new Verdict.Refused(TOKEN + " does not match");
        }
        if (signatureChecked) {
            // identified by its signed webhook-id
            return StandardWebhooks.verify(request, signingToken, now, tolerance);
        }
        // The token signs nothing: what it let in is identified by the body, which a retry repeats.
        return new Verdict.Accepted(TOKEN, DeliveryId.ofBody(request.body()));
    }

    @Override
    public String hostDeliveryId(WebhookRequest request) {
        return DeliveryId.printable(request.header("Idempotency-Key") != null
                ? request.header("Idempotency-Key")
                : request.header("X-Gitlab-Event-UUID"));
    }

    /** Project hooks and system hooks alike: the body's {@code object_kind} says what it is. */
    @Override
    public WebhookEvent read(WebhookRequest request, JsonNode body) {
        String event = request.header(EVENT);
        String name = event == null ? "?" : event;
        String kind = body.path("object_kind").asText("");
        if (kind.equals("merge_request")) {
            return mergeRequest(name, body);
        }
        if (kind.equals("note")) {
            return note(name, body);
        }
        if (!kind.equals("push") && !kind.equals("tag_push")) {
            return new WebhookEvent.Ignored(name, "only push, tag push, merge request and comment events are read");
        }
        String ref = PushFields.required(body, "ref");
        Push.Ref parsed = PushFields.ref(ref);
        if (parsed == null) {
            return new WebhookEvent.Ignored(name, "the pushed ref " + ref + " is neither a branch nor a tag");
        }
        // checkout_sha is the commit itself; "after" is the tag object for an annotated tag. A deletion has none.
        JsonNode checkout = body.path("checkout_sha");
        boolean deleted = checkout.isNull() || checkout.isMissingNode() || ZERO_SHA.equals(body.path("after").asText());
        String commit = deleted ? null : checkout.asText();
        return new WebhookEvent.Pushes(name, List.of(new Push(NAME, PushFields.required(body, "project", "path_with_namespace"),
                PushFields.required(body, "project", "git_http_url"), parsed, commit, files(body),
                PushFields.actor(body, "user_username"), headMessage(body, commit), PushFields.optional(body, "before"))));
    }

    /**
     * A merge request opened, reopened, closed or merged, or updated with new commits: GitLab sends
     * {@code object_attributes.oldrev} (the head before) only when the update brought commits, so an update without
     * it (a title, a label, an assignee, a draft status) builds nothing. Approvals change no code either.
     */
    private static WebhookEvent mergeRequest(String name, JsonNode body) {
        String action = PullRequestFields.required(body, "object_attributes", "action");
        WebhookEvent.PullRequestChange.Action change = switch (action) {
            case "open" -> WebhookEvent.PullRequestChange.Action.OPENED;
            case "reopen" -> WebhookEvent.PullRequestChange.Action.REOPENED;
            case "close", "merge" -> WebhookEvent.PullRequestChange.Action.CLOSED;
            case "update" -> PullRequestFields.optional(body, "object_attributes", "oldrev") != null
                    ? WebhookEvent.PullRequestChange.Action.UPDATED : null;
            default -> null;
        };
        if (change == null) {
            return new WebhookEvent.Ignored(name, action.equals("update")
                    ? "a merge request update without new commits (no object_attributes.oldrev) builds nothing"
                    : "the merge request action " + DeliveryId.printable(action)
                            + " builds nothing (only open, update with new commits, reopen, close and merge are read)");
        }
        return new WebhookEvent.PullRequestChange(name, change, new PullRequest(NAME,
                PullRequestFields.required(body, "object_attributes", "target", "path_with_namespace"),
                PullRequestFields.number(body, "object_attributes", "iid"),
                PullRequestFields.required(body, "object_attributes", "source", "path_with_namespace"),
                PullRequestFields.required(body, "object_attributes", "source", "git_http_url"),
                PullRequestFields.required(body, "object_attributes", "source_branch"),
                PullRequestFields.required(body, "object_attributes", "target_branch"),
                PullRequestFields.required(body, "object_attributes", "last_commit", "id"),
                PullRequestFields.actor(body, "user", "username"),
                PullRequestFields.optional(body, "object_attributes", "title"),
                PullRequestFields.optional(body, "object_attributes", "diff_refs", "base_sha")));
    }

    /**
     * A new comment on a merge request, made on its head commit as the event names it
     * ({@code merge_request.last_commit.id}). GitLab does not say what the author is to the project. An edited
     * comment ({@code object_attributes.action} {@code update}, GitLab 16.11 and later) approves nothing; an event
     * without the action is from an earlier GitLab, which sent new comments only.
     */
    private static WebhookEvent note(String name, JsonNode body) {
        String type = body.path("object_attributes").path("noteable_type").asText("");
        if (!type.equals("MergeRequest")) {
            return new WebhookEvent.Ignored(name, "a comment on a " + (type.isEmpty() ? "?" : DeliveryId.printable(type))
                    + ", not on a merge request");
        }
        String action = PullRequestFields.optional(body, "object_attributes", "action");
        if (action != null && !action.equals("create")) {
            return new WebhookEvent.Ignored(name, "the comment action " + DeliveryId.printable(action)
                    + " approves nothing (only a created comment is read)");
        }
        return new WebhookEvent.PullRequestComment(name, NAME, PullRequestFields.required(body, "project", "path_with_namespace"),
                PullRequestFields.number(body, "merge_request", "iid"), PullRequestFields.actor(body, "user", "username"), null,
                PullRequestFields.optional(body, "merge_request", "last_commit", "id"),
                PullRequestFields.required(body, "object_attributes", "note"));
    }

    /**
     * The files of the listed commits, unless {@code total_commits_count} says more were pushed than listed
     * (GitLab lists 20). GitLab sets no limit of files per commit in the event.
     */
    static ChangedFiles files(JsonNode body) {
        JsonNode commits = body.path("commits");
        JsonNode total = body.path("total_commits_count");
        if (!total.canConvertToInt()) {
            return new ChangedFiles.Unknown("GitLab did not say how many commits the push has (total_commits_count)");
        }
        if (total.asInt() > commits.size()) {
            return new ChangedFiles.Unknown("GitLab lists " + commits.size() + " of the push's " + total.asInt() + " commits");
        }
        return PushFields.changedFiles(commits, "GitLab", Integer.MAX_VALUE);
    }

    /** The listed commit that is the new head: GitLab has no head_commit field. */
    private static String headMessage(JsonNode body, String commit) {
        if (commit == null) {
            return null;
        }
        for (JsonNode listed : body.path("commits")) {
            if (commit.equals(listed.path("id").asText())) {
                return PushFields.optional(listed, "message");
            }
        }
        return null;
    }
}
