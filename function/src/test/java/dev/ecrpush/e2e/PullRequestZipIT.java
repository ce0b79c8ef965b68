package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.WebhookSigning;

/**
 * Pull request deliveries through the packaged zip, as Lambda runs it behind the HTTP API: the signed
 * {@code events/webhook-<host>-pr-opened.json} of GitHub and GitLab, the trigger set of the SSM fake
 * ({@code run-triggers.json}, with a pull request trigger per host), the runs in DynamoDB Local, and the builds
 * as the CodeBuild fake received them: the head commit, from the head repository, with the pull request's tags; a
 * fork's request held (its hold in DynamoDB Local), built from the fork once the signed approval comment names its
 * head commit, and its closing deleting exactly the request's recorded tags, as ECR received the request.
 */
class PullRequestZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String DELETE = AwsFake.ECR + "BatchDeleteImage";

    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.started();

    private static JsonNode invoke(ObjectNode event) throws IOException {
        JsonNode response = JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
        assertEquals(202, response.path("statusCode").asInt(), response::toString);
        return JSON.readTree(response.path("body").asText());
    }

    private static Map<String, String> pluginEnvironment(JsonNode startBuild) {
        Map<String, String> env = new HashMap<>();
        startBuild.get("environmentVariablesOverride").forEach(v -> env.put(v.get("name").asText(), v.get("value").asText()));
        return env;
    }

    @Test
    void githubPullRequestOpened_startsTheHeadCommitsBuild_withThePullRequestTags() throws IOException {
        // given
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/webhook-github-pr-opened.json").toFile());
        int before = ZIP.world().aws().requests(START_BUILD).size();
        // when
        JsonNode answer = invoke(event);
        // then: the pull request trigger alone, of the head commit, tagged pr-2 and pr-2-<short sha>
        assertEquals("ACCEPTED", answer.path("status").asText(), answer::toString);
        assertEquals("pull/2", answer.at("/refs/0/ref").asText());
        assertEquals(1, answer.at("/refs/0/builds").size(), answer::toString);
        assertEquals("hello-world-prs", answer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        List<JsonNode> starts = ZIP.world().aws().bodies(START_BUILD);
        assertEquals(before + 1, starts.size());
        JsonNode start = starts.get(starts.size() - 1);
        assertEquals("pr-2,pr-2-ec26c3e", pluginEnvironment(start).get("PLUGIN_TAGS"));
        assertEquals("ec26c3e57ca3a959ca5aad62de7213c562f8c821", start.get("sourceVersion").asText());
        assertEquals("https://github.com/Codertocat/Hello-World.git", start.get("sourceLocationOverride").asText());
        // and a redelivery of it is the same build
        JsonNode again = invoke(event);
        assertEquals("DUPLICATE", again.at("/refs/0/builds/0/status").asText(), again::toString);
        assertEquals(before + 1, ZIP.world().aws().requests(START_BUILD).size());
    }

    @Test
    void gitlabMergeRequestOpened_startsTheLastCommitsBuild_withThePullRequestTags() throws IOException {
        // given: the event as GitLab sends it now, signed with the world's signing token
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/webhook-gitlab-pr-opened.json").toFile());
        byte[] body = event.get("body").asText().getBytes(StandardCharsets.UTF_8);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        ((ObjectNode) event.get("headers")).put("webhook-id", id).put("webhook-timestamp", Long.toString(now))
                .put("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body));
        int before = ZIP.world().aws().requests(START_BUILD).size();
        // when
        JsonNode answer = invoke(event);
        // then
        assertEquals("awesome-project-mrs", answer.at("/refs/0/builds/0/trigger").asText(), answer::toString);
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        List<JsonNode> starts = ZIP.world().aws().bodies(START_BUILD);
        assertEquals(before + 1, starts.size());
        JsonNode start = starts.get(starts.size() - 1);
        assertEquals("pr-1,pr-1-da15608", pluginEnvironment(start).get("PLUGIN_TAGS"));
        assertEquals("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", start.get("sourceVersion").asText());
        assertEquals("http://example.com/awesome_space/awesome_project.git", start.get("sourceLocationOverride").asText());
    }

    private static ObjectNode recordedEvent(String file) throws IOException {
        return (ObjectNode) JSON.readTree(Repo.path("events/" + file).toFile());
    }

    @Test
    void forkRequest_isHeld_thenBuiltFromTheForkOnApproval_andItsClosingDeletesExactlyItsTags() throws IOException {
        // given
        int starts = ZIP.world().aws().requests(START_BUILD).size();
        ZIP.world().aws().reply(DELETE, "{\"imageIds\": [], \"failures\": []}");
        // when: a request from the fork Octocoders/Hello-World is opened
        JsonNode held = invoke(recordedEvent("webhook-github-pr-fork.json"));
        // then: held, nothing asked of CodeBuild
        assertEquals("HELD", held.at("/refs/0/builds/0/status").asText(), held::toString);
        assertEquals("hello-world-prs", held.at("/refs/0/builds/0/trigger").asText());
        assertEquals(starts, ZIP.world().aws().requests(START_BUILD).size());
        // when: the repository's owner comments /build ec26c3e on it
        JsonNode approved = invoke(recordedEvent("webhook-github-pr-comment.json"));
        // then: the held head commit is built, from the fork, with the request's tags
        assertEquals("STARTED", approved.at("/refs/0/builds/0/status").asText(), approved::toString);
        List<JsonNode> all = ZIP.world().aws().bodies(START_BUILD);
        assertEquals(starts + 1, all.size());
        JsonNode start = all.get(all.size() - 1);
        assertEquals("ec26c3e57ca3a959ca5aad62de7213c562f8c821", start.get("sourceVersion").asText());
        assertEquals("https://github.com/Octocoders/Hello-World.git", start.get("sourceLocationOverride").asText());
        assertEquals("pr-2,pr-2-ec26c3e", pluginEnvironment(start).get("PLUGIN_TAGS"));
        // when: the request is closed
        JsonNode closed = invoke(recordedEvent("webhook-github-pr-closed.json"));
        // then: exactly its recorded tags are deleted, in the repository its builds pushed to, and nothing else
        assertEquals("CLEANED_UP", closed.at("/refs/0/builds/0/status").asText(), closed::toString);
        assertEquals(List.of(JSON.readTree("{\"registryId\": \"123456789012\", \"repositoryName\": \"codertocat/hello-world\","
                + " \"imageIds\": [{\"imageTag\": \"pr-2\"}, {\"imageTag\": \"pr-2-ec26c3e\"}]}")), ZIP.world().aws().bodies(DELETE));
        assertEquals(starts + 1, ZIP.world().aws().requests(START_BUILD).size());
    }
}
