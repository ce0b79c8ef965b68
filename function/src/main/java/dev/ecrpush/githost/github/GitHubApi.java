package dev.ecrpush.githost.github;

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
 * GitHub's REST API (and GitHub Enterprise Server's, at its {@code /api/v3}): {@code POST
 * /repos/{owner}/{repo}/statuses/{sha}} with {@code state}, {@code target_url}, {@code description} and
 * {@code context}; {@code GET /repos/{owner}/{repo}/compare/{before}...{after}}, whose {@code files} lists at most
 * 300 files. GitHub's states are {@code pending}, {@code success}, {@code failure} and {@code error}: it has no
 * cancelled, so a cancelled build is an {@code error} whose description says it was cancelled.
 */
public final class GitHubApi implements GitHostApi {
    static final String DEFAULT_API_URL = "https://api.github.com";
    /** The most files a comparison lists; a comparison of more is cut short there. */
    static final int MAX_COMPARE_FILES = 300;

    @Override
    public String defaultApiUrl() {
        return DEFAULT_API_URL;
    }

    @Override
    public Header authorization(SecretText token) {
        return new Header("Authorization", new SecretText("Bearer " + token.value()));
    }

    @Override
    public Call status(URI api, String repository, String sha, CommitStatus status) {
        return new Call("POST", ApiPaths.under(api, repo(repository) + "/statuses/" + ApiPaths.commit(sha)), body(status));
    }

    private static ObjectNode body(CommitStatus status) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("state", switch (status.state()) {
            case PENDING -> "pending";
            case SUCCESS -> "success";
            case FAILURE -> "failure";
            case CANCELLED -> "error";
        });
        if (status.targetUrl() != null) {
            body.put("target_url", status.targetUrl());
        }
        body.put("description", status.description());
        body.put("context", status.context());
        return body;
    }

    @Override
    public Call compare(URI api, String repository, String before, String after) {
        return new Call("GET", ApiPaths.under(api, repo(repository) + "/compare/" + ApiPaths.commit(before) + "..."
                + ApiPaths.commit(after)), null);
    }

    @Override
    public Compared compared(JsonNode answer) {
        JsonNode files = answer.path("files");
        if (!files.isArray()) {
            return new Compared.Unknown("GitHub's comparison lists no files");
        }
        if (files.size() >= MAX_COMPARE_FILES) {
            return new Compared.Unknown("GitHub lists at most " + MAX_COMPARE_FILES + " files of a comparison, and this one lists "
                    + files.size());
        }
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode file : files) {
            if (!file.path("filename").isTextual()) {
                return new Compared.Unknown("GitHub's comparison lists a file without its filename");
            }
            paths.add(file.get("filename").asText());
            if (file.path("previous_filename").isTextual()) {
                paths.add(file.get("previous_filename").asText());
            }
        }
        return new Compared.Files(List.copyOf(paths), null);
    }

    /** {@code /repos/{owner}/{repo}}, each percent-encoded. */
    private static String repo(String repository) {
        List<String> segments = ApiPaths.segments(repository);
        if (segments.size() != 2) {
            throw new IllegalArgumentException("a repository's full name is owner/name: " + repository);
        }
        return "/repos/" + segments.get(0) + "/" + segments.get(1);
    }
}
