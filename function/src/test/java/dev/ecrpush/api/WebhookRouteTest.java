package dev.ecrpush.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;

/**
 * The webhook routes through the application, with the recorded payloads sent as raw bytes: the webhook secret
 * from the Secrets Manager fake, the trigger set from the SSM fake, runs remembered in DynamoDB Local and builds
 * started at the CodeBuild fake, each request read back as AWS received it.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class WebhookRouteTest {
    private static final String START_BUILD = "CodeBuild_20161006.StartBuild";
    private static final String RUN_TASK = "AmazonEC2ContainerServiceV20141113.RunTask";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
    }

    private static RequestSpecification github(String event, String delivery, byte[] body, String signature) {
        return given().contentType("application/json").header("X-GitHub-Event", event)
                .header("X-GitHub-Delivery", delivery).header("X-Hub-Signature-256", signature).body(body);
    }

    /** A delivery as Gitea sends it; Forgejo sends the same headers and its own X-Forgejo-* ones. */
    private static RequestSpecification gitea(byte[] body, String signature) {
        return given().contentType("application/json").header("X-Gitea-Event", "push")
                .header("X-Gitea-Delivery", UUID.randomUUID().toString()).header("X-Gitea-Signature", signature).body(body);
    }

    /**
     * A recorded payload made unique (a field no host reads, first in its object), since every delivery is keyed
     * by what its signature covers (the body) and the runs of earlier tests stay in the table.
     */
    private static byte[] fresh(String file) {
        return fresh(WebhookSigning.recorded(file));
    }

    private static byte[] fresh(byte[] recorded) {
        String body = new String(recorded, StandardCharsets.UTF_8);
        int brace = body.indexOf('{');
        return (body.substring(0, brace + 1) + "\"testDelivery\": \"" + UUID.randomUUID() + "\", " + body.substring(brace + 1))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The environment the ECS task's source container got, by name. */
    private Map<String, String> sourceEnvironment() throws Exception {
        JsonNode runTask = aws.bodies(RUN_TASK).get(0);
        Map<String, String> environment = new HashMap<>();
        runTask.at("/overrides/containerOverrides/0/environment")
                .forEach(variable -> environment.put(variable.get("name").asText(), variable.get("value").asText()));
        return environment;
    }

    private static JsonNode json(String text) throws Exception {
        return Fixtures.JSON.readTree(text);
    }

    private Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    @Test
    void signedGithubPush_startsTheMatchingBuild_fromThePushedCommit() throws Exception {
        // given
        byte[] body = fresh("github-push-branch.json");
        String delivery = UUID.randomUUID().toString();
        // when
        JsonNode answer = json(github("push", delivery, body, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body))
                .post("/webhooks/github").then().statusCode(202).extract().asString());
        // then: one build of the pushed commit, through the clone URL, tagged from the push
        assertEquals("ACCEPTED", answer.get("status").asText());
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("hello-world", build.get("trigger").asText());
        assertEquals("STARTED", build.get("status").asText());
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/codertocat/hello-world:6113728",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/codertocat/hello-world:webhook"),
                Fixtures.JSON.convertValue(build.at("/result/imageUris"), List.class));
        JsonNode startBuild = aws.bodies(START_BUILD).get(0);
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", startBuild.get("sourceVersion").asText());
        assertEquals("https://github.com/Codertocat/Hello-World.git", startBuild.get("sourceLocationOverride").asText());
        assertEquals("GITHUB", startBuild.get("sourceTypeOverride").asText());
        // and the run is remembered under the delivery's key: the signed body's hash, not the unsigned header
        assertEquals(DeliveryId.ofBody(body).value(), answer.get("delivery").asText());
        Map<String, AttributeValue> run = item("github/" + DeliveryId.ofBody(body).value() + "/hello-world/refs/heads/master");
        assertEquals("DONE", run.get("status").s());
        assertEquals(TriggerWorld.BUILD_ID, run.get("buildId").s());
        assertTrue(Long.parseLong(run.get("expiresAt").n()) > Instant.now().plusSeconds(6 * 86400).getEpochSecond());
    }

    @Test
    void signedGithubAnnotatedTagPush_buildsAndTagsTheCommit_notTheTagObject() throws Exception {
        // given: an annotated tag push, whose after is the tag object 37413f4...
        byte[] body = fresh("github-push-annotated-tag.json");
        String delivery = UUID.randomUUID().toString();
        // when
        JsonNode answer = json(github("push", delivery, body, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body))
                .post("/webhooks/github").then().statusCode(202).extract().asString());
        // then: the trigger's v* tags match, and the build, its image tag and the report are the tagged commit's
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("STARTED", build.get("status").asText(), answer::toString);
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/codertocat/hello-world:6113728",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/codertocat/hello-world:webhook"),
                Fixtures.JSON.convertValue(build.at("/result/imageUris"), List.class));
        JsonNode startBuild = aws.bodies(START_BUILD).get(0);
        assertEquals("6113728f27ae82c7b1a177c8d03f9e96e0adf246", startBuild.get("sourceVersion").asText());
        assertFalse(answer.toString().contains("37413f4"), "the tag object's SHA was reported: " + answer);
        assertEquals("DONE", item("github/" + DeliveryId.ofBody(body).value() + "/hello-world/refs/tags/v1.0.0").get("status").s());
    }

    @Test
    void redelivery_returnsTheFirstResultAsDuplicate_andStartsNothing() throws Exception {
        byte[] body = fresh("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        String delivery = UUID.randomUUID().toString();
        github("push", delivery, body, signature).post("/webhooks/github").then().statusCode(202);
        aws.resetRequests();
        // when: the host redelivers the same delivery
        JsonNode again = json(github("push", delivery, body, signature).post("/webhooks/github").then().statusCode(202)
                .extract().asString());
        // then
        JsonNode build = again.at("/refs/0/builds/0");
        assertEquals("DUPLICATE", build.get("status").asText());
        assertTrue(build.at("/result/duplicate").asBoolean());
        assertEquals(TriggerWorld.BUILD_ID, build.at("/result/buildId").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void tamperedOrUnsignedDelivery_is401_andCostsNoAwsCall() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        // given: the secret has been read once (a warm function)
        github("ping", UUID.randomUUID().toString(), body, signature).post("/webhooks/github").then().statusCode(200);
        aws.resetRequests();
        // when
        github("push", UUID.randomUUID().toString(), WebhookSigning.tampered(body), signature).post("/webhooks/github")
                .then().statusCode(401).body("status", org.hamcrest.Matchers.equalTo("REJECTED"))
                .body("reason", org.hamcrest.Matchers.equalTo("X-Hub-Signature-256 does not match the body"));
        given().contentType("application/json").header("X-GitHub-Event", "push").body(body).post("/webhooks/github")
                .then().statusCode(401);
        given().contentType("application/json").header("X-Event-Key", "repo:push").body(body).post("/webhooks/bitbucket")
                .then().statusCode(401);
        // then
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void unknownHost_is404_andCostsNoAwsCall() {
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        github("push", UUID.randomUUID().toString(), body, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body))
                .post("/webhooks/gogs").then().statusCode(404)
                .body("status", org.hamcrest.Matchers.equalTo("REJECTED"))
                .body("reason", org.hamcrest.Matchers.equalTo("not a Git host of this function; the webhook routes are "
                        + GitHostRegistry.enumerate(new GitHostRegistry().names().stream()
                                .map(name -> "/webhooks/" + name).toList(), "and")));
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void ping_isAnswered_withoutBuilding() {
        byte[] body = WebhookSigning.recorded("github-ping.json");
        github("ping", UUID.randomUUID().toString(), body, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body))
                .post("/webhooks/github").then().statusCode(200).body("status", org.hamcrest.Matchers.equalTo("PONG"));
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void tagDeletion_andUnmatchedBranch_areAccepted_withTheReason() throws Exception {
        byte[] deleted = WebhookSigning.recorded("github-push-tag-deleted.json");
        JsonNode answer = json(github("push", UUID.randomUUID().toString(), deleted,
                WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, deleted)).post("/webhooks/github")
                .then().statusCode(202).extract().asString());
        assertEquals("NO_MATCH", answer.get("status").asText());
        assertTrue(answer.at("/refs/0/deleted").asBoolean());
        assertEquals("the push deleted the tag", answer.get("reason").asText());

        byte[] feature = new String(WebhookSigning.recorded("github-push-branch.json"), java.nio.charset.StandardCharsets.UTF_8)
                .replace("refs/heads/master", "refs/heads/feature/x").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        answer = json(github("push", UUID.randomUUID().toString(), feature,
                WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, feature)).post("/webhooks/github")
                .then().statusCode(202).extract().asString());
        assertEquals("no trigger of Codertocat/Hello-World matches branch feature/x", answer.get("reason").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    /** The recorded GitHub push, made unique, to branch filtered/docs, with each {@code from} replaced by its {@code to}. */
    private static byte[] filteredBranchPush(String... replacements) {
        String body = new String(fresh("github-push-branch.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/master", "refs/heads/filtered/docs");
        for (int i = 0; i < replacements.length; i += 2) {
            body = body.replace(replacements[i], replacements[i + 1]);
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** Posts the signed push; the answer's builds of its one ref. */
    private JsonNode postPush(byte[] body) throws Exception {
        return json(github("push", UUID.randomUUID().toString(), body, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body))
                .post("/webhooks/github").then().statusCode(202).extract().asString());
    }

    @Test
    void filteredTrigger_startsNoBuild_remembersNothing_andSaysWhich_filter() throws Exception {
        // given: hello-world-src builds filtered/** only for changes under src/, and never for dependabot[bot]
        byte[] readmeOnly = filteredBranchPush();
        byte[] skipCi = filteredBranchPush("\"added\": [\"README.md\"]", "\"added\": [\"src/hello.c\"]",
                "\"message\": \"Initial commit\"", "\"message\": \"Initial commit [ci skip]\"");
        byte[] byDependabot = filteredBranchPush("\"added\": [\"README.md\"]", "\"added\": [\"src/hello.c\"]",
                "\"login\": \"Codertocat\"", "\"login\": \"dependabot[bot]\"");
        // when / then: each is answered FILTERED, naming its filter
        JsonNode answer = postPush(readmeOnly);
        assertEquals("FILTERED", answer.get("status").asText());
        assertEquals("hello-world-src", answer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("FILTERED", answer.at("/refs/0/builds/0/status").asText());
        assertEquals("paths: none of the 1 changed file(s) matches", answer.get("reason").asText());
        assertEquals("skipMessages: the head commit's message contains [ci skip]", postPush(skipCi).get("reason").asText());
        assertEquals("excludeActors: dependabot[bot] is one of them", postPush(byDependabot).get("reason").asText());
        // and: no build, no role assumed, and no run remembered (a later delivery of a fixed trigger set may build)
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertTrue(aws.operations().stream().allMatch(op -> op.equals("GetSecretValue") || op.equals("GetParameter")),
                aws.operations().toString());
        for (byte[] body : List.of(readmeOnly, skipCi, byDependabot)) {
            assertTrue(item("github/" + DeliveryId.ofBody(body).value() + "/hello-world-src/refs/heads/filtered/docs").isEmpty());
        }
    }

    @Test
    void pushChangingAWatchedPath_startsOneBuild_andUnknownFilesBuildSayingWhy() throws Exception {
        // when: the push adds a file under src/
        JsonNode answer = postPush(filteredBranchPush("\"added\": [\"README.md\"]", "\"added\": [\"src/hello.c\"]"));
        // then
        assertEquals("ACCEPTED", answer.get("status").asText());
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText());
        assertTrue(answer.at("/refs/0/builds/0/note").isMissingNode(), answer.toString());
        assertEquals(1, aws.requests(START_BUILD).size());
        // when: the push lists no commits, so the event cannot tell which files changed
        answer = postPush(filteredBranchPush("\"commits\": [", "\"commits\": [], \"listed\": ["));
        // then: built, and the answer says why
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText());
        assertEquals("changed files unknown: the push lists no commits (its commits were already in the repository); built",
                answer.at("/refs/0/builds/0/note").asText());
        assertEquals(2, aws.requests(START_BUILD).size());
    }

    @Test
    void gitlabAndBitbucketPushes_whoseChangedFilesTheEventCannotTell_buildWithAPathsFilter_sayingWhy() throws Exception {
        // given: the recorded GitLab push lists 2 of its 4 commits; a Bitbucket push lists no files at all
        byte[] gitlab = new String(fresh("gitlab-push.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/master", "refs/heads/filtered-x").getBytes(StandardCharsets.UTF_8);
        byte[] bitbucket = new String(fresh("bitbucket-push.json"), StandardCharsets.UTF_8)
                .replace("\"name\": \"master\"", "\"name\": \"filtered-x\"").getBytes(StandardCharsets.UTF_8);
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        // when
        JsonNode gitlabAnswer = json(given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("webhook-id", id)
                .header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, gitlab))
                .body(gitlab).post("/webhooks/gitlab").then().statusCode(202).extract().asString());
        JsonNode bitbucketAnswer = json(given().contentType("application/json").header("X-Event-Key", "repo:push")
                .header("X-Hub-Signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, bitbucket))
                .body(bitbucket).post("/webhooks/bitbucket").then().statusCode(202).extract().asString());
        // then: each built once, the note saying why
        assertEquals("diaspora-src", gitlabAnswer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("STARTED", gitlabAnswer.at("/refs/0/builds/0/status").asText());
        assertEquals("changed files unknown: GitLab lists 2 of the push's 4 commits; built",
                gitlabAnswer.at("/refs/0/builds/0/note").asText());
        assertEquals("temp-src", bitbucketAnswer.at("/refs/0/builds/0/trigger").asText());
        assertEquals("changed files unknown: Bitbucket's push event lists no changed files; built",
                bitbucketAnswer.at("/refs/0/builds/0/note").asText());
        assertEquals(2, aws.requests(START_BUILD).size());
    }

    @Test
    void otherEvent_isIgnored_andMalformedJson_is400() {
        byte[] ping = WebhookSigning.recorded("github-ping.json");
        github("issues", UUID.randomUUID().toString(), ping, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, ping))
                .post("/webhooks/github").then().statusCode(202).body("status", org.hamcrest.Matchers.equalTo("IGNORED"));
        byte[] broken = "{\"ref\": \"refs/heads/master\",".getBytes();
        github("push", UUID.randomUUID().toString(), broken, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, broken))
                .post("/webhooks/github").then().statusCode(400)
                .body("errorType", org.hamcrest.Matchers.equalTo("InvalidStepException"))
                .body("errorMessage", org.hamcrest.Matchers.startsWith("body: is not valid JSON"));
    }

    @Test
    void gitlabPush_withTheSecretTokenAndTheSignature_buildsFromTheSelfManagedHost() throws Exception {
        // given: a hook with both a secret token and a signing token, which sends both
        byte[] body = fresh("gitlab-push.json");
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        // when
        JsonNode answer = json(given().contentType("application/json").header("X-Gitlab-Event", "Push Hook")
                .header("X-Gitlab-Token", WebhookSigning.GITLAB_TOKEN).header("Idempotency-Key", id)
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body))
                .body(body).post("/webhooks/gitlab").then().statusCode(202).extract().asString());
        // then: keyed by the signed webhook-id
        assertEquals("webhook-id-" + id, answer.get("delivery").asText());
        assertEquals("STARTED", answer.at("/refs/0/builds/0/status").asText());
        JsonNode startBuild = aws.bodies(START_BUILD).get(0);
        assertEquals("GITLAB_SELF_MANAGED", startBuild.get("sourceTypeOverride").asText());
        assertEquals("da1560886d4f094c3e6c9ef40349f7d38b5d27d7", startBuild.get("sourceVersion").asText());
    }

    @Test
    void gitlabTagPush_withAStandardWebhooksSignature_tagsTheImageWithTheTag() throws Exception {
        byte[] body = fresh("gitlab-tag-push.json");
        String id = UUID.randomUUID().toString();
        long now = Instant.now().getEpochSecond();
        JsonNode answer = json(given().contentType("application/json").header("X-Gitlab-Event", "Tag Push Hook")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(now))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body))
                .header("Idempotency-Key", id).body(body).post("/webhooks/gitlab").then().statusCode(202).extract().asString());
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/jsmith/example:v1.0.0",
                answer.at("/refs/0/builds/0/result/imageUris/0").asText());
        // a replay of the same signed delivery long after is refused
        long old = now - 3600;
        given().contentType("application/json").header("X-Gitlab-Event", "Tag Push Hook")
                .header("webhook-id", id).header("webhook-timestamp", Long.toString(old))
                .header("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, old, body))
                .body(body).post("/webhooks/gitlab").then().statusCode(401);
    }

    @Test
    void bitbucketPush_startsTheBuild() throws Exception {
        byte[] body = fresh("bitbucket-push.json");
        JsonNode answer = json(given().contentType("application/json").header("X-Event-Key", "repo:push")
                .header("X-Request-UUID", UUID.randomUUID().toString())
                .header("X-Hub-Signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body))
                .body(body).post("/webhooks/bitbucket").then().statusCode(202).extract().asString());
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/cloudbeers/temp:master-e42fac2",
                answer.at("/refs/0/builds/0/result/imageUris/0").asText());
        JsonNode startBuild = aws.bodies(START_BUILD).get(0);
        assertEquals("https://bitbucket.org/cloudbeers/temp.git", startBuild.get("sourceLocationOverride").asText());
    }

    @Test
    void signedGiteaPush_startsTheEcsBuild_cloningTheGiteaUrl_keyedByTheBody() throws Exception {
        // given
        byte[] body = fresh("gitea-push.json");
        // when
        JsonNode answer = json(gitea(body, WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body))
                .post("/webhooks/gitea").then().statusCode(202).extract().asString());
        // then: the ECS task clones the Gitea server's URL at the pushed commit
        assertEquals("gitea", answer.get("provider").asText());
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("gitea-webhooks", build.get("trigger").asText());
        assertEquals("STARTED", build.get("status").asText(), answer::toString);
        assertEquals(TriggerWorld.TASK_ARN, build.at("/result/buildId").asText());
        assertEquals(List.of("123456789012.dkr.ecr.us-east-1.amazonaws.com/gitea/webhooks:bffeb74",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com/gitea/webhooks:webhook"),
                Fixtures.JSON.convertValue(build.at("/result/imageUris"), List.class));
        Map<String, String> source = sourceEnvironment();
        assertEquals("http://localhost:3000/gitea/webhooks.git", source.get("GIT_REPO_URL"));
        assertEquals("bffeb74224043ba2feb48d137756c8a9331c449a", source.get("GIT_COMMIT"));
        assertEquals("develop", source.get("GIT_BRANCH"));
        assertEquals(List.of(), aws.requests(START_BUILD));
        // and the run is remembered under the body's hash, which Gitea's Replay repeats
        String delivery = DeliveryId.ofBody(body).value();
        assertEquals(delivery, answer.get("delivery").asText());
        assertEquals("DONE", item("gitea/" + delivery + "/gitea-webhooks/refs/heads/develop").get("status").s());
    }

    @Test
    void giteaReplay_underANewDeliveryUuid_isADuplicate() throws Exception {
        // given: a delivery that built
        byte[] body = fresh("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        gitea(body, signature).post("/webhooks/gitea").then().statusCode(202);
        aws.resetRequests();
        // when: "Replay" in Gitea's recent deliveries, which sends it under a new X-Gitea-Delivery
        JsonNode again = json(gitea(body, signature).post("/webhooks/gitea").then().statusCode(202).extract().asString());
        // then
        assertEquals("DUPLICATE", again.at("/refs/0/builds/0/status").asText(), again::toString);
        assertEquals(List.of(), aws.requests(RUN_TASK));
    }

    @Test
    void forgejoTagPush_buildsAndTagsTheTaggedCommit_notTheTagObject() throws Exception {
        // given: an annotated tag push, whose after is the tag object d6c65fc..., with Forgejo's headers
        byte[] body = fresh("gitea-tag-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        // when
        JsonNode answer = json(given().contentType("application/json")
                .header("X-Forgejo-Event", "push").header("X-Forgejo-Delivery", UUID.randomUUID().toString())
                .header("X-Forgejo-Signature", signature).header("X-Gitea-Event", "push")
                .header("X-Gitea-Delivery", UUID.randomUUID().toString()).header("X-Gitea-Signature", signature)
                .body(body).post("/webhooks/gitea").then().statusCode(202).extract().asString());
        // then
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("STARTED", build.get("status").asText(), answer::toString);
        assertEquals("123456789012.dkr.ecr.us-east-1.amazonaws.com/gitea/webhooks:bffeb74", build.at("/result/imageUris/0").asText());
        assertEquals("bffeb74224043ba2feb48d137756c8a9331c449a", sourceEnvironment().get("GIT_COMMIT"));
        assertEquals("v1.0.0", sourceEnvironment().get("GIT_TAG"));
        assertFalse(answer.toString().contains("d6c65fc"), "the tag object's SHA was reported: " + answer);
    }

    @Test
    void giteaPush_toATriggerOnCodeBuild_isRefused_namingTheFieldAndTheEcsExecutor() throws Exception {
        // given: the branch whose trigger runs on the default executor, CodeBuild
        byte[] body = new String(WebhookSigning.recorded("gitea-push.json"), StandardCharsets.UTF_8)
                .replace("refs/heads/develop", "refs/heads/codebuild").getBytes(StandardCharsets.UTF_8);
        // when
        JsonNode answer = json(gitea(body, WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body))
                .post("/webhooks/gitea").then().statusCode(400).extract().asString());
        // then: nothing started, and the reason says what to change
        JsonNode build = answer.at("/refs/0/builds/0");
        assertEquals("FAILED", build.get("status").asText(), answer::toString);
        assertEquals("InvalidStepException", build.at("/error/errorType").asText());
        String message = build.at("/error/errorMessage").asText();
        assertTrue(message.startsWith("codebase.repoUrl: CodeBuild does not know the Git host localhost;"), message);
        assertTrue(message.contains("the ECS executor"), message);
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of(), aws.requests(RUN_TASK));
    }

    @Test
    void giteaTamperedOrUnsignedOrTestDelivery_buildsNothing() {
        byte[] body = WebhookSigning.recorded("gitea-push.json");
        String signature = WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, body);
        gitea(WebhookSigning.tampered(body), signature).post("/webhooks/gitea").then().statusCode(401)
                .body("reason", org.hamcrest.Matchers.equalTo("X-Gitea-Signature does not match the body"));
        given().contentType("application/json").header("X-Gitea-Event", "push").body(body).post("/webhooks/gitea")
                .then().statusCode(401);
        // the settings page's Test Delivery: before and after are the same commit
        byte[] test = new String(body, StandardCharsets.UTF_8).replace("28e1879d029cb852e4844d9c718537df08844e03",
                "bffeb74224043ba2feb48d137756c8a9331c449a").getBytes(StandardCharsets.UTF_8);
        gitea(test, WebhookSigning.hexSignature(WebhookSigning.GITEA_SECRET, test)).post("/webhooks/gitea").then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("PONG"));
        assertEquals(List.of(), aws.requests(RUN_TASK));
    }

    @Test
    void launchFailure_isTheDeliverysStatus_andTheNextDeliveryTriesAgain() throws Exception {
        // given: CodeBuild refuses
        aws.stub(START_BUILD, com.github.tomakehurst.wiremock.client.WireMock.aResponse()
                .withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"ResourceNotFoundException\",\"message\":\"project not found\"}"));
        byte[] body = fresh("bitbucket-push.json");
        String delivery = UUID.randomUUID().toString();
        RequestSpecification request = given().contentType("application/json").header("X-Event-Key", "repo:push")
                .header("X-Request-UUID", delivery)
                .header("X-Hub-Signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body)).body(body);
        // when
        JsonNode answer = json(request.post("/webhooks/bitbucket").then().statusCode(502).extract().asString());
        // then
        assertEquals("LaunchFailedException", answer.at("/refs/0/builds/0/error/errorType").asText());
        assertEquals("FAILED", item("bitbucket/" + DeliveryId.ofBody(body).value() + "/temp/refs/heads/master").get("status").s());
        // and once CodeBuild accepts, a redelivery builds
        world.startBuildAnswers(TriggerWorld.BUILD_ID);
        given().contentType("application/json").header("X-Event-Key", "repo:push").header("X-Request-UUID", delivery)
                .header("X-Hub-Signature", WebhookSigning.hubSignature(WebhookSigning.BITBUCKET_SECRET, body)).body(body)
                .post("/webhooks/bitbucket").then().statusCode(202)
                .body("refs[0].builds[0].status", org.hamcrest.Matchers.equalTo("STARTED"));
    }

    /**
     * The GitLab event carries the secret token only, as a hook without a signing token sends it; this world has
     * a signing token too, with which GitLab signs each delivery as it sends it (a recorded signature's timestamp
     * would be stale): the Standard Webhooks headers are added as GitLab would add them now.
     */
    private static byte[] signedAsGitLabWouldSignItNow(byte[] apiGatewayEvent) throws Exception {
        ObjectNode event = (ObjectNode) json(
                new String(apiGatewayEvent, StandardCharsets.UTF_8));
        byte[] body = event.get("body").asText().getBytes(StandardCharsets.UTF_8);
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = Instant.now().getEpochSecond();
        ((ObjectNode) event.get("headers")).put("webhook-id", id)
                .put("webhook-timestamp", Long.toString(now))
                .put("webhook-signature", WebhookSigning.standardSignature(WebhookSigning.GITLAB_SIGNING_TOKEN, id, now, body));
        return Fixtures.JSON.writeValueAsBytes(event);
    }

    @Test
    void webhookEventsInTheEventsFolder_replayAsApiGatewayDeliversThem() throws Exception {
        List<String> pushes;
        try (Stream<Path> files = Files.list(Repo.path("events"))) {
            pushes = files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("webhook-") && name.endsWith("-push.json")).sorted().toList();
        }
        assertEquals(new GitHostRegistry().names().size(), pushes.size(), "one signed push event per Git host: " + pushes);
        for (String file : pushes) {
            // when: the raw API Gateway event, as Lambda receives it
            byte[] event = Files.readAllBytes(Repo.path("events", file));
            if (file.contains("gitlab")) {
                event = signedAsGitLabWouldSignItNow(event);
            }
            JsonNode response = json(given().body(event).post("/_lambda_")
                    .then().statusCode(200).extract().asString());
            // then
            assertEquals(202, response.get("statusCode").asInt(), file + ": " + response);
            JsonNode answer = json(response.get("body").asText());
            assertEquals("ACCEPTED", answer.get("status").asText(), file + ": " + answer);
            String status = answer.at("/refs/0/builds/0/status").asText();
            assertTrue(status.equals("STARTED") || status.equals("DUPLICATE"), file + ": " + answer);
        }
        JsonNode ping = json(given().body(Files.readAllBytes(Repo.path("events", "webhook-github-ping.json"))).post("/_lambda_")
                .then().statusCode(200).extract().asString());
        assertEquals(200, ping.get("statusCode").asInt());
        assertFalse(ping.get("body").asText().contains(WebhookSigning.GITHUB_SECRET));
    }
}
