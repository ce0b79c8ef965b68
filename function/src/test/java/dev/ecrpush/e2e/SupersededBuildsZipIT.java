package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
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
 * Superseded builds through the packaged zip, as Lambda runs it behind the HTTP API: two signed GitHub pushes of one
 * branch of run-triggers.json's {@code cancel-app}, the ref's running builds in DynamoDB Local; the second push's
 * build starts, then the first's is stopped with {@code StopBuild} as CodeBuild receives it, and the answer says so.
 */
class SupersededBuildsZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";

    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.started();

    /** The recorded API Gateway event of a GitHub push, carrying this push of acme/cancel, signed as GitHub signs. */
    private static JsonNode push(String branch, String sha, String buildId) throws IOException {
        ZIP.world().aws().reply(START_BUILD, "{\"build\":{\"id\":\"" + buildId + "\"}}");
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/webhook-github-push.json").toFile());
        byte[] body = ("{\"ref\": \"refs/heads/" + branch + "\", \"after\": \"" + sha + "\", \"repository\": {\"full_name\":"
                + " \"acme/cancel\", \"clone_url\": \"https://github.com/acme/cancel.git\"}}").getBytes(StandardCharsets.UTF_8);
        event.put("body", new String(body, StandardCharsets.UTF_8));
        ObjectNode headers = (ObjectNode) event.get("headers");
        headers.remove("content-length");
        headers.put("x-github-delivery", UUID.randomUUID().toString());
        headers.put("x-hub-signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body));
        JsonNode response = JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
        assertEquals(202, response.path("statusCode").asInt(), response::toString);
        return JSON.readTree(response.path("body").asText());
    }

    @Test
    void theSecondPushOfARef_stopsTheFirstBuild() throws IOException {
        // given: a push whose build CodeBuild reads back as still running
        String branch = "feature-zip";
        String first = "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000a001";
        String second = "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000a002";
        push(branch, "a".repeat(40), first);
        ZIP.world().aws().replyWhenBodyContains(AwsFake.CODEBUILD + "BatchGetBuilds", first, AwsFake.json("{\"builds\":[{\"id\":\""
                + first + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":\"IN_PROGRESS\",\"currentPhase\":\"BUILD\"}]}"));
        ZIP.world().aws().reply(STOP_BUILD, "{\"build\": {}}");
        // when: the next push of the branch
        JsonNode answer = push(branch, "b".repeat(40), second);
        // then
        assertEquals(List.of(JSON.readTree("{\"id\": \"" + first + "\"}")), ZIP.world().aws().bodies(STOP_BUILD));
        assertEquals(JSON.readTree("{\"push\": 2, \"stopped\": [{\"buildId\": \"" + first + "\", \"push\": 1, \"result\": \"STOPPED\"}]}"),
                answer.at("/refs/0/builds/0/cancelSuperseded"), answer::toString);
    }
}
