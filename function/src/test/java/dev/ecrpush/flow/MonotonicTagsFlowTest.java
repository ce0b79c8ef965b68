package dev.ecrpush.flow;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;

/**
 * A trigger with {@code monotonicTags} (run-triggers.json's {@code mono-app}: tags {@code <short SHA>},
 * {@code latest}, {@code main-latest}) through the application: signed GitHub pushes start builds that push only
 * the commit's tag, the push order is kept in DynamoDB Local, and the builds' state changes move the moving tags
 * with ECR's {@code BatchGetImage} and {@code PutImage}, asserted as the ECR fake received them.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class MonotonicTagsFlowTest {
    private static final String START_BUILD = "CodeBuild_20161006.StartBuild";
    private static final String BATCH_GET_BUILDS = "CodeBuild_20161006.BatchGetBuilds";
    private static final String BATCH_GET_IMAGE = AwsFake.ECR + "BatchGetImage";
    private static final String PUT_IMAGE = AwsFake.ECR + "PutImage";
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    TagMoves tagMoves;

    /** One push: its commit, its build and the digest that build reports. */
    private record Push(String sha, String build, String digest) {
        static Push of(char c) {
            return new Push(String.valueOf(c).repeat(40), "ecr-build-push:0b6c5f1e-0000-4000-8000-" + UUID.randomUUID()
                    .toString().substring(24), "sha256:" + String.valueOf(c).repeat(64));
        }

        String manifest() {
            return "{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\",\"config\":{\"digest\":\"" + digest + "\"}}";
        }
    }

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        aws.reply(PUT_IMAGE, "{\"image\": {}}");
    }

    /** A GitHub push of {@code main} of acme/mono, signed; the build it starts is {@code push.build()}. */
    private JsonNode push(Push push) throws Exception {
        return push(push, "main");
    }

    private JsonNode push(Push push, String branch) throws Exception {
        return deliver(push, ("{\"ref\": \"refs/heads/" + branch + "\", \"after\": \"" + push.sha() + "\", \"testDelivery\": \""
                + UUID.randomUUID() + "\", \"repository\": {\"full_name\": \"acme/mono\", \"clone_url\":"
                + " \"https://github.com/acme/mono.git\"}}").getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode deliver(Push push, byte[] body) throws Exception {
        world.startBuildAnswers(push.build());
        String answer = given().contentType("application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", UUID.randomUUID().toString())
                .header("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)).body(body)
                .post("/webhooks/github").then().statusCode(202).extract().asString();
        return Fixtures.JSON.readTree(answer);
    }

    /** CodeBuild reads the build back as {@code status}, and ECR has its image under its digest. */
    private void readsBack(Push push, String status) {
        aws.replyWhenBodyContains(BATCH_GET_BUILDS, push.build(), AwsFake.json("{\"builds\":[{\"id\":\"" + push.build()
                + "\",\"buildStatus\":\"" + status + "\",\"currentPhase\":\"COMPLETED\",\"exportedEnvironmentVariables\":"
                + "[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + push.digest() + "\"}]}]}"));
        ObjectNode image = Fixtures.JSON.createObjectNode();
        ObjectNode found = image.putArray("images").addObject().put("registryId", "123456789012").put("repositoryName", "acme/mono")
                .put("imageManifest", push.manifest()).put("imageManifestMediaType", MANIFEST_TYPE);
        found.putObject("imageId").put("imageDigest", push.digest());
        image.putArray("failures");
        aws.replyWhenBodyContains(BATCH_GET_IMAGE, push.digest(), AwsFake.json(image.toString()));
    }

    /** The build's SUCCEEDED state change, as EventBridge delivers it. */
    private JsonNode succeeded(Push push) throws Exception {
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + push.build());
        return Fixtures.JSON.readTree(FromEdge.given().body(event.toString().getBytes(StandardCharsets.UTF_8))
                .contentType("application/json").post("/internal/events").then().statusCode(200).extract().asString());
    }

    /** The tags each PutImage moved, with the manifest it put, in order. */
    private List<String> putImages() {
        return aws.bodies(PUT_IMAGE).stream().map(put -> put.get("repositoryName").asText() + ":" + put.get("imageTag").asText()
                + " <- " + put.get("imageDigest").asText() + (put.get("imageManifest").asText().contains(put.get("imageDigest").asText())
                        && put.get("imageManifestMediaType").asText().equals(MANIFEST_TYPE) ? "" : " (another manifest)")
                + " by " + put.get("registryId").asText()).toList();
    }

    private Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    /**
     * The moves' reads of an image by its digest; a run's own lookup of its tags before it builds
     * ({@code onExistingTag}) asks by tag, and is not one of them.
     */
    private List<JsonNode> imageReads() {
        return aws.bodies(BATCH_GET_IMAGE).stream().filter(body -> body.at("/imageIds/0").has("imageDigest")).toList();
    }

    @Test
    void theBuildOfAMonotonicTrigger_pushesOnlyTheTagThatNamesItsCommit() throws Exception {
        Push a = Push.of('1');
        JsonNode answer = push(a);
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("STARTED", build.get("status").asText(), answer::toString);
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/mono:1111111"),
                Fixtures.JSON.convertValue(build.at("/result/imageUris"), List.class));
        JsonNode start = aws.bodies(START_BUILD).get(0);
        List<String> tags = new ArrayList<>();
        start.get("environmentVariablesOverride").forEach(variable -> {
            if (variable.get("name").asText().equals("PLUGIN_TAGS")) {
                tags.add(variable.get("value").asText());
            }
        });
        assertEquals(List.of("1111111"), tags);
        // the moving tags wait for the build, with its place in the push order
        Map<String, AttributeValue> pending = item("build#tags#" + a.build());
        assertEquals("mono-app", pending.get("trigger").s());
        assertEquals("mono-app/github/acme/mono/refs/heads/main", pending.get("ref").s());
        assertTrue(Long.parseLong(pending.get("position").n()) > 0);
        assertEquals(List.of(), aws.requests(PUT_IMAGE));
    }

    @Test
    void twoPushesToOneRef_theOlderFinishingLast_leaveLatestOnTheNewerCommit() throws Exception {
        // given: A is pushed, then B
        Push a = Push.of('a');
        Push b = Push.of('b');
        push(a);
        push(b);
        readsBack(a, "SUCCEEDED");
        readsBack(b, "SUCCEEDED");
        // when: B's build succeeds first
        succeeded(b);
        // then: latest and main-latest are B's image, put as ECR received them, with the manifest read by B's digest
        assertEquals(List.of("acme/mono:latest <- " + b.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + b.digest() + " by 123456789012"), putImages());
        assertEquals(b.digest(), imageReads().get(0).at("/imageIds/0/imageDigest").asText());
        // when: A's build succeeds last
        succeeded(a);
        // then: nothing is moved back to A
        assertEquals(2, aws.requests(PUT_IMAGE).size(), () -> putImages().toString());
        assertTrue(putImages().stream().noneMatch(put -> put.contains(a.digest())), () -> putImages().toString());
    }

    @Test
    void twoPushesToOneRef_finishingInOrder_eachMovesTheTags() throws Exception {
        Push a = Push.of('c');
        Push b = Push.of('e');
        push(a);
        push(b);
        readsBack(a, "SUCCEEDED");
        readsBack(b, "SUCCEEDED");
        succeeded(a);
        succeeded(b);
        assertEquals(List.of("acme/mono:latest <- " + a.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + a.digest() + " by 123456789012",
                "acme/mono:latest <- " + b.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + b.digest() + " by 123456789012"), putImages());
    }

    @Test
    void aNewerPushWhoseBuildFailed_leavesTheTagsToTheOlderOne() throws Exception {
        Push a = Push.of('7');
        Push b = Push.of('8');
        push(a);
        push(b);
        readsBack(b, "FAILED");
        readsBack(a, "SUCCEEDED");
        succeeded(b);
        assertEquals(List.of(), aws.requests(PUT_IMAGE));
        succeeded(a);
        assertEquals(List.of("acme/mono:latest <- " + a.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + a.digest() + " by 123456789012"), putImages());
    }

    @Test
    void aSuccessEventForABuildStillRunning_movesNothing() throws Exception {
        // given: a pushed build that CodeBuild reads back as still in progress
        Push a = Push.of('5');
        push(a);
        readsBack(a, "IN_PROGRESS");
        // when: a state change that says it succeeded
        succeeded(a);
        // then: the event is not trusted on its own; nothing is read from ECR or moved
        assertEquals(List.of(), imageReads());
        assertEquals(List.of(), aws.requests(PUT_IMAGE));
        // and once it has succeeded, its event moves the tags
        readsBack(a, "SUCCEEDED");
        succeeded(a);
        assertEquals(2, aws.requests(PUT_IMAGE).size(), () -> putImages().toString());
    }

    @Test
    void aFailedPut_isLogged_andTheEventIsStillAcknowledged() throws Exception {
        Push a = Push.of('9');
        push(a);
        readsBack(a, "SUCCEEDED");
        aws.fail(PUT_IMAGE, 400, "ImageTagAlreadyExistsException", "The image tag 'latest' already exists and cannot be overwritten");
        JsonNode answer = succeeded(a);
        assertEquals("IGNORED", answer.get("status").asText(), answer::toString);
        assertEquals(2, aws.requests(PUT_IMAGE).size());
    }

    /** Issue 15: a push whose commit's image exists already still builds, so that its success moves the moving tags. */
    @Test
    void aPushOfACommitAlreadyBuilt_stillBuilds_soItsMovingTagsMove() throws Exception {
        // given: the commit's tag names an image of it already (onExistingTag is skip, the default)
        Push d = Push.of('d');
        ObjectNode found = Fixtures.JSON.createObjectNode();
        found.putArray("images").addObject().put("registryId", "123456789012").put("repositoryName", "acme/mono")
                .put("imageManifest", d.manifest()).put("imageManifestMediaType", MANIFEST_TYPE)
                .putObject("imageId").put("imageTag", d.sha().substring(0, 7)).put("imageDigest", d.digest());
        found.putArray("failures");
        aws.reply(BATCH_GET_IMAGE, found.toString());
        // when
        JsonNode answer = push(d);
        // then: started, not ALREADY_BUILT, and its moving tags wait for it
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText(), answer::toString);
        assertEquals(1, aws.requests(AwsFake.CODEBUILD + "StartBuild").size());
        assertEquals("mono-app", item("build#tags#" + d.build()).get("trigger").s());
    }

    @Test
    void aCrossAccountRun_movesItsTagsWithTheTargetRolesCredentials() throws Exception {
        Push a = Push.of('3');
        JsonNode answer = push(a, "release");
        assertEquals("mono-app-cross", answer.at("/refs/0/builds/0/trigger").asText(), answer::toString);
        readsBack(a, "SUCCEEDED");
        aws.resetRequests();
        succeeded(a);
        assertEquals(List.of("acme/mono:release-latest <- " + a.digest() + " by 123456789012"), putImages());
        assertEquals(List.of("BatchGetImage by " + TriggerWorld.TARGET_KEY, "PutImage by " + TriggerWorld.TARGET_KEY),
                aws.calls().stream().filter(call -> call.contains("Image ")).toList());
    }

    @Test
    void aRedeliveredPush_isTheSameRun_andTakesNoNewPlaceInTheOrder() throws Exception {
        // given: a push, delivered once
        Push a = Push.of('4');
        byte[] body = ("{\"ref\": \"refs/heads/main\", \"after\": \"" + a.sha() + "\", \"testDelivery\": \"" + UUID.randomUUID()
                + "\", \"repository\": {\"full_name\": \"acme/mono\", \"clone_url\": \"https://github.com/acme/mono.git\"}}")
                .getBytes(StandardCharsets.UTF_8);
        deliver(a, body);
        String sequence = "build#sequence#mono-app/github/acme/mono/refs/heads/main";
        String position = item(sequence).get("next").n();
        assertEquals(position, item("build#tags#" + a.build()).get("position").n());
        // when: the host delivers it again
        JsonNode again = deliver(a, body);
        // then: the same run, no second build, and the ref's order is where it was
        assertEquals("DUPLICATE", again.at("/refs/0/builds/0/status").asText(), again::toString);
        assertEquals(1, aws.requests(START_BUILD).size());
        assertEquals(position, item(sequence).get("next").n());
    }

    @Test
    void aDirectPayload_cannotTakeARefsOrderItem_norABuildsPendingMove() throws Exception {
        // given: a ref with a push in its order
        Push a = Push.of('6');
        push(a);
        String sequence = "build#sequence#mono-app/github/acme/mono/refs/heads/main";
        Map<String, AttributeValue> before = item(sequence);
        aws.resetRequests();
        for (String key : List.of(sequence, "build#tags#" + a.build())) {
            // when: a direct payload claims the item's key as its idempotency key
            ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                    {"mode": "run", "infra": "K8",
                     "codebase": {"repoUrl": "https://github.com/acme/mono.git", "branch": "main",
                                  "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                     "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                              "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                       "imageName": "acme/mono", "tags": ["latest"]}},
                     "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                     "delegateSelectors": ["codebuild"]}}}}""");
            payload.put("idempotencyKey", key);
            JsonNode error = Fixtures.JSON.readTree(FromEdge.given().body(payload.toString().getBytes(StandardCharsets.UTF_8))
                    .contentType("application/json").post("/internal/events").then().statusCode(400).extract().asString());
            // then: refused, naming the key, before any AWS call
            assertEquals("InvalidStepException", error.get("errorType").asText(), error::toString);
            assertTrue(error.get("errorMessage").asText().contains("idempotencyKey: must not start with build#"), error::toString);
        }
        assertEquals(List.of(), aws.calls());
        assertEquals(before, item(sequence));
        assertEquals("mono-app", item("build#tags#" + a.build()).get("trigger").s());
    }

    /**
     * The window between a claim and its puts: A's success event claims the tags and stalls reading its image,
     * B's (a later push) claims them and puts its image meanwhile, then A's puts land. A reads the claim back after
     * its puts and puts B's image again, so the tags end on B.
     */
    @Test
    void anOlderMoveStalledBetweenItsClaimAndItsPuts_putsTheNewerImageAgain() throws Exception {
        Push a = Push.of('0');
        Push b = Push.of('2');
        push(a);
        push(b);
        readsBack(a, "SUCCEEDED");
        readsBack(b, "SUCCEEDED");
        // A's image is read slowly (after A has claimed the tags); B's answer is the same, without the delay
        ObjectNode image = Fixtures.JSON.createObjectNode();
        ObjectNode found = image.putArray("images").addObject().put("registryId", "123456789012").put("repositoryName", "acme/mono")
                .put("imageManifest", a.manifest()).put("imageManifestMediaType", MANIFEST_TYPE);
        found.putObject("imageId").put("imageDigest", a.digest());
        aws.replyWhenBodyContains(BATCH_GET_IMAGE, a.digest(), AwsFake.json(image.toString()).withFixedDelay(6000));
        ExecutorService background = Executors.newSingleThreadExecutor();
        try {
            // (the application handles one event at a time, as one Lambda instance does: A's is handed in directly)
            Future<TagMoves.Outcome> older = background.submit(() -> tagMoves.onBuildEvent(a.build(), () -> new BuildStatusResult(
                    a.build(), BuildStatusResult.Status.SUCCEEDED, "COMPLETED", List.of(), a.digest(), null)));
            // when: B's event is handled while A's waits for its image
            for (int wait = 0; wait < 50 && imageReads().isEmpty(); wait++) {
                Thread.sleep(100);
            }
            assertEquals(1, imageReads().size(), () -> "A has not claimed and asked for its image yet: "
                    + aws.calls());
            succeeded(b);
            assertEquals(TagMoves.Outcome.MOVED, older.get(30, TimeUnit.SECONDS));
        } finally {
            background.shutdownNow();
        }
        // then: A's puts landed after B's, and B's image was put again after them
        List<String> puts = putImages();
        assertEquals(List.of("acme/mono:latest <- " + b.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + b.digest() + " by 123456789012",
                "acme/mono:latest <- " + a.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + a.digest() + " by 123456789012",
                "acme/mono:latest <- " + b.digest() + " by 123456789012",
                "acme/mono:main-latest <- " + b.digest() + " by 123456789012"), puts);
    }
}
