package dev.ecrpush.githost.bitbucket;

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
 * Bitbucket Cloud's API 2.0: {@code POST /repositories/{workspace}/{slug}/commit/{sha}/statuses/build} with
 * {@code key} (which identifies the status: a later one of the same key replaces it), {@code state}
 * ({@code INPROGRESS}, {@code SUCCESSFUL}, {@code FAILED}, {@code STOPPED}), {@code url} (required), {@code name} and
 * {@code description}; {@code GET /repositories/{workspace}/{slug}/diffstat/{after}..{before}}, paged
 * ({@code next}), each entry with its {@code old} and {@code new} path. The token is a repository or workspace
 * access token, sent as a bearer token.
 */
public final class BitbucketApi implements GitHostApi {
    static final String DEFAULT_API_URL = "https://api.bitbucket.org/2.0";
    /** The longest {@code key} Bitbucket keeps. */
    static final int MAX_KEY = 40;

    @Override
    public String defaultApiUrl() {
        return DEFAULT_API_URL;
    }

    @Override
    public Header authorization(SecretText token) {
        return new Header("Authorization", new SecretText("Bearer " + token.value()));
    }

    /**
     * Bitbucket requires {@code url}: a build without a logs link links to the commit itself.
     */
    @Override
    public Call status(URI api, String repository, String sha, CommitStatus status) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("key", CommitStatus.shortened(status.context(), MAX_KEY));
        body.put("state", switch (status.state()) {
            case PENDING -> "INPROGRESS";
            case SUCCESS -> "SUCCESSFUL";
            case FAILURE -> "FAILED";
            case CANCELLED -> "STOPPED";
        });
        body.put("url", status.targetUrl() != null ? status.targetUrl()
                : "https://bitbucket.org/" + String.join("/", ApiPaths.segments(repository)) + "/commits/" + ApiPaths.commit(sha));
        body.put("name", status.context());
        body.put("description", status.description());
        return new Call("POST", ApiPaths.under(api, repo(repository) + "/commit/" + ApiPaths.commit(sha) + "/statuses/build"),
                body);
    }

    @Override
    public Call compare(URI api, String repository, String before, String after) {
        return new Call("GET", ApiPaths.under(api, repo(repository) + "/diffstat/" + ApiPaths.commit(after) + ".."
                + ApiPaths.commit(before)), null);
    }

    @Override
    public Compared compared(JsonNode answer) {
        JsonNode values = answer.path("values");
        if (!values.isArray()) {
            return new Compared.Unknown("Bitbucket's diffstat lists no values");
        }
        Set<String> paths = new LinkedHashSet<>();
        for (JsonNode value : values) {
            for (String side : new String[] {"old", "new"}) {
                JsonNode path = value.path(side).path("path");
                if (path.isTextual()) {
                    paths.add(path.asText());
                }
            }
        }
        JsonNode next = answer.path("next");
        return new Compared.Files(List.copyOf(paths), next.isTextual() ? next.asText() : null);
    }

    private static String repo(String repository) {
        List<String> segments = ApiPaths.segments(repository);
        if (segments.size() != 2) {
            throw new IllegalArgumentException("a Bitbucket repository's full name is workspace/slug: " + repository);
        }
        return "/repositories/" + segments.get(0) + "/" + segments.get(1);
    }
}
