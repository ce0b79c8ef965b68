package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.flow.PullRequestImages;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;

/**
 * Closing a pull request deletes images: a closing event must not delete {@code latest}, another request's tags or a
 * push's tags, nor delete in a repository the trigger's current policy does not reach. Through the application's
 * beans, with the records in DynamoDB Local and ECR's {@code BatchDeleteImage} requests asserted as the fake received
 * them.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class PullRequestImagesAbuseTest {
    private static final String DELETE = AwsFake.ECR + "BatchDeleteImage";
    private static final String REGISTRY = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    private static final String SHA = "3f2a9c1e0b4d5a6978877665544332211ffeedcc";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    PullRequestImages images;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        aws.reply(DELETE, "{\"imageIds\": [], \"failures\": []}");
    }

    /** A trigger of its own name (tests share the table), pushing to {@code account}'s {@code repository}. */
    private static Trigger trigger(String account, String repository, boolean crossAccount) {
        ObjectNode payload = Fixtures.JSON.createObjectNode();
        payload.put("mode", "run").put("infra", "K8");
        ObjectNode spec = payload.putObject("step").put("type", "BuildAndPushECR").put("identifier", "build_app").putObject("spec");
        spec.put("connectorRef", "role").put("region", "us-east-1").put("account", account).put("imageName", repository);
        spec.putArray("tags").add("<+codebase.shortCommitSha>");
        ObjectNode connector = payload.putObject("connectors").putObject("role").put("type", "Aws");
        if (crossAccount) {
            ObjectNode credential = connector.putObject("spec").put("executeOnDelegate", false).putObject("credential")
                    .put("type", "ManualConfig");
            credential.putObject("spec").put("accessKey", "AKIAEXAMPLE")
                    .put("secretKeyRef", "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/aws-ci-user");
            credential.putObject("crossAccountAccess").put("crossAccountRoleArn", "arn:aws:iam::" + account + ":role/ecr-push")
                    .put("externalId", "acme-ci");
        } else {
            ObjectNode inherit = connector.putObject("spec");
            inherit.putObject("credential").put("type", "InheritFromDelegate");
            inherit.putArray("delegateSelectors").add("codebuild");
        }
        return new Trigger("app-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), "github", "acme/app",
                List.of(RefPattern.of("main")), List.of(), List.of(), payload);
    }

    private static PullRequest pr(int number) {
        return new PullRequest("github", "acme/app", number, "acme/app", "https://github.com/acme/app.git", "feature-" + number, "main",
                SHA, "octocat", "A change");
    }

    /** A started build's result, pushing {@code tags} of {@code repository} in {@code registry}. */
    private static StepResult started(String registry, String repository, String... tags) {
        List<String> uris = List.of(tags).stream().map(tag -> registry + "/" + repository + ":" + tag).toList();
        return new StepResult(StepResult.STARTED, "run", "CODEBUILD", "ecr-build-push:1", null, null, registry, repository, uris, null,
                false, null, List.of(), null, null);
    }

    /** A multi-platform start pushing {@code first-linux-amd64} and {@code first-linux-arm64}, its tags naming the index. */
    private static StepResult startedOnTwoPlatforms(String repository, String... tags) {
        StepResult one = started(REGISTRY, repository, tags);
        List<StepResult.PlatformStarted> platforms = List.of("linux-amd64", "linux-arm64").stream()
                .map(p -> new StepResult.PlatformStarted(p.replace('-', '/'), REGISTRY + "/" + repository + ":" + tags[0] + "-" + p,
                        "ecr-build-push:" + p, null, null)).toList();
        return new StepResult(one.status(), one.mode(), one.executor(), one.buildId(), null, null, one.registry(), one.repository(),
                one.imageUris(), null, false, null, List.of(), null, null, platforms, null);
    }

    /** Each BatchDeleteImage call as {@code registryId/repository: tag, tag} (tags as ECR received them, in order). */
    private List<String> deletes() {
        List<String> calls = new ArrayList<>();
        for (JsonNode body : aws.bodies(DELETE)) {
            List<String> ids = new ArrayList<>();
            body.get("imageIds").forEach(id -> ids.add(id.size() == 1 && id.has("imageTag") ? id.get("imageTag").asText() : id.toString()));
            calls.add(body.get("registryId").asText() + "/" + body.get("repositoryName").asText() + ": " + String.join(", ", ids));
        }
        return calls;
    }

    private Map<String, AttributeValue> record(Trigger trigger, int number) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey",
                    AttributeValue.fromS("build#pr-images#github/acme/app/" + number + "/" + trigger.name())))).item();
        }
    }

    @Test
    void closingARequest_deletesOnlyItsOwnRecordedTags_notLatest_notAnotherRequests_notAPushs() {
        Trigger app = trigger("123456789012", "acme/app", false);
        images.built(app, pr(12), started(REGISTRY, "acme/app", "pr-12", "pr-12-3f2a9c1", "latest", "feature-12"));
        images.built(app, pr(12), started(REGISTRY, "acme/app", "pr-12", "pr-12-9e8d7c6"));
        images.built(app, pr(1), started(REGISTRY, "acme/app", "pr-1", "pr-1-3f2a9c1"));
        images.built(app, pr(120), started(REGISTRY, "acme/app", "pr-120"));
        aws.resetRequests();

        PullRequestImages.Cleanup cleanup = images.closed(app, pr(12));

        assertEquals(List.of("123456789012/acme/app: pr-12, pr-12-3f2a9c1, pr-12-9e8d7c6"), deletes());
        assertEquals(List.of("acme/app:pr-12", "acme/app:pr-12-3f2a9c1", "acme/app:pr-12-9e8d7c6"), cleanup.deleted());
        assertEquals(List.of(), cleanup.failed());
        assertEquals(List.of("BatchDeleteImage by " + AwsFake.FUNCTION_ACCESS_KEY), aws.calls(), "the function's own role, nothing else");
        assertTrue(record(app, 12).isEmpty(), "the record is forgotten");
        assertEquals(List.of("pr-1", "pr-1-3f2a9c1"), record(app, 1).get("tags").ss(), "another request's record stays");

        aws.resetRequests();
        assertEquals(new PullRequestImages.Cleanup(List.of(), List.of()), images.closed(app, pr(12)), "a redelivered close");
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void aMultiPlatformRequest_deletesEachPlatformsOwnTag_ofItsOwnTagsOnly() {
        Trigger app = trigger("123456789012", "acme/app", false);
        images.built(app, pr(21), startedOnTwoPlatforms("acme/app", "pr-21", "pr-21-3f2a9c1"));
        images.built(app, pr(22), startedOnTwoPlatforms("acme/app", "latest", "pr-22"));
        aws.resetRequests();

        images.closed(app, pr(21));
        images.closed(app, pr(22));

        assertEquals(List.of("123456789012/acme/app: pr-21, pr-21-3f2a9c1, pr-21-linux-amd64, pr-21-linux-arm64",
                "123456789012/acme/app: pr-22"), deletes(), "latest-linux-amd64 is no tag of the request's own");
    }

    @Test
    void theDelete_isSignedWithTheTargetRole_ofTheTriggersCurrentPayload() {
        Trigger cross = trigger("123456789012", "acme/app", true);
        images.built(cross, pr(13), started(REGISTRY, "acme/app", "pr-13"));
        aws.resetRequests();
        images.closed(cross, pr(13));
        assertEquals(List.of("BatchDeleteImage by " + TriggerWorld.TARGET_KEY),
                aws.calls().stream().filter(call -> call.startsWith("BatchDeleteImage")).toList());
        assertEquals(List.of("123456789012/acme/app: pr-13"), deletes());
    }

    @Test
    void aTriggerWhosePushTagsNeedAGitTag_stillClosesItsRequests() {
        Trigger base = trigger("123456789012", "acme/app", false);
        ObjectNode payload = base.payload();
        ((ObjectNode) payload.at("/step/spec")).putArray("tags").add("<+codebase.tag>");
        Trigger releases = new Trigger(base.name(), base.provider(), base.repository(), base.branches(), base.tags(),
                base.schedules(), payload);
        images.built(releases, pr(17), started(REGISTRY, "acme/app", "pr-17"));
        aws.resetRequests();
        PullRequestImages.Cleanup cleanup = images.closed(releases, pr(17));
        assertEquals(List.of(), cleanup.failed());
        assertEquals(List.of("123456789012/acme/app: pr-17"), deletes());
    }

    @Test
    void aTriggerThatNowPushesElsewhere_deletesNothing() {
        Trigger before = trigger("123456789012", "acme/app", false);
        images.built(before, pr(14), started(REGISTRY, "acme/app", "pr-14"));
        Trigger now = new Trigger(before.name(), before.provider(), before.repository(), before.branches(), before.tags(),
                before.schedules(), trigger("123456789012", "acme/other", false).payload());
        aws.resetRequests();
        PullRequestImages.Cleanup cleanup = images.closed(now, pr(14));
        assertEquals(List.of(), deletes());
        assertEquals(List.of(), cleanup.deleted());
        assertEquals(1, cleanup.failed().size());
        assertTrue(cleanup.failed().get(0).startsWith("acme/app:pr-14: not deleted: the trigger now pushes to"),
                cleanup.failed()::toString);
        assertEquals(List.of("pr-14"), record(now, 14).get("tags").ss(), "kept");
    }

    @Test
    void aRecordOfAnAccountThePolicyNoLongerAllows_deletesNothing_andCallsNothing() {
        Trigger elsewhere = trigger("333333333333", "acme/app", false);
        images.built(elsewhere, pr(15), started("333333333333.dkr.ecr.us-east-1.amazonaws.com", "acme/app", "pr-15"));
        aws.resetRequests();
        PullRequestImages.Cleanup cleanup = images.closed(elsewhere, pr(15));
        assertEquals(List.of(), aws.calls());
        assertEquals(List.of(), cleanup.deleted());
        assertTrue(cleanup.failed().get(0).contains("no longer plans"), cleanup.failed()::toString);
    }

    @Test
    void manyTags_areDeletedAHundredACall_andWhatECRRefusesStaysRecorded() {
        Trigger app = trigger("123456789012", "acme/app", false);
        String[] tags = IntStream.range(0, 130).mapToObj(i -> String.format("pr-16-%07x", i)).toArray(String[]::new);
        images.built(app, pr(16), started(REGISTRY, "acme/app", tags));
        aws.resetRequests();
        aws.reply(DELETE, "{\"imageIds\": [], \"failures\": [{\"imageId\": {\"imageTag\": \"pr-16-0000001\"}, \"failureCode\":"
                + " \"ImageNotFound\", \"failureReason\": \"Requested image not found\"}, {\"imageId\": {\"imageTag\": \"pr-16-0000002\"},"
                + " \"failureCode\": \"ImageReferencedByManifestList\", \"failureReason\": \"referenced\"}]}");
        PullRequestImages.Cleanup cleanup = images.closed(app, pr(16));
        List<JsonNode> calls = aws.bodies(DELETE);
        assertEquals(List.of(100, 30), calls.stream().map(call -> call.get("imageIds").size()).toList());
        assertEquals(129, cleanup.deleted().size(), "ImageNotFound: gone already");
        assertEquals(List.of("acme/app:pr-16-0000002: ImageReferencedByManifestList referenced"), cleanup.failed());
        assertEquals(List.of("pr-16-0000002"), record(app, 16).get("tags").ss(), "tried again by a redelivered close");
    }
}
