package dev.ecrpush.abuse;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.flow.PullRequestDeliveries;
import dev.ecrpush.flow.SupersededBuilds;
import dev.ecrpush.flow.TriggeredRuns;
import dev.ecrpush.flow.WebhookDeliveries;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecretSource;
import dev.ecrpush.result.ResultJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;
import dev.ecrpush.trigger.TriggerSource;

/**
 * The webhook abuse that was reproduced against the function, one case per test, through the HTTP route with
 * the real Git hosts, the webhook secret from the Secrets Manager fake, the trigger set from the SSM fake and the
 * runs in DynamoDB Local: each counts what reached CodeBuild ({@code StartBuild}) or Secrets Manager.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class WebhookAbuseTest {
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String RUN_TASK = AwsFake.ECS + "RunTask";
    private static final String GET_SECRET_VALUE = AwsFake.SECRETS_MANAGER + "GetSecretValue";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    AwsClients clients;
    @Inject
    ServiceConfig config;
    @Inject
    Config values;
    @Inject
    GitHostRegistry hosts;
    @Inject
    ObjectMapper json;
    @Inject
    TriggerSource triggers;
    @Inject
    TriggeredRuns runs;
    @Inject
    SupersededBuilds superseded;
    PullRequestDeliveries pullRequests;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
    }

    /**
     * A recorded payload no earlier test has delivered (a field no host reads, first in its object): every run is
     * kept in the table, and a delivery is its signed body.
     */
    private static byte[] fresh(String file) {
        String body = new String(WebhookSigning.recorded(file), StandardCharsets.UTF_8);
        int brace = body.indexOf('{');
        return (body.substring(0, brace + 1) + "\"testDelivery\": \"" + UUID.randomUUID() + "\", " + body.substring(brace + 1))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static JsonNode post(RequestSpecification request, String host, int status) throws Exception {
        Response response = request.post("/webhooks/" + host);
        String text = response.asString();
        assertEquals(status, response.statusCode(), text);
        return Fixtures.JSON.readTree(text);
    }

    /**
     * One signed body sent four times, as a replaying attacker would: under the host's delivery header with a
     * new value, the same header with another value, a changed one, and none at all.
     */
    private List<JsonNode> replayUnderNewChangedAndMissingDeliveryHeaders(String host,
            Function<String, RequestSpecification> signedDeliveryWithHeader) throws Exception {
        String first = UUID.randomUUID().toString();
        List<JsonNode> answers = new ArrayList<>();
        for (String header : new String[] {first, UUID.randomUUID().toString(), first + "-2", null}) {
            answers.add(post(signedDeliveryWithHeader.apply(header), host, 202));
        }
        return answers;
    }

    private static List<String> buildStatuses(List<JsonNode> answers) {
        return answers.stream().map(answer -> answer.at("/refs/0/builds/0/status").asText()).toList();
    }

    // Replays: a delivery is what its signature covers, whatever its unsigned delivery header says

    @Test
    void githubSignedBody_resentUnderNewChangedAndMissingXGitHubDelivery_buildsOnce() throws Exception {
        // given
        byte[] body = fresh("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        // when
        List<JsonNode> answers = replayUnderNewChangedAndMissingDeliveryHeaders("github", delivery -> {
            RequestSpecification request = given().contentType("application/json").header("X-GitHub-Event", "push")
                    .header("X-Hub-Signature-256", signature).body(body);
            return delivery == null ? request : request.header("X-GitHub-Delivery", delivery);
        });
        // then
        assertEquals(1, aws.requests(START_BUILD).size(), answers::toString);
        assertEquals(List.of("STARTED", "DUPLICATE", "DUPLICATE", "DUPLICATE"), buildStatuses(answers));
    }

    @Test
    void bitbucketSignedBody_resentUnderNewChangedAndMissingXRequestUuid_buildsOnce() throws Exception {
        // given
        byte[] body = fresh("bitbucket-push.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body);
        // when
        List<JsonNode> answers = replayUnderNewChangedAndMissingDeliveryHeaders("bitbucket", delivery -> {
            RequestSpecification request = given().contentType("application/json").header("X-Event-Key", "repo:push")
                    .header("X-Hub-Signature", signature).body(body);
            return delivery == null ? request : request.header("X-Request-UUID", delivery);
        });
        // then
        assertEquals(1, aws.requests(START_BUILD).size(), answers::toString);
        assertEquals(List.of("STARTED", "DUPLICATE", "DUPLICATE", "DUPLICATE"), buildStatuses(answers));
    }

    @Test
    void gitlabSignedDelivery_resentUnderNewChangedAndMissingIdempotencyKeyAndEventUuid_buildsOnce() throws Exception {
        // given: one Standard Webhooks delivery (webhook-id, timestamp and body signed together), within the tolerance
        byte[] body = fresh("gitlab-push.json");
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        String signature = WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body);
        // when: the unsigned Idempotency-Key and X-Gitlab-Event-UUID new, changed and missing
        List<JsonNode> answers = replayUnderNewChangedAndMissingDeliveryHeaders("gitlab", delivery -> {
            RequestSpecification request = given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                    .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("webhook-id", id)
                    .header("webhook-timestamp", Long.toString(now)).header("webhook-signature", signature).body(body);
            return delivery == null ? request
                    : request.header("Idempotency-Key", delivery).header("X-Gitlab-Event-UUID", "uuid-" + delivery);
        });
        // then
        assertEquals(1, aws.requests(START_BUILD).size(), answers::toString);
        assertEquals(List.of("STARTED", "DUPLICATE", "DUPLICATE", "DUPLICATE"), buildStatuses(answers));
        answers.forEach(answer -> assertEquals("webhook-id-" + id, answer.get("delivery").asText()));
    }

    @Test
    void giteaSignedBody_resentUnderNewChangedAndMissingDeliveryUuids_buildsOnce() throws Exception {
        // given
        byte[] body = fresh("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        // when: Gitea's and Forgejo's delivery headers
        List<JsonNode> answers = replayUnderNewChangedAndMissingDeliveryHeaders("gitea", delivery -> {
            RequestSpecification request = given().contentType("application/json").header("X-Gitea-Event", "push")
                    .header("X-Gitea-Signature", signature).body(body);
            return delivery == null ? request
                    : request.header("X-Gitea-Delivery", delivery).header("X-Forgejo-Delivery", delivery);
        });
        // then: one ECS task
        assertEquals(1, aws.requests(RUN_TASK).size(), answers::toString);
        assertEquals(List.of("STARTED", "DUPLICATE", "DUPLICATE", "DUPLICATE"), buildStatuses(answers));
    }

    // Fan-out: one delivery starts at most buildpush.webhooks.max-builds-per-delivery builds

    @Test
    void bitbucketDeliveryOf40Refs_starts10_andReportsThe30OthersSkipped_inTheBodysOrder() throws Exception {
        // given: one signed repo:push listing 40 branches, each matching the temp-fanout trigger (fanout-*); handed to
        // the deliveries as the route does, without an HTTP client's read timeout on ten builds of a loaded machine
        byte[] body = pushOfBranches(40);
        String signature = WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body);
        WebhookDeliveries deliveries = new WebhookDeliveries(hosts, new WebhookSecretSource(clients, config, values, hosts, json),
                triggers, runs, superseded, json, config, pullRequests);
        // when
        WebhookDeliveries.Answer first = deliveries.handle("bitbucket", new WebhookRequest(Map.of("X-Event-Key", "repo:push",
                "X-Request-UUID", UUID.randomUUID().toString(), "X-Hub-Signature", signature), body));
        JsonNode answer = ResultJson.tree(first.body(), json);
        // then: ten builds at CodeBuild, the first ten refs as the body lists them
        assertEquals(202, first.status(), answer::toString);
        assertEquals(10, aws.requests(START_BUILD).size(), answer::toString);
        Map<String, String> statuses = statusesByRef(answer);
        assertEquals(40, statuses.size(), answer::toString);
        List<String> refs = new ArrayList<>(statuses.keySet());
        for (int i = 0; i < 40; i++) {
            assertEquals(String.format("refs/heads/fanout-%02d", i + 1), refs.get(i));
            assertEquals(i < 10 ? "STARTED" : "SKIPPED", statuses.get(refs.get(i)), refs.get(i));
        }
        assertEquals("this delivery already asked for 10 builds, the most buildpush.webhooks.max-builds-per-delivery allows",
                answer.at("/refs/10/builds/0/reason").asText());
        assertEquals("ACCEPTED", answer.get("status").asText());

        // and the same delivery again: the same ten are duplicates, the same thirty skipped, nothing started
        aws.resetRequests();
        JsonNode again = ResultJson.tree(deliveries.handle("bitbucket", new WebhookRequest(Map.of("X-Event-Key", "repo:push",
                "X-Request-UUID", UUID.randomUUID().toString(), "X-Hub-Signature", signature), body)).body(), json);
        assertEquals(List.of(), aws.requests(START_BUILD));
        List<String> repeated = new ArrayList<>(statusesByRef(again).values());
        assertEquals(List.of("DUPLICATE"), repeated.subList(0, 10).stream().distinct().toList());
        assertEquals(List.of("SKIPPED"), repeated.subList(10, 40).stream().distinct().toList());
    }

    /** The recorded Bitbucket push, its one change copied for the branches fanout-01 to fanout-NN. */
    private static byte[] pushOfBranches(int count) throws Exception {
        ObjectNode push = (ObjectNode) Fixtures.JSON.readTree(fresh("bitbucket-push.json"));
        ArrayNode changes = (ArrayNode) push.at("/push/changes");
        ObjectNode template = (ObjectNode) changes.get(0);
        changes.removeAll();
        for (int i = 1; i <= count; i++) {
            ObjectNode change = template.deepCopy();
            ((ObjectNode) change.get("new")).put("name", String.format("fanout-%02d", i));
            changes.add(change);
        }
        return Fixtures.JSON.writeValueAsBytes(push);
    }

    private static Map<String, String> statusesByRef(JsonNode answer) {
        Map<String, String> statuses = new LinkedHashMap<>();
        answer.get("refs").forEach(ref -> statuses.put(ref.get("ref").asText(), ref.at("/builds/0/status").asText()));
        return statuses;
    }

    // GitLab's signing token, and its timestamp

    @Test
    void gitlabSecretTokenAlone_whenASigningTokenIsConfigured_is401_andStartsNothing() throws Exception {
        // given: this world configures both the secret token and the signing token
        byte[] body = fresh("gitlab-push.json");
        // when: the right secret token, and no signature
        JsonNode answer = post(given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(body), "gitlab", 401);
        // then
        assertEquals("REJECTED", answer.get("status").asText());
        assertEquals("webhook-signature is missing: a GitLab signing token is configured, so X-Gitlab-Token alone is not accepted",
                answer.get("reason").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void gitlabTimestampThatIsNoSaneNumber_is401_neverA500() throws Exception {
        byte[] body = fresh("gitlab-push.json");
        for (String timestamp : List.of("9223372036854775807", "-9223372036854775808", "-1", "1e3", "soon",
                Long.toString(Instant.now().getEpochSecond() + 86_400 * 365L * 100))) {
            // when: forged, as anyone can send it, and signed with the real key: the timestamp alone is refused
            for (String signature : List.of("v1,AAAA", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, "msg_1",
                    timestamp, body))) {
                JsonNode answer = post(given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                        .header("webhook-id", "msg_1").header("webhook-timestamp", timestamp).header("webhook-signature", signature)
                        .body(body), "gitlab", 401);
                // then
                assertEquals("REJECTED", answer.get("status").asText(), timestamp);
                assertTrue(answer.get("reason").asText().startsWith("webhook-timestamp is "), timestamp + ": " + answer);
                assertFalse(answer.toString().contains("Exception"), answer::toString);
            }
        }
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    // A webhook secret that cannot be read

    @Test
    void secretThatCannotBeRead_isReadOncePerFailureTtl_howeverManyUnauthenticatedDeliveriesArrive() throws Exception {
        // given: Secrets Manager refuses (a code the SDK does not retry: one request per read), and a function that
        // has not read the secret yet: this application's deliveries, with a secret source of their own
        aws.failWhenBodyContains(GET_SECRET_VALUE, TriggerWorld.WEBHOOK_SECRET_ID, 400, "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.");
        WebhookSecretSource cold = new WebhookSecretSource(clients, config, values, hosts, json);
        QuarkusMock.installMockForType(new WebhookDeliveries(hosts, cold, triggers, runs, superseded, json, config, pullRequests),
                WebhookDeliveries.class);
        aws.resetRequests();
        byte[] body = fresh("github-push-branch.json");
        // when: twenty deliveries with forged signatures, as anyone can send them
        for (int i = 0; i < 20; i++) {
            JsonNode answer = post(given().contentType("application/json").header("X-GitHub-Event", "push")
                    .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                    .header("X-Hub-Signature-256", "sha256=" + "0".repeat(64)).body(body), "github", 500);
            // then: each answered with the typed failure, naming what failed, never a stack trace
            assertEquals("InternalErrorException", answer.get("errorType").asText(), answer::toString);
            assertTrue(answer.get("errorMessage").asText().startsWith("secretsmanager:GetSecretValue for the webhook secret "
                    + TriggerWorld.WEBHOOK_SECRET_ID + " failed: ResourceNotFoundException"), answer::toString);
            assertFalse(answer.toString().contains("\tat "), answer::toString);
        }
        // and Secrets Manager was asked once
        assertEquals(1, aws.requests(GET_SECRET_VALUE).size());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }
}
