package dev.ecrpush.githost.github;

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

/**
 * GitHub ({@code github.com}): {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>}, the
 * {@code push} event (branches and tags alike), {@code pull_request}, {@code issue_comment} on a pull request, and
 * {@code ping}, deliveries identified by the signed body's
 * SHA-256, which a redelivery repeats byte for byte ({@code X-GitHub-Delivery} is not signed, and only logged).
 */
public final class GitHub implements GitHost {
    public static final String NAME = "github";
    static final String SIGNATURE = "X-Hub-Signature-256";
    static final String EVENT = "X-GitHub-Event";
    static final String DELIVERY = "X-GitHub-Delivery";
    static final SecretField SECRET = new SecretField("github", "buildpush.webhooks.github-secret");
    /** GitHub lists at most 20 commits of a push, and at most 3,000 files of a commit. */
    static final int MAX_COMMITS = 20;
    static final int MAX_FILES_PER_COMMIT = 3000;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public GitHostApi api() {
        return new GitHubApi();
    }

    @Override
    public List<SecretField> secretFields() {
        return List.of(SECRET);
    }

    @Override
    public Map<String, SourceType> cloneHosts() {
        return Map.of("github.com", SourceType.GITHUB);
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
        return DeliveryId.printable(request.header(DELIVERY));
    }

    @Override
    public WebhookEvent read(WebhookRequest request, JsonNode body) {
        String event = request.header(EVENT);
        if (event == null) {
            return new WebhookEvent.Ignored("?", EVENT + " is missing");
        }
        if (event.equals("ping")) {
            return new WebhookEvent.Ping(event);
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
        boolean deleted = body.path("deleted").asBoolean(false);
        String commit = deleted ? null : commit(body, parsed);
        // sender.login is the account that pushed; pusher.name is a Git name for some pushers (deploy keys).
        return new WebhookEvent.Pushes(event, List.of(new Push(NAME, PushFields.required(body, "repository", "full_name"),
                PushFields.required(body, "repository", "clone_url"), parsed, commit, files(body),
                PushFields.actor(body, "sender", "login"), PushFields.optional(body, "head_commit", "message"),
                PushFields.optional(body, "before"))));
    }

    /**
     * A pull request opened, given new commits ({@code synchronize}), reopened or closed (merged or not); any other
     * action (labeled, edited, review_requested, ...) changes no code and builds nothing. A request whose head
     * repository was deleted ({@code head.repo} null) has no commits left to build.
     */
    private static WebhookEvent pullRequest(String event, JsonNode body) {
        String action = PullRequestFields.required(body, "action");
        WebhookEvent.PullRequestChange.Action change = switch (action) {
            case "opened" -> WebhookEvent.PullRequestChange.Action.OPENED;
            case "synchronize" -> WebhookEvent.PullRequestChange.Action.UPDATED;
            case "reopened" -> WebhookEvent.PullRequestChange.Action.REOPENED;
            case "closed" -> WebhookEvent.PullRequestChange.Action.CLOSED;
            default -> null;
        };
        if (change == null) {
            return new WebhookEvent.Ignored(event, "the pull_request action " + DeliveryId.printable(action)
                    + " builds nothing (only opened, synchronize, reopened and closed are read)");
        }
        if (!PullRequestFields.present(body, "pull_request", "head", "repo")) {
            return new WebhookEvent.Ignored(event, "the pull request's head repository was deleted: there is nothing to build");
        }
        return new WebhookEvent.PullRequestChange(event, change, new PullRequest(NAME,
                PullRequestFields.required(body, "pull_request", "base", "repo", "full_name"),
                PullRequestFields.number(body, "number"),
                PullRequestFields.required(body, "pull_request", "head", "repo", "full_name"),
                PullRequestFields.required(body, "pull_request", "head", "repo", "clone_url"),
                PullRequestFields.required(body, "pull_request", "head", "ref"),
                PullRequestFields.required(body, "pull_request", "base", "ref"),
                PullRequestFields.required(body, "pull_request", "head", "sha"),
                PullRequestFields.actor(body, "sender", "login"),
                PullRequestFields.optional(body, "pull_request", "title"),
                PullRequestFields.optional(body, "pull_request", "base", "sha")));
    }

    /**
     * A new comment on a pull request (GitHub's pull requests are issues, and their conversation comments
     * {@code issue_comment} events with {@code issue.pull_request} set). A comment on a plain issue, and an edited or
     * deleted comment, approves nothing: an approval is a command as it was first written.
     */
    private static WebhookEvent comment(String event, JsonNode body) {
        String action = PullRequestFields.required(body, "action");
        if (!action.equals("created")) {
            return new WebhookEvent.Ignored(event, "the issue_comment action " + DeliveryId.printable(action)
                    + " approves nothing (only a created comment is read)");
        }
        if (!PullRequestFields.present(body, "issue", "pull_request")) {
            return new WebhookEvent.Ignored(event, "a comment on an issue, not on a pull request");
        }
        return new WebhookEvent.PullRequestComment(event, NAME, PullRequestFields.required(body, "repository", "full_name"),
                PullRequestFields.number(body, "issue", "number"), PullRequestFields.actor(body, "comment", "user", "login"),
                PullRequestFields.optional(body, "comment", "author_association"), null,
                PullRequestFields.required(body, "comment", "body"));
    }

    /**
     * The files of the listed commits. The push event has no count of all its commits, so a list of 20 (the most
     * GitHub sends) may be cut short, and then the event cannot tell.
     */
    static ChangedFiles files(JsonNode body) {
        JsonNode commits = body.path("commits");
        if (commits.size() >= MAX_COMMITS) {
            return new ChangedFiles.Unknown("GitHub lists at most " + MAX_COMMITS + " commits of a push, and this one lists "
                    + commits.size());
        }
        return PushFields.changedFiles(commits, "GitHub", MAX_FILES_PER_COMMIT);
    }

    /**
     * The commit a push builds. For an annotated tag {@code after} is the tag object, not a commit; GitHub's
     * schema gives {@code head_commit} as "the commit pointed to by the annotated tag" then, and as the commit
     * itself whenever {@code after} is or points to a commit (a lightweight tag, a branch). So a tag builds
     * {@code head_commit.id}. When {@code head_commit} is null (a tag of something other than a commit, or a host
     * from before GitHub sent it on every tag creation), {@code after} is all there is, and for a lightweight tag
     * it is the commit. Branches keep {@code after}: it is the branch's new head commit.
     */
    private static String commit(JsonNode body, Push.Ref ref) {
        if (ref.kind() == Push.Ref.Kind.TAG && body.path("head_commit").isObject()) {
            return PushFields.required(body, "head_commit", "id");
        }
        return PushFields.required(body, "after");
    }
}
