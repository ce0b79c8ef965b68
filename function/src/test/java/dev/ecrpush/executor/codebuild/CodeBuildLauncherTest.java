package dev.ecrpush.executor.codebuild;

import static dev.ecrpush.support.AwsFake.CODEBUILD;
import static dev.ecrpush.support.AwsFake.ECR;
import static dev.ecrpush.support.AwsFake.SSM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.SecretSource;
import dev.ecrpush.registry.KnownRepositories;
import dev.ecrpush.registry.RepositoryDefaults;
import dev.ecrpush.registry.RepositoryEnsurer;
import dev.ecrpush.result.SdkJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.support.Repo;

class CodeBuildLauncherTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String BUILD_ID = "ecr-build-push:0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70";
    private static final String BUILD_ARN = "arn:aws:codebuild:ap-southeast-2:210987654321:build/" + BUILD_ID;

    /** DLITE_VM with an OIDC connector: the token is stashed in SSM. */
    private final Plan oidc = Fixtures.plan(Fixtures.read(Repo.path("events/plan-dlite-vm.json")));
    /** K8 with manual keys: secrets are Secrets Manager references, nothing to stash. */
    private final Plan k8 = Fixtures.plan(Fixtures.read(Repo.path("events/plan-k8.json")));
    private final String token = oidc.payload().oidcToken().value();

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(SSM + "PutParameter", "{\"Version\": 1, \"Tier\": \"Standard\"}");
        AWS.reply(CODEBUILD + "StartBuild", startedBuild(BUILD_ID, BUILD_ARN, null));
    }

    /** Wherever a test went, the OIDC token travelled in one request only: the one that stores it. */
    @AfterEach
    void tokenOnlyInPutParameter() {
        for (AwsFake.AwsRequest request : AWS.requests()) {
            boolean putParameter = (SSM + "PutParameter").equals(request.operation());
            assertFalse(request.headers().contains(token), "token in the headers of " + request.operation());
            assertTrue(putParameter || !request.body().contains(token), "token in the body of " + request.operation());
        }
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    @Test
    void launch_oidcPlan_stashesTokenThenStartsThePlansRequest() {
        // given
        CodeBuildLauncher launcher = launcher(Region.AP_SOUTHEAST_2);
        StartBuildRequestView expected = StartBuildRequestView.of(oidc);
        // when
        LaunchResult result = launcher.launch(oidc);
        // then
        assertEquals(List.of("PutParameter", "StartBuild"), AWS.operations());
        JsonNode put = AWS.bodies(SSM + "PutParameter").get(0);
        assertEquals(expected.stashedParameter(), put.get("Name").asText());
        assertEquals(token, put.get("Value").asText());
        assertEquals("SecureString", put.get("Type").asText());
        assertTrue(put.get("Overwrite").asBoolean());

        JsonNode start = AWS.bodies(CODEBUILD + "StartBuild").get(0);
        assertEquals(expected.json(), start);
        assertEquals("PARAMETER_STORE", variable(start, "PLUGIN_OIDC_TOKEN_ID").get("type").asText());
        assertEquals(expected.stashedParameter(), variable(start, "PLUGIN_OIDC_TOKEN_ID").get("value").asText());
        assertTrue(start.hasNonNull("idempotencyToken"));

        assertEquals(new LaunchResult(BUILD_ID, BUILD_ARN, "https://console.aws.amazon.com/codesuite/codebuild/projects/"
                + "ecr-build-push/build/ecr-build-push%3A0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70/?region=ap-southeast-2"), result);
        assertFalse(result.toString().contains(token));
    }

    @Test
    void launch_manualKeysPlan_startsWithSecretsManagerReferencesAndDeepLink() {
        // given
        String deepLink = "https://console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logEvent:group=/aws/codebuild/ecr-build-push";
        AWS.reply(CODEBUILD + "StartBuild", startedBuild(BUILD_ID, BUILD_ARN.replace("ap-southeast-2", "eu-west-1"), deepLink));
        // when
        LaunchResult result = launcher(Region.EU_WEST_1).launch(k8);
        // then
        assertEquals(List.of("StartBuild"), AWS.operations());
        JsonNode start = AWS.bodies(CODEBUILD + "StartBuild").get(0);
        assertEquals(StartBuildRequestView.of(k8).json(), start);
        assertEquals("SECRETS_MANAGER", variable(start, "PLUGIN_SECRET_KEY").get("type").asText());
        assertEquals("arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/aws-ci-user",
                variable(start, "PLUGIN_SECRET_KEY").get("value").asText());
        assertEquals("PLAINTEXT", variable(start, "PLUGIN_REPO").get("type").asText());
        assertEquals(deepLink, result.logsUrl());
    }

    @Test
    void launch_chinaRegionBuild_linksTheChinaConsole() {
        // given
        String arn = "arn:aws-cn:codebuild:cn-north-1:210987654321:build/" + BUILD_ID;
        AWS.reply(CODEBUILD + "StartBuild", startedBuild(BUILD_ID, arn, null));
        // when
        LaunchResult result = launcher(Region.CN_NORTH_1).launch(k8);
        // then
        assertTrue(result.logsUrl().startsWith("https://console.amazonaws.cn/codesuite/codebuild/projects/ecr-build-push/build/"),
                result.logsUrl());
        assertTrue(result.logsUrl().endsWith("?region=cn-north-1"), result.logsUrl());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ResourceNotFoundException", "InvalidInputException", "AccountLimitExceededException"})
    void launch_codeBuildRefuses_throwsLaunchFailedNamingTheProject(String code) {
        // given
        AWS.fail(CODEBUILD + "StartBuild", 400, code, "refused by CodeBuild");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher(Region.AP_SOUTHEAST_2).launch(oidc));
        // then
        assertEquals("codebuild.StartBuild failed for project ecr-build-push in ap-southeast-2: " + code + ": refused by CodeBuild",
                e.getMessage());
        assertFalse(e.retryable());
        assertEquals(1, AWS.bodies(CODEBUILD + "StartBuild").size());
    }

    @Test
    void launch_throttledTwice_startsOneBuildAfterSdkRetries() {
        // given
        AWS.failThenReply(CODEBUILD + "StartBuild", 2, 400, "ThrottlingException", startedBuild(BUILD_ID, BUILD_ARN, null));
        // when
        LaunchResult result = launcher(Region.AP_SOUTHEAST_2).launch(oidc);
        // then
        assertEquals(BUILD_ID, result.buildId());
        List<JsonNode> starts = AWS.bodies(CODEBUILD + "StartBuild");
        assertEquals(3, starts.size());
        // every attempt carries the same token, so CodeBuild starts at most one build
        assertEquals(1, starts.stream().map(s -> s.get("idempotencyToken").asText()).distinct().count());
    }

    @Test
    void launch_throttledPersistently_throwsThrottled() {
        // given
        AWS.fail(CODEBUILD + "StartBuild", 400, "ThrottlingException", "Rate exceeded");
        // when
        ThrottledException e = assertThrows(ThrottledException.class, () -> launcher(Region.AP_SOUTHEAST_2).launch(oidc));
        // then
        assertTrue(e.getMessage().startsWith(
                "codebuild.StartBuild failed for project ecr-build-push in ap-southeast-2: ThrottlingException"),
                e.getMessage());
        assertTrue(e.retryable());
    }

    @Test
    void launch_putParameterDenied_throwsPermissionDeniedWithoutTheTokenAndStartsNothing() {
        // given: AWS may quote request fields in an error message
        AWS.fail(SSM + "PutParameter", 400, "AccessDeniedException", "not authorized to put value " + token);
        // when
        dev.ecrpush.error.PermissionDeniedException e = assertThrows(dev.ecrpush.error.PermissionDeniedException.class,
                () -> launcher(Region.AP_SOUTHEAST_2).launch(oidc));
        // then
        assertEquals("ssm.PutParameter failed for parameter " + StartBuildRequestView.of(oidc).stashedParameter()
                + " in ap-southeast-2: AccessDeniedException", e.getMessage());
        assertNoToken(e);
        assertEquals(List.of("PutParameter"), AWS.operations());
    }

    @Test
    void launch_putParameterThrottledPersistently_throwsThrottledWithoutTheToken() {
        // given
        AWS.fail(SSM + "PutParameter", 400, "ThrottlingException", "Rate exceeded for " + token);
        // when
        ThrottledException e = assertThrows(ThrottledException.class, () -> launcher(Region.AP_SOUTHEAST_2).launch(oidc));
        // then
        assertNoToken(e);
        assertFalse(AWS.operations().contains("StartBuild"));
    }

    @Test
    void launch_repositoryAccessDeniedFirst_startsNoBuild() {
        // given: the run order, repository first
        AWS.fail(ECR + "CreateRepository", 400, "AccessDeniedException", "not authorized to perform: ecr:CreateRepository");
        RepositoryEnsurer ensurer = new RepositoryEnsurer(AWS.ecr(Region.AP_SOUTHEAST_2), RepositoryDefaults.defaults(),
                new KnownRepositories());
        CodeBuildLauncher launcher = launcher(Region.AP_SOUTHEAST_2);
        // when
        dev.ecrpush.error.PermissionDeniedException e = assertThrows(dev.ecrpush.error.PermissionDeniedException.class, () -> {
            ensurer.ensure(oidc);
            launcher.launch(oidc);
        });
        // then
        assertTrue(e.getMessage().startsWith("ecr.CreateRepository failed for acme/worker in 123456789012/ap-southeast-2: "
                + "AccessDeniedException"), e.getMessage());
        assertEquals(List.of("CreateRepository"), AWS.operations());
        assertNoToken(e);
    }

    @Test
    void check_projectExists_returnsItsServiceRole() {
        // given
        AWS.reply(CODEBUILD + "BatchGetProjects", """
                {"projects": [{"name": "ecr-build-push", "arn": "arn:aws:codebuild:ap-southeast-2:210987654321:project/ecr-build-push",
                               "serviceRole": "arn:aws:iam::210987654321:role/codebuild-ecr-build-push"}],
                 "projectsNotFound": []}""");
        // when
        ProjectCheck check = launcher(Region.AP_SOUTHEAST_2).check("ecr-build-push");
        // then
        assertEquals(new ProjectCheck("ecr-build-push", "arn:aws:codebuild:ap-southeast-2:210987654321:project/ecr-build-push",
                "arn:aws:iam::210987654321:role/codebuild-ecr-build-push"), check);
        assertEquals("ecr-build-push", AWS.bodies(CODEBUILD + "BatchGetProjects").get(0).get("names").get(0).asText());
    }

    @Test
    void check_projectMissing_throwsLaunchFailed() {
        // given
        AWS.reply(CODEBUILD + "BatchGetProjects", "{\"projects\": [], \"projectsNotFound\": [\"ecr-build-push\"]}");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher(Region.AP_SOUTHEAST_2).check("ecr-build-push"));
        // then
        assertTrue(e.getMessage().startsWith("codebuild project ecr-build-push does not exist in ap-southeast-2"), e.getMessage());
    }

    @Test
    void preflight_oidcPlan_onlyReads() {
        // given
        AWS.reply(ECR + "DescribeRepositories", "{\"repositories\": [{\"repositoryName\": \"acme/worker\"}]}");
        AWS.reply(CODEBUILD + "BatchGetProjects", "{\"projects\": [{\"name\": \"ecr-build-push\"}]}");
        RepositoryEnsurer ensurer = new RepositoryEnsurer(AWS.ecr(Region.AP_SOUTHEAST_2), RepositoryDefaults.defaults(),
                new KnownRepositories());
        // when
        ensurer.check(oidc);
        launcher(Region.AP_SOUTHEAST_2).check("ecr-build-push");
        // then
        assertEquals(List.of("DescribeRepositories", "DescribeRepositories", "BatchGetProjects"), AWS.operations());
        assertTrue(AWS.operations().stream().noneMatch(op -> op.startsWith("Create") || op.startsWith("Put")
                || op.startsWith("Set") || op.startsWith("Start") || op.startsWith("Delete")));
    }

    private static CodeBuildLauncher launcher(Region region) {
        return new CodeBuildLauncher(AWS.codeBuild(region), AWS.ssm(region));
    }

    private void assertNoToken(BuildPushException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(token), "token in the message of " + t.getClass().getSimpleName());
        }
    }

    private static JsonNode variable(JsonNode startBuild, String name) {
        for (JsonNode variable : startBuild.get("environmentVariablesOverride")) {
            if (name.equals(variable.get("name").asText())) {
                return variable;
            }
        }
        throw new AssertionError(name + " is not in the request");
    }

    private static String startedBuild(String id, String arn, String deepLink) {
        var build = Fixtures.JSON.createObjectNode();
        build.putObject("build").put("id", id).put("arn", arn).put("buildStatus", "IN_PROGRESS").put("currentPhase", "SUBMITTED")
                .putObject("logs").put("deepLink", deepLink);
        return build.toString();
    }

    /** The plan's request as the JSON AWS should receive, and the parameter its OIDC token is stashed under. */
    private record StartBuildRequestView(JsonNode json, String stashedParameter) {
        static StartBuildRequestView of(Plan plan) {
            JsonNode json = SdkJson.toJson(((CodeBuildLaunch) plan.launch()).request());
            String stashed = plan.env().secret().values().stream()
                    .filter(SecretSource.Stashed.class::isInstance)
                    .map(s -> ((SecretSource.Stashed) s).parameterName())
                    .findFirst().orElse(null);
            return new StartBuildRequestView(json, stashed);
        }
    }
}
