package dev.ecrpush.githost.gitea;

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
 * Gitea's and Forgejo's API, at the deployer's server ({@code https://git.example.com/api/v1}; there is no public
 * one): {@code POST /repos/{owner}/{repo}/statuses/{sha}} ({@code CreateStatusOption}: {@code state},
 * {@code target_url}, {@code description}, {@code context}) with the states {@code pending}, {@code success},
 * {@code failure}, {@code error} (and {@code warning}); a cancelled build is an {@code error}, as on GitHub.
 * {@code GET /repos/{owner}/{repo}/compare/{before}...{after}} lists the commits with each one's {@code files}; an
 * answer without them (an older server), or listing fewer commits than {@code total_commits}, does not tell.
 */
public final class GiteaApi implements GitHostApi {
    @Override
    public String defaultApiUrl() {
        return null;
    }

    @Override
    public Header authorization(SecretText token) {
        return new Header("Authorization", new SecretText("token " + token.value()));
    }

    @Override
    public Call status(URI api, String repository, String sha, CommitStatus status) {
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
        return new Call("POST", ApiPaths.under(api, repo(repository) + "/statuses/" + ApiPaths.commit(sha)), body);
    }

    @Override
    public Call compare(URI api, String repository, String before, String after) {
        return new Call("GET", ApiPaths.under(api, repo(repository) + "/compare/" + ApiPaths.commit(before) + "..."
                + ApiPaths.commit(after)), null);
    }

    @Override
    public Compared compared(JsonNode answer) {
        JsonNode commits = answer.path("commits");
        if (!commits.isArray() || commits.isEmpty()) {
            return new Compared.Unknown("Gitea's comparison lists no commits");
        }
        if (answer.path("total_commits").canConvertToInt() && answer.get("total_commits").asInt() > commits.size()) {
            return new Compared.Unknown("Gitea's comparison lists " + commits.size() + " of " + answer.get("total_commits").asInt()
                    + " commits");
        }
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode commit : commits) {
            JsonNode files = commit.path("files");
            if (!files.isArray()) {
                return new Compared.Unknown("Gitea's comparison lists no files of its commits");
            }
            for (JsonNode file : files) {
                if (!file.path("filename").isTextual()) {
                    return new Compared.Unknown("Gitea's comparison lists a file without its filename");
                }
                paths.add(file.get("filename").asText());
            }
        }
        return new Compared.Files(List.copyOf(paths), null);
    }

    private static String repo(String repository) {
        List<String> segments = ApiPaths.segments(repository);
        if (segments.size() != 2) {
            throw new IllegalArgumentException("a repository's full name is owner/name: " + repository);
        }
        return "/repos/" + segments.get(0) + "/" + segments.get(1);
    }
}
