package dev.ecrpush.flow;

import static dev.ecrpush.flow.PlatformBuildsFlowTest.BATCH_GET_BUILDS;
import static dev.ecrpush.flow.PlatformBuildsFlowTest.START_BUILD;
import static dev.ecrpush.flow.PlatformBuildsFlowTest.SUCCESS;
import static dev.ecrpush.flow.PlatformBuildsFlowTest.post;
import static dev.ecrpush.flow.PlatformBuildsFlowTest.stateChange;
import static dev.ecrpush.support.SigningWorldResource.PROFILE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.SigningWorldResource;
import dev.ecrpush.support.TriggerWorld;

/**
 * ECR managed signing through the application, with {@code buildpush.repository.signing} set: the registry's signing
 * configuration prepared before the build, and the pushed digest's signing status in the Step Functions completion and
 * in a status request, read with {@code DescribeImageSigningStatus} in the target account.
 */
@QuarkusTest
@QuarkusTestResource(value = SigningWorldResource.class, restrictToAnnotatedClass = true)
class SigningFlowTest {
    static final String GET_SIGNING = AwsFake.ECR + "GetSigningConfiguration";
    static final String PUT_SIGNING = AwsFake.ECR + "PutSigningConfiguration";
    static final String SIGNING_STATUS = AwsFake.ECR + "DescribeImageSigningStatus";
    static final String DIGEST = "sha256:" + "ab".repeat(32);
    static final String OTHER_RULE = "{\"signingProfileArn\":\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/security\","
            + "\"repositoryFilters\":[{\"filter\":\"payments/*\",\"filterType\":\"WILDCARD_MATCH\"}]}";

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    String build;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        build = "ecr-build-push:" + UUID.randomUUID();
        aws.reply(START_BUILD, "{\"build\":{\"id\":\"" + build + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/"
                + build + "\"}}");
        aws.reply(PUT_SIGNING, "{}");
    }

    /** A step of one platform, pushing {@code repository} in 123456789012/us-east-1 with the function's own role. */
    static ObjectNode run(String repository, String taskToken) throws Exception {
        ObjectNode payload = PlatformBuildsFlowTest.run("exec-" + UUID.randomUUID(), taskToken);
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        spec.remove("platforms");
        spec.put("imageName", repository);
        return payload;
    }

    void readsBackSucceeded() {
        aws.reply(BATCH_GET_BUILDS, "{\"builds\":[{\"id\":\"" + build + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":"
                + "\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\",\"exportedEnvironmentVariables\":[{\"name\":"
                + "\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + DIGEST + "\"}]}]}");
    }

    void signingIs(String statuses) {
        aws.reply(SIGNING_STATUS, "{\"registryId\":\"123456789012\",\"repositoryName\":\"x\",\"imageId\":{\"imageDigest\":\""
                + DIGEST + "\"},\"signingStatuses\":" + statuses + "}");
    }

    @Test
    void run_addsARuleKeepingTheOthers_completionAndStatusReportTheSigning() throws Exception {
        // given: another team's rule, then the configuration with this profile's rule added
        String repository = "acme/signed-" + UUID.randomUUID().toString().substring(0, 8);
        String written = "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":[" + OTHER_RULE + ","
                + RegistrySigningRules.rule(PROFILE, repository) + "]}}";
        aws.stubFailingFirst(GET_SIGNING, 1, AwsFake.json("{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":["
                + OTHER_RULE + "]}}"), AwsFake.json(written));
        String token = "AQCEAAAAKgAAAAMAAAAAAAAAAeUFAKETOKEN" + UUID.randomUUID();
        // when
        JsonNode started = post(run(repository, token), 200);
        // then: the configuration was prepared before the build started, the other team's rule kept exactly
        assertEquals("STARTED", started.get("status").asText(), started.toString());
        List<String> operations = aws.operations();
        assertTrue(operations.indexOf("PutSigningConfiguration") < operations.indexOf("StartBuild"), operations.toString());
        JsonNode rules = aws.bodies(PUT_SIGNING).get(0).at("/signingConfiguration/rules");
        assertEquals(Fixtures.JSON.readTree("[" + OTHER_RULE + "," + RegistrySigningRules.rule(PROFILE, repository) + "]"), rules);
        // and where it pushes is kept for its status, with no secret
        Map<String, AttributeValue> item = item("build#signing#" + build);
        JsonNode target = Fixtures.JSON.readTree(item.get("target").s());
        assertEquals(repository, target.get("repository").asText());
        assertEquals("FunctionRole", target.at("/credentials/base").asText());

        // when: the build ends, while ECR is still signing
        readsBackSucceeded();
        signingIs("[{\"signingProfileArn\":\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/security\","
                + "\"status\":\"COMPLETE\"},{\"signingProfileArn\":\"" + PROFILE + "\",\"status\":\"IN_PROGRESS\"}]");
        JsonNode ended = stateChange(build);
        // then: the task's output reports this profile's signing of the pushed digest
        assertEquals("TASK_SUCCEEDED", ended.get("status").asText(), ended.toString());
        JsonNode output = Fixtures.JSON.readTree(aws.bodies(SUCCESS).get(0).get("output").asText());
        assertEquals(Fixtures.JSON.readTree("{\"profile\":\"" + PROFILE + "\",\"status\":\"IN_PROGRESS\"}"), output.get("signing"));
        JsonNode asked = aws.bodies(SIGNING_STATUS).get(0);
        assertEquals("123456789012", asked.get("registryId").asText());
        assertEquals(repository, asked.get("repositoryName").asText());
        assertEquals(DIGEST, asked.at("/imageId/imageDigest").asText());

        // when: the status is asked later, once ECR has signed
        signingIs("[{\"signingProfileArn\":\"" + PROFILE + "\",\"status\":\"COMPLETE\"}]");
        JsonNode status = post("{\"buildId\": \"" + build + "\"}", 200);
        // then
        assertEquals("COMPLETE", status.at("/signing/status").asText(), status.toString());

        // when: a warm run for the same repository
        aws.resetRequests();
        post(run(repository, null), 200);
        // then: no signing-configuration call at all
        assertFalse(aws.operations().stream().anyMatch(o -> o.contains("SigningConfiguration")), aws.operations().toString());
    }

    @Test
    void status_signingFailed_reportsEcrsCodeAndReason_andTheBuildStillSucceeded() throws Exception {
        // given
        String repository = "acme/failed-" + UUID.randomUUID().toString().substring(0, 8);
        aws.reply(GET_SIGNING, "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":[{\"signingProfileArn\":\""
                + PROFILE + "\"}]}}");
        post(run(repository, null), 200);
        readsBackSucceeded();
        signingIs("[{\"signingProfileArn\":\"" + PROFILE + "\",\"status\":\"FAILED\",\"failureCode\":\"AccessDenied\","
                + "\"failureReason\":\"the pushing role may not sign with the profile\"}]");
        // when
        JsonNode status = post("{\"buildId\": \"" + build + "\"}", 200);
        // then: a failed signature is reported, not a failed build
        assertEquals("SUCCEEDED", status.get("status").asText());
        assertEquals(Fixtures.JSON.readTree("{\"profile\":\"" + PROFILE + "\",\"status\":\"FAILED\",\"failureCode\":\"AccessDenied\","
                + "\"failureReason\":\"the pushing role may not sign with the profile\"}"), status.get("signing"));
        assertTrue(aws.requests(PUT_SIGNING).isEmpty(), "a rule of the profile without filters covers every repository");
    }

    @Test
    void status_noStatusForThisProfile_isNotStarted_andInProgressBuildsAskNothing() throws Exception {
        // given
        aws.reply(GET_SIGNING, "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":[{\"signingProfileArn\":\""
                + PROFILE + "\"}]}}");
        post(run("acme/app", null), 200);
        aws.reply(BATCH_GET_BUILDS, "{\"builds\":[{\"id\":\"" + build + "\",\"projectName\":\"ecr-build-push\",\"buildStatus\":"
                + "\"IN_PROGRESS\",\"currentPhase\":\"BUILD\"}]}");
        // when: still building
        JsonNode building = post("{\"buildId\": \"" + build + "\"}", 200);
        // then: no signing yet, and ECR not asked
        assertFalse(building.has("signing"), building.toString());
        assertTrue(aws.requests(SIGNING_STATUS).isEmpty());
        // when: succeeded, and ECR lists only another profile's signing
        readsBackSucceeded();
        signingIs("[{\"signingProfileArn\":\"arn:aws:signer:us-east-1:123456789012:/signing-profiles/security\","
                + "\"status\":\"COMPLETE\"}]");
        JsonNode status = post("{\"buildId\": \"" + build + "\"}", 200);
        // then
        assertEquals(Fixtures.JSON.readTree("{\"profile\":\"" + PROFILE + "\",\"status\":\"NOT_STARTED\"}"), status.get("signing"));
    }

    @Test
    void status_describeRefused_isNotCheckedWithTheCode_andTheStatusRequestStillAnswers() throws Exception {
        // given
        aws.reply(GET_SIGNING, "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":[{\"signingProfileArn\":\""
                + PROFILE + "\"}]}}");
        post(run("acme/app", null), 200);
        readsBackSucceeded();
        aws.fail(SIGNING_STATUS, 400, "AccessDeniedException", "not authorized to perform: ecr:DescribeImageSigningStatus");
        // when
        JsonNode status = post("{\"buildId\": \"" + build + "\"}", 200);
        // then
        assertEquals("SUCCEEDED", status.get("status").asText());
        assertEquals("NOT_CHECKED", status.at("/signing/status").asText());
        assertEquals("ecr.DescribeImageSigningStatus failed: AccessDeniedException", status.at("/signing/failureReason").asText());
    }

    static final String GET_PROFILE = AwsFake.SIGNER + "GetSigningProfile";

    void profileIs(String status, String platform) {
        aws.reply(GET_PROFILE, "{\"profileName\":\"builds_prod\",\"profileVersion\":\"2oCN6RHYVI\",\"platformId\":\"" + platform
                + "\",\"platformDisplayName\":\"Notary v2 for Container Registries\",\"status\":\"" + status + "\",\"arn\":\""
                + PROFILE + "\"}");
    }

    ObjectNode preflight(String repository) throws Exception {
        ObjectNode payload = run(repository, null);
        payload.put("mode", "preflight");
        return payload;
    }

    void preflightStubs() {
        aws.reply(AwsFake.ECR + "DescribeRepositories", "{\"repositories\":[{\"repositoryName\":\"acme/app\"}]}");
        aws.reply(AwsFake.CODEBUILD + "BatchGetProjects", "{\"projects\":[{\"name\":\"ecr-build-push\"}],"
                + "\"projectsNotFound\":[]}");
    }

    @Test
    void preflight_activeProfile_reportsTheProfileAndThatARunWouldAddTheRule_changingNothing() throws Exception {
        // given
        preflightStubs();
        profileIs("Active", "Notation-OCI-SHA384-ECDSA");
        aws.reply(GET_SIGNING, "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":[" + OTHER_RULE + "]}}");
        // when
        JsonNode result = post(preflight("acme/app"), 200);
        // then
        assertEquals("PREFLIGHT_OK", result.get("status").asText(), result.toString());
        assertEquals(Fixtures.JSON.readTree("{\"profile\":\"" + PROFILE + "\",\"repository\":\"acme/app\",\"status\":\"Active\","
                + "\"platformId\":\"Notation-OCI-SHA384-ECDSA\",\"registryCovered\":false}"), result.at("/checks/signing"));
        AwsFake.AwsRequest asked = aws.requests(GET_PROFILE).get(0);
        assertEquals("builds_prod", asked.params().get("profileName"));
        assertFalse(asked.params().containsKey("profileOwner"), "the profile is the target account's own");
        assertEquals("us-east-1", asked.signingRegion());
        assertTrue(aws.requests(PUT_SIGNING).isEmpty(), "preflight writes nothing");
        assertTrue(aws.requests(START_BUILD).isEmpty());
    }

    @Test
    void preflight_ruleOfTheProfileCovers_saysSo() throws Exception {
        // given
        preflightStubs();
        profileIs("Active", "Notation-OCI-SHA384-ECDSA");
        aws.reply(GET_SIGNING, "{\"registryId\":\"123456789012\",\"signingConfiguration\":{\"rules\":["
                + RegistrySigningRules.rule(PROFILE, "acme/*") + "]}}");
        // when
        JsonNode result = post(preflight("acme/app"), 200);
        // then
        assertTrue(result.at("/checks/signing/registryCovered").asBoolean(), result.toString());
    }

    @Test
    void preflight_canceledProfile_failsNamingTheKey() throws Exception {
        // given
        preflightStubs();
        profileIs("Canceled", "Notation-OCI-SHA384-ECDSA");
        // when
        JsonNode error = post(preflight("acme/app"), 502);
        // then
        assertEquals("RepositoryFailedException", error.get("errorType").asText(), error.toString());
        assertTrue(error.get("errorMessage").asText().startsWith("buildpush.repository.signing " + PROFILE
                + ": the signing profile is Canceled"), error.toString());
        assertTrue(aws.requests(START_BUILD).isEmpty());
    }

    @Test
    void preflight_missingProfile_failsNamingTheKey() throws Exception {
        // given
        preflightStubs();
        aws.stub(GET_PROFILE, com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json").withHeader("x-amzn-ErrorType", "ResourceNotFoundException")
                .withBody("{\"message\":\"Profile not found\"}"));
        // when
        JsonNode error = post(preflight("acme/app"), 502);
        // then
        assertTrue(error.get("errorMessage").asText().startsWith("buildpush.repository.signing " + PROFILE
                + ": no such signing profile"), error.toString());
    }

    @Test
    void preflight_profileOfAnotherPlatform_failsNamingTheKey() throws Exception {
        // given
        preflightStubs();
        profileIs("Active", "AWSLambda-SHA384-ECDSA");
        // when
        JsonNode error = post(preflight("acme/app"), 502);
        // then
        assertTrue(error.get("errorMessage").asText().contains("platform is AWSLambda-SHA384-ECDSA, not Notation-OCI-SHA384-ECDSA"),
                error.toString());
    }

    Map<String, AttributeValue> item(String key) {
        try (DynamoDbClient client = world.dynamoDb().client()) {
            return client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey", AttributeValue.fromS(key)))).item();
        }
    }

    /** The rule shape the function writes, as in the registry stage's own test. */
    static final class RegistrySigningRules {
        static String rule(String profile, String filter) {
            return "{\"signingProfileArn\":\"" + profile + "\",\"repositoryFilters\":[{\"filter\":\"" + filter
                    + "\",\"filterType\":\"WILDCARD_MATCH\"}]}";
        }
    }
}
