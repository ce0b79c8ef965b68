package dev.ecrpush.githost;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

    /** The text at {@code path}, or null when it is missing, not text, or blank. */
    public static String optional(JsonNode body, String... path) {
        JsonNode node = body;
        for (String field : path) {
            node = node.path(field);
        }
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    /**
     * Who pushed, from the text at {@code path}: null when it is missing, longer than any host's login (255), or
     * holds a control character. It is compared with a trigger's {@code actors} and quoted in the answer and the
     * log, so nothing that could forge a log line gets through, and a push from such a name is one from no one
     * known.
     */
    public static String actor(JsonNode body, String... path) {
        String actor = optional(body, path);
        if (actor == null || actor.length() > 255 || actor.chars().anyMatch(Character::isISOControl)) {
            return null;
        }
        return actor;
    }

    /**
     * The paths the listed commits added, modified or removed, in the shape GitHub, GitLab and Gitea share (each
     * commit's {@code added}, {@code modified} and {@code removed} lists). Unknown when there is no commit to read
     * (a push of commits already in the repository lists none), when a commit's lists are missing or hold
     * something other than paths, or when a commit lists {@code perCommitLimit} files or more: a host that cuts a
     * commit's list short at that count cannot be told from one whose commit changed exactly that many. The
     * caller checks whether the host listed every commit.
     *
     * @param host how the reason names the host ({@code GitHub})
     */
    public static ChangedFiles changedFiles(JsonNode commits, String host, int perCommitLimit) {
        if (!commits.isArray()) {
            return new ChangedFiles.Unknown(host + " sent no list of commits");
        }
        if (commits.isEmpty()) {
            return new ChangedFiles.Unknown("the push lists no commits (its commits were already in the repository)");
        }
        Set<String> paths = new LinkedHashSet<>();
        for (int i = 0; i < commits.size(); i++) {
            int count = 0;
            for (String list : new String[] {"added", "modified", "removed"}) {
                JsonNode files = commits.get(i).path(list);
                if (!files.isArray()) {
                    return new ChangedFiles.Unknown(host + " lists no " + list + " files for commits[" + i + "]");
                }
                for (JsonNode file : files) {
                    if (!file.isTextual() || file.asText().isEmpty()) {
                        return new ChangedFiles.Unknown(host + " lists something other than a path in commits[" + i + "]." + list);
                    }
                    paths.add(file.asText());
                    count++;
                }
            }
            if (count >= perCommitLimit) {
                return new ChangedFiles.Unknown(host + " lists at most " + perCommitLimit + " files of a commit, and commits[" + i
                        + "] lists " + count);
            }
        }
        return new ChangedFiles.Listed(List.copyOf(paths));
    }
}
