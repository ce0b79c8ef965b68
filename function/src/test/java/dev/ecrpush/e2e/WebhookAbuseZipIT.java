package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.WebhookSigning;

/**
 * The replay of a signed webhook delivery through the packaged zip, as Lambda runs it behind the HTTP API: the
 * webhook secret from the Secrets Manager fake, the trigger set from the SSM fake, the runs in DynamoDB Local.
 * The recorded, signed GitHub push is sent again under a new, a changed and no {@code X-GitHub-Delivery}: the
 * header is not signed, so each is the same delivery, and only the first reaches CodeBuild. And one push of many
 * branches starts no more than {@code buildpush.webhooks.max-builds-per-delivery} builds.
 */
class WebhookAbuseZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String DELIVERY_HEADER = "x-github-delivery";

    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.started();

    @Test
    void signedGitHubPush_replayedUnderNewChangedAndMissingDeliveryHeaders_buildsOnce() throws IOException {
        // given: the recorded signed push, and its delivery header as an attacker may set it
        ObjectNode recorded = (ObjectNode) JSON.readTree(Repo.path("events/webhook-github-push.json").toFile());
        String first = UUID.randomUUID().toString();
        List<JsonNode> answers = new ArrayList<>();
        List<Integer> startBuilds = new ArrayList<>();
        // when
        for (String delivery : new String[] {first, UUID.randomUUID().toString(), first + "-2", null}) {
            ObjectNode event = recorded.deepCopy();
            ObjectNode headers = (ObjectNode) event.get("headers");
            if (delivery == null) {
                headers.remove(DELIVERY_HEADER);
            } else {
                headers.put(DELIVERY_HEADER, delivery);
            }
            JsonNode response = JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
            assertEquals(202, response.path("statusCode").asInt(), response::toString);
            answers.add(JSON.readTree(response.path("body").asText()));
            startBuilds.add(ZIP.world().aws().requests(START_BUILD).size());
        }
        // then: the first started its builds, and the three replays none, each a duplicate of the same delivery
        int started = 0;
        for (JsonNode build : answers.get(0).at("/refs/0/builds")) {
            started += build.path("status").asText().equals("STARTED") ? 1 : 0;
        }
        assertEquals(List.of(started, started, started, started), startBuilds, answers::toString);
        assertFalse(started == 0, answers.get(0)::toString);
        for (JsonNode replay : answers.subList(1, 4)) {
            assertEquals(answers.get(0).get("delivery"), replay.get("delivery"));
            replay.at("/refs/0/builds").forEach(build -> assertEquals("DUPLICATE", build.path("status").asText(), replay::toString));
        }
    }

    @Test
    void bitbucketPushOf40Branches_starts10_andAnswersThe30OthersSkipped() throws IOException {
        // given: the recorded Bitbucket push, its one change copied for the branches fanout-01 to fanout-40 (each
        // matching the temp-fanout trigger), signed as Bitbucket signs
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/webhook-bitbucket-push.json").toFile());
        ObjectNode push = (ObjectNode) JSON.readTree(event.get("body").asText());
        ArrayNode changes = (ArrayNode) push.at("/push/changes");
        ObjectNode change = (ObjectNode) changes.get(0);
        changes.removeAll();
        for (int i = 1; i <= 40; i++) {
            ObjectNode copy = change.deepCopy();
            ((ObjectNode) copy.get("new")).put("name", String.format("fanout-%02d", i));
            changes.add(copy);
        }
        byte[] body = JSON.writeValueAsBytes(push);
        event.put("body", new String(body, StandardCharsets.UTF_8));
        ObjectNode headers = (ObjectNode) event.get("headers");
        headers.remove("content-length");
        headers.put("x-hub-signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body));
        int before = ZIP.world().aws().requests(START_BUILD).size();
        // when
        JsonNode response = JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
        // then: ten builds, the first ten branches as the body lists them, the thirty others skipped
        assertEquals(202, response.path("statusCode").asInt(), response::toString);
        JsonNode answer = JSON.readTree(response.path("body").asText());
        assertEquals(10, ZIP.world().aws().requests(START_BUILD).size() - before, answer::toString);
        List<String> statuses = new ArrayList<>();
        answer.get("refs").forEach(ref -> statuses.add(ref.at("/builds/0/status").asText()));
        List<String> expected = new ArrayList<>(Collections.nCopies(10, "STARTED"));
        expected.addAll(Collections.nCopies(30, "SKIPPED"));
        assertEquals(expected, statuses, answer::toString);
        assertEquals("refs/heads/fanout-11", answer.at("/refs/10/ref").asText());
    }
}
