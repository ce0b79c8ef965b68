package dev.ecrpush.executor.codebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.step.Warning;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.executor.ecs.EcsSettings;
import dev.ecrpush.support.Repo;

/** The CodeBuild launch request a plan carries, field by field, as CodeBuild would receive it ({@link EcsRequestsTest} for ECS). */
class CodeBuildRequestsTest {
    private static StartBuildRequest startBuild(ObjectNode payload) {
        return ((CodeBuildLaunch) Fixtures.plan(payload).launch()).request();
    }

    private static Map<String, String> types(StartBuildRequest request) {
        return request.environmentVariablesOverride().stream()
                .collect(Collectors.toMap(EnvironmentVariable::name, EnvironmentVariable::typeAsString));
    }

    @Test
    void startBuild_k8_runsKanikoUnprivilegedWithSecretsAsReferences() {
        // given
        ObjectNode payload = Fixtures.basePayload();
        // when
        StartBuildRequest request = startBuild(payload);
        // then
        assertEquals("ecr-build-push", request.projectName());
        assertEquals("ecr-build-push/kaniko-ecr:1.13.9-kaniko1.28.5", request.imageOverride());
        assertEquals("CODEBUILD", request.imagePullCredentialsTypeOverrideAsString());
        assertFalse(request.privilegedModeOverride());
        assertEquals(1, request.autoRetryLimitOverride());
        assertEquals("SECRETS_MANAGER", types(request).get("PLUGIN_SECRET_KEY"));
        assertEquals("SECRETS_MANAGER", types(request).get("AWS_SECRET_ACCESS_KEY"));
        assertEquals("PLAINTEXT", types(request).get("PLUGIN_REPO"));
        assertTrue(request.buildspecOverride().contains("- '/kaniko/kaniko-ecr && "), request.buildspecOverride());
        assertFalse(request.buildspecOverride().contains("dockerd"));
        assertNull(request.idempotencyToken());
        assertNull(request.sourceVersion());
    }

    @Test
    void startBuild_vm_isPrivilegedAndStartsTheDaemonBeforeThePlugin() {
        ObjectNode payload = Fixtures.basePayload().put("infra", "VM");
        StartBuildRequest request = startBuild(payload);
        assertTrue(request.privilegedModeOverride());
        String buildspec = request.buildspecOverride();
        assertTrue(buildspec.indexOf("dockerd") < buildspec.indexOf("/bin/drone-ecr"), buildspec);
    }

    @Test
    void startBuild_ssmReference_isAParameterStoreVariableWithoutItsPrefix() {
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("sessionTokenRef", "ssm:/ci/aws/session");
        StartBuildRequest request = startBuild(payload);
        EnvironmentVariable token = request.environmentVariablesOverride().stream()
                .filter(v -> v.name().equals("AWS_SESSION_TOKEN")).findFirst().orElseThrow();
        assertEquals("PARAMETER_STORE", token.typeAsString());
        assertEquals("/ci/aws/session", token.value());
    }

    @Test
    void startBuild_oidcToken_isStashedAsAParameter_neverSentInPlainText() throws Exception {
        // given
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree(java.nio.file.Files.readAllBytes(Repo.path("events/plan-dlite-vm.json")));
        String token = payload.get("oidcToken").asText();
        // when
        Plan plan = Fixtures.plan(payload);
        StartBuildRequest request = ((CodeBuildLaunch) plan.launch()).request();
        // then
        EnvironmentVariable variable = request.environmentVariablesOverride().stream()
                .filter(v -> v.name().equals("PLUGIN_OIDC_TOKEN_ID")).findFirst().orElseThrow();
        assertEquals("PARAMETER_STORE", variable.typeAsString());
        assertTrue(variable.value().startsWith("/ecr-build-push/oidc-tokens/"), variable.value());
        assertFalse(request.toString().contains(token));
        assertFalse(dev.ecrpush.result.SdkJson.toJson(request).toString().contains(token));
        assertEquals("****", plan.env().secretDisplay().get("PLUGIN_OIDC_TOKEN_ID"));
    }

