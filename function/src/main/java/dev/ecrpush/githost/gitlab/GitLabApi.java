package dev.ecrpush.githost.gitlab;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.ApiPaths;
import dev.ecrpush.githost.CommitStatus;
import dev.ecrpush.githost.GitHostApi;
import dev.ecrpush.step.SecretText;

/**
 * GitLab's REST API v4 (gitlab.com's or a self-managed instance's {@code /api/v4}), with a project addressed by its
 * URL-encoded path ({@code group%2Fsub%2Fapp}): {@code POST /projects/:id/statuses/:sha} with {@code state}
 * ({@code pending}, {@code running}, {@code success}, {@code failed}, {@code canceled}), {@code name},
 * {@code target_url} and {@code description}; {@code GET /projects/:id/repository/compare?from=&to=}, whose
 * {@code diffs} give each file's {@code old_path} and {@code new_path}. A comparison that timed out
 * ({@code compare_timeout}) does not tell.
 */
public final class GitLabApi implements GitHostApi {
    static final String DEFAULT_API_URL = "https://gitlab.com/api/v4";

    @Override
    public String defaultApiUrl() {
        return DEFAULT_API_URL;
    }

    @Override
    public Header authorization(SecretText token) {
        return new Header("PRIVATE-TOKEN", token);
    }

    @Override
    public Call status(URI api, String repository, String sha, CommitStatus status) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("state", switch (status.state()) {
            case PENDING -> "pending";
            case SUCCESS -> "success";
            case FAILURE -> "failed";
            case CANCELLED -> "canceled";
        });
        body.put("name", status.context());
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl());
        }
        body.put("description", status.description());
        return new Call("POST", ApiPaths.under(api, project(repository) + "/statuses/" + ApiPaths.commit(sha)), body);
    }

    @Override
    public Call compare(URI api, String repository, String before, String after) {
        return new Call("GET", ApiPaths.under(api, project(repository) + "/repository/compare?from=" + ApiPaths.commit(before)
                + "&to=" + ApiPaths.commit(after)), null);
    }

    @Override
    public Compared compared(JsonNode answer) {
        if (answer.path("compare_timeout").asBoolean(false)) {
            return new Compared.Unknown("GitLab's comparison timed out");
        }
        JsonNode diffs = answer.path("diffs");
        if (!diffs.isArray()) {
            return new Compared.Unknown("GitLab's comparison lists no diffs");
        }
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode diff : diffs) {
            if (!diff.path("new_path").isTextual() || !diff.path("old_path").isTextual()) {
                return new Compared.Unknown("GitLab's comparison lists a diff without its paths");
            }
            paths.add(diff.get("new_path").asText());
            paths.add(diff.get("old_path").asText());
        }
        return new Compared.Files(List.copyOf(paths), null);
    }

    /** {@code /projects/<the path, its slashes encoded too>}: GitLab's project ID may be the URL-encoded path. */
    private static String project(String repository) {
        return "/projects/" + String.join("%2F", ApiPaths.segments(repository));
    }
}
