package dev.ecrpush.githost.gitea;

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
 * Gitea, and Forgejo (its fork), self-hosted: a "Gitea" or "Forgejo" webhook with content type
 * {@code application/json}. Gitea sends {@code X-Gitea-*} headers; Forgejo sends {@code X-Forgejo-*} and the same
 * {@code X-Gitea-*} ones, with equal values (Forgejo's {@code services/webhook/shared/payloader.go}).
 * <ul>
 *   <li>Signature: {@code X-Gitea-Signature} / {@code X-Forgejo-Signature}, the hex HMAC-SHA256 of the raw body
 *       with the webhook's secret, with no {@code sha256=} prefix. Each one sent must match.</li>
 *   <li>Events: {@code push}, for branches and tags alike (a tag push also sends a {@code create} event, and a
 *       branch deletion only a {@code delete} event, neither of which builds); {@code pull_request}; and
 *       {@code issue_comment} on a pull request.</li>
 *   <li>No clone host of its own: a Gitea server's name is the deployer's, and CodeBuild has no source type for
 *       it; the ECS executor clones its http(s) clone URL.</li>
 * </ul>
 */
public final class Gitea implements GitHost {
    public static final String NAME = "gitea";
    /** Forgejo's first: a Forgejo delivery is then accepted, and named, by its own header. */
    static final List<String> SIGNATURES = List.of("X-Forgejo-Signature", "X-Gitea-Signature");
    static final List<String> EVENTS = List.of("X-Forgejo-Event", "X-Gitea-Event");
    static final SecretField SECRET = new SecretField("gitea", "buildpush.webhooks.gitea-secret");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GitHostApi api() {
        return new GiteaApi();
    }

    @Override
    public List<SecretField> secretFields() {
        return List.of(SECRET);
    }

    @Override
    public Map<String, SourceType> cloneHosts() {
        return Map.of();
    }

    @Override
    public boolean carriesCredentials(WebhookRequest request) {
        return SIGNATURES.stream().anyMatch(header -> request.header(header) != null);
    }

    /** Both spellings are checked when both are sent, so that neither can carry a forgery past the other. */
    @Override
    public Verdict verify(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance) {
        List<String> sent = SIGNATURES.stream().filter(header -> request.header(header) != null).toList();
        if (sent.isEmpty()) {
            return new Verdict.Refused(String.join(" and ", SIGNATURES) + " are both missing");
        }
        SecretText secret = secrets.get(SECRET);
        Verdict first = null;
        for (String header : sent) {
            // Gitea sends the header empty when the webhook has no secret: say so rather than "does not match".
            if (request.header(header).isEmpty() && secret != null) {
                return new Verdict.Refused(header + " is empty: the webhook has no secret set in Gitea or Forgejo");
            }
            Verdict verdict = Signatures.hexHmacSha256(request, header, "", secret, NAME);
            if (verdict instanceof Verdict.Refused) {
                return verdict;
            }
            first = first == null ? verdict : first;
        }
        return first;
    }

    /**
     * Logged only: a delivery is identified by its signed body ({@link Signatures#hexHmacSha256}), not by
     * {@code X-Gitea-Delivery}. Gitea's and Forgejo's "Replay" sends the same body under a new delivery UUID
     * ({@code ReplayHookTask} creates a new hook task): keyed by the body, a replay after a build is the
     * duplicate it is, and a replay after a failure tries again; two webhooks of one push (a repository's and its
     * organization's) build once. Distinct pushes differ in their body: at least the repository's
     * {@code updated_at} moves with each.
     */
    @Override
    public String hostDeliveryId(WebhookRequest request) {
        return DeliveryId.printable(request.header(request.header("X-Forgejo-Delivery") != null
                ? "X-Forgejo-Delivery" : "X-Gitea-Delivery"));
    }

    @Override
    public WebhookEvent read(WebhookRequest request, JsonNode body) {
        String event = EVENTS.stream().map(request::header).filter(value -> value != null).findFirst().orElse(null);
        if (event == null) {
            return new WebhookEvent.Ignored("?", String.join(" and ", EVENTS) + " are both missing");
        }
        if (event.equals("pull_request")) {
            return pullRequest(event, body);
        }
        if (event.equals("issue_comment")) {
            return comment(event, body);
        }
        if (!event.equals("push")) {
            return new WebhookEvent.Ignored(event, "only push, pull_request and issue_comment events are read");
        }
        String ref = PushFields.required(body, "ref");
        Push.Ref parsed = PushFields.ref(ref);
        if (parsed == null) {
            return new WebhookEvent.Ignored(event, "the pushed ref " + ref + " is neither a branch nor a tag");
        }
        String after = PushFields.required(body, "after");
        // "Test Delivery" in the webhook's settings sends a push of the default branch whose before and after
        // are the same commit (or the all-zero ID): no push moves a ref to where it was.
        if (after.equals(body.path("before").asText())) {
            return new WebhookEvent.Ping(event);
        }
        String commit = isZero(after) ? null : commit(body, parsed, after);
        String actor = PushFields.actor(body, "pusher", "login");
        return new WebhookEvent.Pushes(event, List.of(new Push(NAME, PushFields.required(body, "repository", "full_name"),
                PushFields.required(body, "repository", "clone_url"), parsed, commit, files(body),
                actor != null ? actor : PushFields.actor(body, "pusher", "username"),
                PushFields.optional(body, "head_commit", "message"), PushFields.optional(body, "before"))));
    }

    /**
     * A pull request opened, given new commits ({@code synchronized}), reopened or closed (merged or not); any
     * other action (edited, labeled, assigned, ...) changes no code and builds nothing. Gitea and Forgejo send these
     * under the event {@code pull_request}; {@code X-Gitea-Event-Type} (not read) tells them apart further.
     */
    private static WebhookEvent pullRequest(String event, JsonNode body) {
        String action = PullRequestFields.required(body, "action");
        WebhookEvent.PullRequestChange.Action change = switch (action) {
            case "opened" -> WebhookEvent.PullRequestChange.Action.OPENED;
            case "synchronized" -> WebhookEvent.PullRequestChange.Action.UPDATED;
            case "reopened" -> WebhookEvent.PullRequestChange.Action.REOPENED;
            case "closed" -> WebhookEvent.PullRequestChange.Action.CLOSED;
            default -> null;
        };
        if (change == null) {
            return new WebhookEvent.Ignored(event, "the pull_request action " + DeliveryId.printable(action)
                    + " builds nothing (only opened, synchronized, reopened and closed are read)");
        }
        if (!PullRequestFields.present(body, "pull_request", "head", "repo")) {
            return new WebhookEvent.Ignored(event, "the pull request's head repository was deleted: there is nothing to build");
        }
        String actor = PullRequestFields.actor(body, "sender", "login");
        return new WebhookEvent.PullRequestChange(event, change, new PullRequest(NAME,
                PullRequestFields.required(body, "pull_request", "base", "repo", "full_name"),
                PullRequestFields.number(body, "number"),
                PullRequestFields.required(body, "pull_request", "head", "repo", "full_name"),
                PullRequestFields.required(body, "pull_request", "head", "repo", "clone_url"),
                PullRequestFields.required(body, "pull_request", "head", "ref"),
                PullRequestFields.required(body, "pull_request", "base", "ref"),
                PullRequestFields.required(body, "pull_request", "head", "sha"),
                actor != null ? actor : PullRequestFields.actor(body, "sender", "username"),
                PullRequestFields.optional(body, "pull_request", "title"),
                // The merge base where the event gives it; else the target branch's head, which a three-dot comparison also takes.
                PullRequestFields.optional(body, "pull_request", "merge_base") != null
                        ? PullRequestFields.optional(body, "pull_request", "merge_base")
                        : PullRequestFields.optional(body, "pull_request", "base", "sha")));
    }

    /**
     * A new comment on a pull request: Gitea and Forgejo send comments on issues and on pull requests alike as
     * {@code issue_comment}, with {@code is_pull} true for a pull request's (a Gitea older than the field marks it
     * by {@code issue.pull_request}). An edited or deleted comment approves nothing. The events do not say what the
     * author is to the repository.
     */
    private static WebhookEvent comment(String event, JsonNode body) {
        String action = PullRequestFields.required(body, "action");
        if (!action.equals("created")) {
            return new WebhookEvent.Ignored(event, "the issue_comment action " + DeliveryId.printable(action)
                    + " approves nothing (only a created comment is read)");
        }
        JsonNode isPull = body.path("is_pull");
        boolean onPull = isPull.isBoolean() ? isPull.booleanValue() : PullRequestFields.present(body, "issue", "pull_request");
        if (!onPull) {
            return new WebhookEvent.Ignored(event, "a comment on an issue, not on a pull request");
        }
        String author = PullRequestFields.actor(body, "comment", "user", "login");
        return new WebhookEvent.PullRequestComment(event, NAME, PullRequestFields.required(body, "repository", "full_name"),
                PullRequestFields.number(body, "issue", "number"), author != null ? author : PullRequestFields.actor(body, "sender",
                        "login"), null, null, PullRequestFields.required(body, "comment", "body"));
    }

    /**
     * The files of the listed commits, unless {@code total_commits} says more were pushed than listed (Gitea
     * lists at most its {@code [webhook]} setting's number of commits).
     */
    static ChangedFiles files(JsonNode body) {
        JsonNode commits = body.path("commits");
        JsonNode total = body.path("total_commits");
        if (!total.canConvertToInt()) {
            return new ChangedFiles.Unknown("Gitea did not say how many commits the push has (total_commits)");
        }
        if (total.asInt() > commits.size()) {
            return new ChangedFiles.Unknown("Gitea lists " + commits.size() + " of the push's " + total.asInt() + " commits");
        }
        return PushFields.changedFiles(commits, "Gitea", Integer.MAX_VALUE);
    }

    /**
     * A tag builds {@code head_commit.id}: for an annotated tag {@code after} is the tag object, while Gitea
     * sets {@code head_commit} to the commit it resolves the tag to ({@code services/repository/push.go}). A
     * branch builds {@code after}, its new head commit; so does a tag sent without {@code head_commit}, for which
     * {@code after} is all there is.
     */
    private static String commit(JsonNode body, Push.Ref ref, String after) {
        if (ref.kind() == Push.Ref.Kind.TAG && body.path("head_commit").isObject()) {
            return PushFields.required(body, "head_commit", "id");
        }
        return after;
    }

    /** A deleted ref's new ID: 40 zeros, or 64 in a SHA-256 repository. */
    private static boolean isZero(String id) {
        return id.chars().allMatch(c -> c == '0');
    }
}