    @ParameterizedTest
    @CsvSource({
        "500Mi, 400m, BUILD_GENERAL1_SMALL",
        "3Gi, 2, BUILD_GENERAL1_SMALL",
        "4Gi, 1, BUILD_GENERAL1_MEDIUM",
        "1G, 3, BUILD_GENERAL1_MEDIUM",
        "16Gi, 1, BUILD_GENERAL1_XLARGE",
        "8Gi, 8, BUILD_GENERAL1_LARGE",
        "100Gi, 1, BUILD_GENERAL1_2XLARGE"})
    void startBuild_resources_pickTheSmallestComputeTypeThatFits(String memory, String cpu, String computeType) {
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.at("/step/spec")).putObject("resources").putObject("limits").put("memory", memory).put("cpu", cpu);
        assertEquals(computeType, startBuild(payload).computeTypeOverrideAsString());
    }

    @ParameterizedTest
    @CsvSource({"90s, 5", "30m, 30", "1h30m, 90", "61s, 5", "5m1s, 6", "40h, 2160"})
    void startBuild_timeout_isWholeMinutesWithinCodeBuildLimits(String timeout, int minutes) {
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.get("step")).put("timeout", timeout);
        assertEquals(minutes, startBuild(payload).timeoutInMinutesOverride());
    }

    @Test
    void startBuild_timeoutAboveTheMaximum_isWarned() {
        ObjectNode payload = Fixtures.basePayload();
        // a source, so that the timeout is the only thing to warn about
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git");
        ((ObjectNode) payload.get("step")).put("timeout", "40h");
        List<String> paths = Fixtures.plan(payload).warnings().stream().map(Warning::path).toList();
        assertEquals(List.of("step.timeout"), paths);
    }

    @Test
    void startBuild_idempotencyKey_passesAsIsWhenAccepted_elseAsAStableHash() {
        ObjectNode payload = Fixtures.basePayload().put("idempotencyKey", "exec-42.build_app");
        assertEquals("exec-42.build_app", startBuild(payload).idempotencyToken());

        payload.put("idempotencyKey", "arn:aws:states:us-east-1:123456789012:execution:machine/with spaces and a long tail");
        String hashed = startBuild(payload).idempotencyToken();
        assertEquals(64, hashed.length());
        assertEquals(hashed, startBuild(payload).idempotencyToken());
    }

    @Test
    void startBuild_codebase_setsSourceOverridesAndVersion_commitBeforeBranchBeforeTag() {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("codebase").put("repoUrl", "https://gitlab.com/acme/app.git").put("branch", "main").put("tag", "v1");
        StartBuildRequest request = startBuild(payload);
        assertEquals("GITLAB", request.sourceTypeOverrideAsString());
        assertEquals("https://gitlab.com/acme/app.git", request.sourceLocationOverride());
        assertEquals("main", request.sourceVersion());

        ((ObjectNode) payload.get("codebase")).put("commitSha", "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        assertEquals("9f1c2d3e4b5a69788776655443322110ffeeddcc", startBuild(payload).sourceVersion());
    }

    @Test
    void startBuild_unknownGitHost_isAnErrorNamingRepoUrl() {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("codebase").put("repoUrl", "https://git.acme.io/app.git").put("branch", "main");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> startBuild(payload));
        // the key to set, in the form Lambda's environment can hold, and the executor for a host CodeBuild cannot clone
        assertEquals("codebase.repoUrl: CodeBuild does not know the Git host git.acme.io; configure its source type in"
                + " buildpush.codebuild.git-hosts (BUILDPUSH_CODEBUILD_GIT_HOSTS), e.g. git.acme.io=GITLAB_SELF_MANAGED,"
                + " if CodeBuild has one for it; else build it on the ECS executor (\"executor\": {\"type\": \"ECS\"}),"
                + " which clones any http(s) URL", e.getMessage());
    }

    @Test
    void startBuild_configuredGitHost_usesItsSourceType() {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("codebase").put("repoUrl", "https://git.acme.io/app.git").put("branch", "main");
        PlanConfig config = Fixtures.planConfig(new CodeBuildSettings("ecr-build-push", null, "us-east-1",
                Map.of("git.acme.io", "GITLAB_SELF_MANAGED")), EcsSettings.defaults());
        Plan plan = Planner.plan(Fixtures.parse(payload), config);
        assertEquals("GITLAB_SELF_MANAGED", ((CodeBuildLaunch) plan.launch()).request().sourceTypeOverrideAsString());
    }

    @Test
    void pluginImages_registryPrefix_appliesToPluginAndBuildkitImages_andPullsWithTheServiceRole() {
        ObjectNode payload = Fixtures.basePayload().put("infra", "VM");
        ((ObjectNode) payload.at("/step/spec")).put("caching", true).put("remoteCacheImage", "app-cache");
        String prefix = "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub";
        PlanConfig config = Fixtures.planConfig().withImages(new PlanConfig.PluginImages("plugins/kaniko-ecr:1.13.3",
                "plugins/ecr:21.1.1", "plugins/buildx-ecr:1.4.2", prefix));
        Plan plan = Planner.plan(Fixtures.parse(payload), config);
        StartBuildRequest request = ((CodeBuildLaunch) plan.launch()).request();
        assertEquals(prefix + "/plugins/buildx-ecr:1.4.2", request.imageOverride());
        assertEquals("SERVICE_ROLE", request.imagePullCredentialsTypeOverrideAsString());
        assertEquals("image=" + prefix + "/harness/buildkit:1.0.1", plan.env().plain().get("PLUGIN_BUILDER_DRIVER_OPTS"));
    }

    @Test
    void registry_chinaRegion_usesTheChinaPartitionSuffix() {
        assertEquals("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", Planner.registry("123456789012", "cn-north-1"));
        assertEquals("123456789012.dkr.ecr.eu-west-1.amazonaws.com", Planner.registry("123456789012", "eu-west-1"));
    }

    @Test
    void plan_isPure_sameInputGivesAnEqualPlan() {
        ObjectNode payload = Fixtures.basePayload().put("idempotencyKey", "k");
        assertEquals(Fixtures.plan(payload).launch(), Fixtures.plan(payload).launch());
        assertEquals(Fixtures.plan(payload).env(), Fixtures.plan(payload).env());
    }
}
