package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;

/**
 * The replay of a signed webhook delivery through the packaged zip, as Lambda runs it behind the HTTP API: the
 * webhook secret from the Secrets Manager fake, the trigger set from the SSM fake, the runs in DynamoDB Local.
 * The recorded, signed GitHub push is sent again under a new, a changed and no {@code X-GitHub-Delivery}: the
 * header is not signed, so each is the same delivery, and only the first reaches CodeBuild.
 */
class WebhookAbuseZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String DELIVERY_HEADER = "x-github-delivery";

    private static TriggerWorld world;
    private static LocalLambdaRuntime runtime;
    private static FunctionProcess function;
    private static final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws IOException {
        world = TriggerWorld.start();
        runtime = LocalLambdaRuntime.start();
        Map<String, String> environment = new HashMap<>(PackagedFunction.environment(world.aws().endpoint()));
        environment.put("AWS_ENDPOINT_URL_DYNAMODB", world.dynamoDbEndpoint().toString());
        // the world's configuration as the environment variables Lambda would set
        world.config().forEach((key, value) -> environment.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value));
        function = PackagedFunction.start(runtime, environment, log);
    }

    @AfterAll
    static void stop() throws IOException {
        if (function != null) {
            function.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (world != null) {
            world.close();
        }
    }

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
            JsonNode response = JSON.readTree(runtime.invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
            assertEquals(202, response.path("statusCode").asInt(), response::toString);
            answers.add(JSON.readTree(response.path("body").asText()));
            startBuilds.add(world.aws().requests(START_BUILD).size());
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
}
