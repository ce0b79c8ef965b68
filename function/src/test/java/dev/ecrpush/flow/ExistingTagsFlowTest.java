package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;

/**
 * {@code onExistingTag} through the application: the step's tags read from the fake ECR with the real SDK client
 * ({@code BatchGetImage}, and {@code DescribeRepositories} only when the mutability matters) after the repository is
 * ensured and before anything is started; {@code ALREADY_BUILT} with the existing digest, the typed refusal, and the
 * Step Functions task completed at once, with the task tokens and runs kept in DynamoDB Local.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class ExistingTagsFlowTest {
    private static final String START_BUILD = AwsFake.CODEBUILD + "StartBuild";
    private static final String BATCH_GET_IMAGE = AwsFake.ECR + "BatchGetImage";
    private static final String DESCRIBE_REPOSITORIES = AwsFake.ECR + "DescribeRepositories";
    private static final String SUCCESS = AwsFake.STEP_FUNCTIONS + "SendTaskSuccess";
    private static final String COMMIT = "9f1c2d3e4b5a69788776655443322110ffeeddcc";
    private static final String SHORT = "9f1c2d3";
    private static final String THIS_COMMITS = "sha256:" + "c".repeat(64);
    private static final String ANOTHER_COMMITS = "sha256:" + "e".repeat(64);
    private static final String URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/app:";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
    }

    /** A run of {@code acme/app} tagged with the short SHA and {@code latest}, by the function's own role. */
    private static ObjectNode run(String onExistingTag) throws Exception {
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree("""
                {"mode": "run", "infra": "K8",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main", "commitSha": "%s"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""".formatted(COMMIT));
        if (onExistingTag != null) {
            ((ObjectNode) payload.at("/step/spec")).put("onExistingTag", onExistingTag);
        }
        return payload;
    }

    private static JsonNode post(Object body, int status) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(body instanceof byte[] bytes ? bytes : body.toString().getBytes())
                .contentType("application/json").post("/internal/events").then().statusCode(status).extract().asString());
    }

    /** ECR's answer: each {@code tag=digest} found, the other tags asked for not found. */
    private void tagsFound(String... found) {
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        ArrayNode images = answer.putArray("images");
        for (String pair : found) {
            String[] parts = pair.split("=");
            ObjectNode image = images.addObject().put("registryId", "123456789012").put("repositoryName", "acme/app")
                    .put("imageManifest", "{}").put("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json");
            image.putObject("imageId").put("imageTag", parts[0]).put("imageDigest", parts[1]);
        }
        answer.putArray("failures");
        aws.reply(BATCH_GET_IMAGE, answer.toString());
    }

    private void repositoryMutability(String setting, String... exclusionFilters) {
        ObjectNode repository = Fixtures.JSON.createObjectNode().put("repositoryName", "acme/app").put("registryId", "123456789012")
                .put("imageTagMutability", setting);
        ArrayNode filters = repository.putArray("imageTagMutabilityExclusionFilters");
        for (String filter : exclusionFilters) {
            filters.addObject().put("filterType", "WILDCARD").put("filter", filter);
        }
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        answer.putArray("repositories").add(repository);
        aws.reply(DESCRIBE_REPOSITORIES, answer.toString());
    }

    @Test
    void skip_everyTagNamesTheCommitsImage_answersAlreadyBuilt_andStartsNothing() throws Exception {
        // given: both tags name the image the short SHA tag names
        tagsFound(SHORT + "=" + THIS_COMMITS, "latest=" + THIS_COMMITS);
        // when: the default, skip
        JsonNode result = post(run(null), 200);
        // then
        assertEquals("ALREADY_BUILT", result.get("status").asText(), result::toString);
        assertEquals(THIS_COMMITS, result.get("digest").asText());
        assertEquals(List.of(URI + SHORT, URI + "latest"), Fixtures.JSON.convertValue(result.get("imageUris"), List.class));
        assertFalse(result.has("buildId"), result::toString);
        assertEquals("ALREADY_BUILT", result.at("/checks/existingTags/decision").asText());
        assertEquals("skip", result.at("/checks/existingTags/onExistingTag").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
        // one lookup, as ECR received it: the step's tags and the commit's own, in the target registry; no mutability read
        List<JsonNode> lookups = aws.bodies(BATCH_GET_IMAGE);
        assertEquals(1, lookups.size());
        assertEquals("123456789012", lookups.get(0).get("registryId").asText());
        assertEquals("acme/app", lookups.get(0).get("repositoryName").asText());
        assertEquals(List.of(SHORT, "latest", COMMIT), lookups.get(0).findValuesAsText("imageTag"));
        assertEquals(List.of(), aws.requests(DESCRIBE_REPOSITORIES));
    }

    @Test
    void skip_inAnImmutableRepository_sameCommit_isAlreadyBuiltToo() throws Exception {
        tagsFound(SHORT + "=" + THIS_COMMITS, "latest=" + THIS_COMMITS);
        repositoryMutability("IMMUTABLE");
        JsonNode result = post(run("skip"), 200);
        assertEquals("ALREADY_BUILT", result.get("status").asText(), result::toString);
        assertEquals(THIS_COMMITS, result.get("digest").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void skip_anImmutableTagOfAnotherCommit_isRefusedBeforeBuilding_namingTheTag() throws Exception {
        // given: latest names another commit's image, the SHA tag does not exist, and the repository is immutable
        tagsFound("latest=" + ANOTHER_COMMITS);
        repositoryMutability("IMMUTABLE");
        // when
        JsonNode error = post(run("skip").put("idempotencyKey", "exec-" + UUID.randomUUID()), 409);
        // then
        assertEquals("TagExistsException", error.get("errorType").asText(), error::toString);
        String message = error.get("errorMessage").asText();
        assertTrue(message.startsWith("step.spec.tags: tag \"latest\" (" + ANOTHER_COMMITS + ", not known to be of commit 9f1c2d3)"
                + " exists and is immutable"), message);
        assertFalse(message.contains("tag \"" + SHORT + "\""), message);
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void skip_aMutableTagOfAnotherCommit_builds_andSaysWhy() throws Exception {
        tagsFound("latest=" + ANOTHER_COMMITS);
        repositoryMutability("MUTABLE");
        JsonNode result = post(run("skip"), 200);
        assertEquals("STARTED", result.get("status").asText(), result::toString);
        assertEquals(1, aws.requests(START_BUILD).size());
        JsonNode existing = result.at("/checks/existingTags");
        assertEquals("BUILD", existing.get("decision").asText());
        assertEquals("MUTABLE", existing.get("tagMutability").asText());
        assertEquals("latest", existing.at("/tags/1/tag").asText());
        assertEquals(ANOTHER_COMMITS, existing.at("/tags/1/digest").asText());
        assertFalse(existing.at("/tags/1/ofThisCommit").asBoolean());
        assertFalse(existing.at("/tags/1/immutable").asBoolean());
        assertTrue(existing.get("reason").asText().startsWith("not already built: 9f1c2d3 does not exist"), existing::toString);
    }

    @Test
    void skip_withAnExclusionFilter_judgesEachTag() throws Exception {
        // given: every tag immutable but latest, which names another commit's image
        tagsFound("latest=" + ANOTHER_COMMITS);
        repositoryMutability("IMMUTABLE_WITH_EXCLUSION", "lat*");
        // when / then: latest may be pushed over, so the run builds
        assertEquals("STARTED", post(run("skip"), 200).get("status").asText());
        // and with latest the only immutable tag, it is refused
        repositoryMutability("MUTABLE_WITH_EXCLUSION", "latest");
        assertEquals("TagExistsException", post(run("skip"), 409).get("errorType").asText());
    }

    @Test
    void rebuild_buildsOverMutableTagsOfTheSameCommit_butNotOverImmutableOnes() throws Exception {
        tagsFound(SHORT + "=" + THIS_COMMITS, "latest=" + THIS_COMMITS);
        repositoryMutability("MUTABLE");
        JsonNode started = post(run("rebuild"), 200);
        assertEquals("STARTED", started.get("status").asText(), started::toString);
        assertEquals(1, aws.requests(START_BUILD).size());
        // when the repository is immutable, the push would be refused after the whole build: refused now instead
        repositoryMutability("IMMUTABLE");
        JsonNode error = post(run("rebuild"), 409);
        assertEquals("TagExistsException", error.get("errorType").asText());
        assertTrue(error.get("errorMessage").asText().startsWith("step.spec.tags: tag \"9f1c2d3\" (" + THIS_COMMITS
                + ", an image of this commit), tag \"latest\" (" + THIS_COMMITS + ", an image of this commit) exist and are"
                + " immutable"), error::toString);
        assertEquals(1, aws.requests(START_BUILD).size());
    }

    @Test
    void fail_anyTagThatExists_isRefused_withoutReadingTheMutability() throws Exception {
        tagsFound("latest=" + THIS_COMMITS);
        JsonNode error = post(run("fail"), 409);
        assertEquals("TagExistsException", error.get("errorType").asText());
        assertEquals("step.spec.tags: onExistingTag is fail, and tag \"latest\" (" + THIS_COMMITS + ", not known to be of commit"
                + " 9f1c2d3) exists already", error.get("errorMessage").asText());
        assertFalse(error.get("retryable").asBoolean());
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of(), aws.requests(DESCRIBE_REPOSITORIES));
        // and none existing: it builds
        tagsFound();
        assertEquals("STARTED", post(run("fail"), 200).get("status").asText());
    }

    @Test
    void noCommit_provesNothing_soAnImmutableTagIsRefused_andAMutableOneBuilt() throws Exception {
        // given: a branch build without a commit SHA; latest exists
        ObjectNode payload = run("skip");
        ((ObjectNode) payload.get("codebase")).remove("commitSha");
        ((ArrayNode) payload.at("/step/spec/tags")).remove(0);
        tagsFound("latest=" + THIS_COMMITS);
        repositoryMutability("MUTABLE");
        // when / then: only the step's tag is looked up, and the run builds over it
        JsonNode result = post(payload, 200);
        assertEquals("STARTED", result.get("status").asText(), result::toString);
        assertEquals(List.of("latest"), aws.bodies(BATCH_GET_IMAGE).get(0).findValuesAsText("imageTag"));
        assertTrue(result.at("/checks/existingTags/reason").asText().startsWith("not known to be built: the run names no commit"),
                result::toString);
        // and in an immutable repository it is refused
        repositoryMutability("IMMUTABLE");
        assertTrue(post(payload, 409).get("errorMessage").asText().contains("tag \"latest\" (" + THIS_COMMITS
                + ", of a commit not known)"));
    }

    @Test
    void lookupRefused_skipBuildsAsBefore_failFailsTyped() throws Exception {
        aws.fail(BATCH_GET_IMAGE, 400, "AccessDeniedException", "not authorized to perform: ecr:BatchGetImage");
        JsonNode started = post(run("skip"), 200);
        assertEquals("STARTED", started.get("status").asText(), started::toString);
        assertTrue(started.at("/checks/existingTags/lookupFailed").asBoolean(), started::toString);
        JsonNode error = post(run("fail"), 403);
        assertEquals("PermissionDeniedException", error.get("errorType").asText(), error::toString);
        assertTrue(error.get("errorMessage").asText().startsWith("ecr.BatchGetImage failed for acme/app in 123456789012/us-east-1"),
                error::toString);
        assertEquals(1, aws.requests(START_BUILD).size());
    }

    @Test
    void taskToken_alreadyBuilt_completesTheTaskAtOnce_andARepeatOfTheKeyCompletesItsOwn() throws Exception {
        // given
        tagsFound(SHORT + "=" + THIS_COMMITS, "latest=" + THIS_COMMITS);
        String key = "exec-" + UUID.randomUUID();
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        // when
        JsonNode result = post(run(null).put("idempotencyKey", key).put("taskToken", token), 200);
        // then: the task is completed now, with the image that exists
        assertEquals("ALREADY_BUILT", result.get("status").asText(), result::toString);
        assertFalse(result.toString().contains(token));
        List<JsonNode> successes = aws.bodies(SUCCESS);
        assertEquals(1, successes.size());
        assertEquals(token, successes.get(0).get("taskToken").asText());
        JsonNode output = Fixtures.JSON.readTree(successes.get(0).get("output").asText());
        assertEquals("ALREADY_BUILT", output.get("status").asText());
        assertEquals(THIS_COMMITS, output.get("digest").asText());
        assertEquals("acme/app", output.get("repository").asText());
        assertEquals(List.of(URI + SHORT, URI + "latest"), Fixtures.JSON.convertValue(output.get("imageUris"), List.class));
        assertTrue(output.at("/timings/functionMillis").canConvertToLong(), output::toString);
        assertFalse(output.has("plan"), output::toString);
        // when: Step Functions retries the task under the same key, with a new token
        String again = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        JsonNode repeat = post(run(null).put("idempotencyKey", key).put("taskToken", again), 200);
        // then: the first result, and the new task completed with it; nothing read or started again
        assertTrue(repeat.get("duplicate").asBoolean());
        assertEquals("ALREADY_BUILT", repeat.get("status").asText());
        assertEquals(2, aws.requests(SUCCESS).size());
        assertEquals(again, aws.bodies(SUCCESS).get(1).get("taskToken").asText());
        assertEquals(output, Fixtures.JSON.readTree(aws.bodies(SUCCESS).get(1).get("output").asText()));
        assertEquals(1, aws.requests(BATCH_GET_IMAGE).size());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void preflight_reportsWhatARunWouldDo_andRefusesWhatItWouldRefuse() throws Exception {
        // given: the repository exists, and both tags name this commit's image; the CodeBuild project exists
        aws.reply(AwsFake.CODEBUILD + "BatchGetProjects", "{\"projects\":[{\"name\":\"ecr-build-push\","
                + "\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:project/ecr-build-push\","
                + "\"serviceRole\":\"arn:aws:iam::111111111111:role/build\"}]}");
        repositoryMutability("IMMUTABLE");
        tagsFound(SHORT + "=" + THIS_COMMITS, "latest=" + THIS_COMMITS);
        // when
        JsonNode result = post(run(null).put("mode", "preflight"), 200);
        // then
        assertEquals("PREFLIGHT_OK", result.get("status").asText(), result::toString);
        JsonNode existing = result.at("/checks/existingTags");
        assertEquals("ALREADY_BUILT", existing.get("decision").asText(), existing::toString);
        assertEquals(THIS_COMMITS, existing.get("digest").asText());
        assertEquals(COMMIT, existing.get("commit").asText());
        assertEquals(List.of(SHORT, "latest"), existing.get("tags").findValuesAsText("tag"));
        assertTrue(existing.at("/tags/0/ofThisCommit").asBoolean());
        // when: another commit's image under an immutable tag
        tagsFound("latest=" + ANOTHER_COMMITS);
        JsonNode error = post(run(null).put("mode", "preflight"), 409);
        assertEquals("TagExistsException", error.get("errorType").asText());
        assertEquals(List.of(), aws.requests(START_BUILD));
    }

    @Test
    void aValueThatIsNotASetting_isAnInvalidStepNamingTheField_beforeAnyAwsCall() throws Exception {
        JsonNode error = post(run("overwrite"), 400);
        assertEquals("InvalidStepException", error.get("errorType").asText(), error::toString);
        assertEquals("step.spec.onExistingTag: \"overwrite\" is not one of skip, rebuild, fail",
                error.get("errorMessage").asText());
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void aRepositoryTheRunCreates_holdsNoTag_soNoneIsRead() throws Exception {
        // given: the repository does not exist (a name no other test ensured), and ECR would report tags if asked
        aws.reply(AwsFake.ECR + "CreateRepository", "{\"repository\": {\"repositoryName\": \"acme/fresh\","
                + " \"registryId\": \"123456789012\"}}");
        aws.reply(AwsFake.ECR + "PutLifecyclePolicy", "{}");
        tagsFound("latest=" + ANOTHER_COMMITS);
        ObjectNode payload = run("fail");
        ((ObjectNode) payload.at("/step/spec")).put("imageName", "acme/fresh");
        // when
        JsonNode result = post(payload, 200);
        // then: created, and built without a lookup
        assertEquals("STARTED", result.get("status").asText(), result::toString);
        assertTrue(result.get("repositoryCreated").asBoolean());
        assertEquals(List.of(), aws.requests(BATCH_GET_IMAGE));
        assertEquals(1, aws.requests(START_BUILD).size());
    }

    @Test
    void preflight_ofARepositoryThatDoesNotExist_readsNoTag() throws Exception {
        aws.reply(AwsFake.CODEBUILD + "BatchGetProjects", "{\"projects\":[{\"name\":\"ecr-build-push\","
                + "\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:project/ecr-build-push\","
                + "\"serviceRole\":\"arn:aws:iam::111111111111:role/build\"}]}");
        aws.fail(DESCRIBE_REPOSITORIES, 400, "RepositoryNotFoundException", "not found");
        tagsFound("latest=" + ANOTHER_COMMITS);
        JsonNode result = post(run("fail").put("mode", "preflight"), 200);
        assertEquals("PREFLIGHT_OK", result.get("status").asText(), result::toString);
        assertEquals("BUILD", result.at("/checks/existingTags/decision").asText());
        assertTrue(result.at("/checks/existingTags/reason").asText().startsWith("the repository does not exist yet"),
                result::toString);
        assertEquals(List.of(), aws.requests(BATCH_GET_IMAGE));
    }

    @Test
    void aTriggersSetting_winsOverItsPayloads() throws Exception {
        // given: the trigger says fail, its payload skip; the repository is mutable, so skip would build over nightly
        tagsFound("nightly=" + ANOTHER_COMMITS);
        repositoryMutability("MUTABLE");
        ObjectNode event = (ObjectNode) Fixtures.JSON.readTree(java.nio.file.Files.readAllBytes(
                Repo.path("events/schedule-rule-event.json")));
        event.put("id", UUID.randomUUID().toString());
        event.putArray("resources").add("arn:aws:events:us-east-1:111111111111:rule/existing-tags-nightly");
        // when
        JsonNode answer = post(event, 409);
        // then: the schedule's one rebuild failed, with the trigger's refusal
        assertEquals("TagExistsException", answer.get("errorType").asText(), answer::toString);
        assertTrue(answer.get("errorMessage").asText().contains("trigger existing-tags-nightly: step.spec.tags: onExistingTag is"
                + " fail, and tag \"nightly\" (" + ANOTHER_COMMITS + ", of a commit not known) exists already"), answer::toString);
        assertEquals(List.of(), aws.requests(START_BUILD));
        assertEquals(List.of(), aws.requests(DESCRIBE_REPOSITORIES));
    }
}
