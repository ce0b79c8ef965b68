package dev.ecrpush.executor.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.result.SdkJson;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.Warning;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.plan.Hashing;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.plan.SecretSource;
import dev.ecrpush.support.Repo;

/** The ECS launch a plan carries: the task definition and the {@code RunTask} request, as ECS would receive them. */
class EcsRequestsTest {
    private static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/aws";

    /** The base payload on ECS, with the manual keys as a secret ARN and a codebase to clone. */
    private static ObjectNode ecsPayload() {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("executor").put("type", "ECS").put("cluster", "ci-builds")
                .put("assignPublicIp", true)
                .set("subnets", Fixtures.JSON.createArrayNode().add("subnet-0a1b2c3d"));
        ((ObjectNode) payload.get("executor")).set("securityGroups", Fixtures.JSON.createArrayNode().add("sg-0a1b2c3d"));
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        return payload;
    }

    private static ObjectNode spec(ObjectNode payload) {
        return (ObjectNode) payload.at("/step/spec");
    }

    private static EcsLaunch launch(JsonNode payload) {
        return (EcsLaunch) Fixtures.plan(payload).launch();
    }

    private static EcsLaunch launch(JsonNode payload, EcsSettings ecs) {
        return (EcsLaunch) Planner.plan(Fixtures.parse(payload), Fixtures.planConfig(CodeBuildSettings.defaults(), ecs)).launch();
    }

    private static ContainerDefinition container(RegisterTaskDefinitionRequest definition, String name) {
        return definition.containerDefinitions().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private static Map<String, String> overrideEnv(RunTaskRequest request, String container) {
        ContainerOverride override = request.overrides().containerOverrides().stream()
                .filter(o -> o.name().equals(container)).findFirst().orElseThrow();
        return override.environment().stream().collect(Collectors.toMap(KeyValuePair::name, KeyValuePair::value));
    }

    private static JsonNode planEcsEvent() throws Exception {
        return Fixtures.JSON.readTree(Files.readAllBytes(Repo.path("events/plan-ecs.json")));
    }

    @Test
    void launch_planEcsEvent_clonesInOneContainerAndBuildsInTheNext_onFargate() throws Exception {
        // when
        RegisterTaskDefinitionRequest definition = launch(planEcsEvent()).taskDefinition();
        // then
        assertEquals(List.of("FARGATE"), definition.requiresCompatibilitiesAsStrings());
        assertEquals("awsvpc", definition.networkModeAsString());
        assertEquals("1024", definition.cpu());
        assertEquals("2048", definition.memory());
        assertTrue(definition.family().matches("ecr-build-push-[0-9a-f]{16}"), definition.family());
        assertEquals(EcsTaskLayout.CONTENT_TAG, definition.tags().get(0).key());
        assertTrue(definition.tags().get(0).value().startsWith(definition.family().substring("ecr-build-push-".length())));
        assertEquals(List.of("workspace"), definition.volumes().stream().map(v -> v.name()).toList());

        ContainerDefinition source = container(definition, "source");
        assertFalse(source.essential(), "the source container exits after the checkout; it must not end the task");
        assertEquals("alpine/git:2.45.2", source.image());
        assertEquals(List.of("/bin/sh", "-c"), source.entryPoint());
        assertEquals(List.of(EcsRequests.FETCH_SCRIPT), source.command(), "the script itself is run for real in EcsSourceScriptTest");

        ContainerDefinition plugin = container(definition, "plugin");
        assertTrue(plugin.essential());
        assertEquals("ecr-build-push/kaniko-ecr:1.13.9-kaniko1.28.5", plugin.image());
        // through the image's shell, so the digest kaniko wrote ends the log (issue 10)
        assertEquals(List.of("/bin/sh", "-c"), plugin.entryPoint());
        assertEquals(List.of(
                "/kaniko/kaniko-ecr && { read -r digest < /kaniko/digest-file; printf 'ecr-build-push: pushed %s\\n' \"$digest\"; }"),
                plugin.command());
        assertEquals("source", plugin.dependsOn().get(0).containerName());
        assertEquals("SUCCESS", plugin.dependsOn().get(0).conditionAsString());
        assertEquals("/workspace/src", plugin.workingDirectory());
        assertNull(plugin.user());
        for (ContainerDefinition container : List.of(source, plugin)) {
            assertEquals("workspace", container.mountPoints().get(0).sourceVolume());
            assertEquals("/workspace", container.mountPoints().get(0).containerPath());
            assertEquals("awslogs", container.logConfiguration().logDriverAsString());
            assertEquals(Map.of("awslogs-group", "/ecr-build-push/ecs", "awslogs-region", "us-east-1",
                    "awslogs-stream-prefix", "build"), container.logConfiguration().options());
        }
    }

    @Test
    void launch_runTask_isFargateOnThePayloadsNetwork_withTheIdempotencyKeyAsClientToken() throws Exception {
        // given
        JsonNode event = planEcsEvent();
        // when
        EcsLaunch launch = launch(event);
        RunTaskRequest request = launch.request();
        // then
        assertEquals("ci-builds", request.cluster());
        assertEquals(launch.taskDefinition().family(), request.taskDefinition());
        assertEquals("FARGATE", request.launchTypeAsString());
        assertEquals(1, request.count());
        assertEquals("ecr-build-push", request.startedBy());
        assertEquals(List.of("subnet-0a1b2c3d4e5f60718"), request.networkConfiguration().awsvpcConfiguration().subnets());
        assertEquals(List.of("sg-0123456789abcdef0"), request.networkConfiguration().awsvpcConfiguration().securityGroups());
        assertEquals("DISABLED", request.networkConfiguration().awsvpcConfiguration().assignPublicIpAsString());
        // "batch-ci/run-58/build_jobs" has a '/', which clientToken does not take as is
        assertEquals(Hashing.sha256("batch-ci/run-58/build_jobs"), request.clientToken());
        assertEquals("ENABLED", launch(ecsPayload()).request().networkConfiguration().awsvpcConfiguration().assignPublicIpAsString());
    }

    @Test
    void launch_overrides_carryTheCommitTheTimeoutAndThePlainPluginEnvironment() throws Exception {
        // given
        JsonNode event = planEcsEvent();
        // when
        Plan plan = Fixtures.plan(event);
        RunTaskRequest request = ((EcsLaunch) plan.launch()).request();
        // then
        assertEquals(Map.of("GIT_REPO_URL", "https://github.com/acme/batch-jobs.git",
                "GIT_COMMIT", "0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e", "GIT_BRANCH", "main",
                "BUILDPUSH_TIMEOUT_SECONDS", "2400"), overrideEnv(request, "source"));
        assertEquals(plan.env().plain(), overrideEnv(request, "plugin"));
        // 4Gi and 2 CPUs is a Fargate size as it is: no rounding, no warning
        assertEquals("2048", request.overrides().cpu());
        assertEquals("4096", request.overrides().memory());
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void launch_secretsAreInTheTaskDefinitionOnly_neverInTheOverrides() {
        // given
        ObjectNode payload = ecsPayload();
        // when
        EcsLaunch launch = launch(payload);
        // then
        List<Secret> secrets = container(launch.taskDefinition(), "plugin").secrets();
        assertEquals(List.of("AWS_SECRET_ACCESS_KEY", "PLUGIN_SECRET_KEY"), secrets.stream().map(Secret::name).toList());
        assertTrue(secrets.stream().allMatch(s -> s.valueFrom().equals(SECRET_ARN)));
        assertEquals(secrets, launch.taskDefinitionSecrets());
        String overrides = SdkJson.toJson(launch.request()).toString();
        assertFalse(overrides.contains("secretsmanager"), overrides);
        assertFalse(overrides.contains("SECRET_KEY"), overrides);
        assertFalse(overrides.contains("secrets"), overrides);
    }

    @Test
    void launch_sameSecretSet_sharesTheFamily_anotherSetOrUserGetsAnother() {
        // given: two builds that differ only in what the overrides carry
        ObjectNode first = ecsPayload();
        ObjectNode second = ecsPayload();
        spec(second).putArray("tags").add("v2");
        spec(second).putObject("buildArgs").put("VERSION", "2");
        ((ObjectNode) second.get("codebase")).put("commitSha", "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        ((ObjectNode) second.get("step")).put("timeout", "2h");
        ObjectNode otherSecret = ecsPayload();
        ((ObjectNode) otherSecret.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", SECRET_ARN + "-other");
        ObjectNode otherUser = ecsPayload();
        spec(otherUser).put("runAsUser", 1000);
        // when
        String family = launch(first).taskDefinition().family();
        // then
        assertEquals(family, launch(second).taskDefinition().family());
        assertEquals(launch(first).taskDefinition(), launch(second).taskDefinition());
        assertNotEquals(family, launch(otherSecret).taskDefinition().family());
        assertNotEquals(family, launch(otherUser).taskDefinition().family());
    }

    @ParameterizedTest
    @CsvSource({
        "2Gi, 1, 1024, 2048, false",
        "4Gi, 2, 2048, 4096, false",
        "500Mi, 400m, 512, 1024, true",
        "3Gi, , 512, 3072, false",
        ", 3, 4096, 8192, true",
        "9Gi, 1, 2048, 9216, true",
        "1G, 0.25, 256, 1024, true",
        "100Gi, 1, 16384, 106496, true",
        "200Gi, 16, 16384, 122880, true"})
    void launch_resources_roundUpToTheSmallestFargateSize_withAWarningWhenRaised(String memory, String cpu, String taskCpu,
            String taskMemory, boolean warned) {
        // given
        ObjectNode payload = ecsPayload();
        ObjectNode limits = spec(payload).putObject("resources").putObject("limits");
        if (memory != null) {
            limits.put("memory", memory);
        }
        if (cpu != null) {
            limits.put("cpu", cpu);
        }
        // when
        Plan plan = Fixtures.plan(payload);
        RunTaskRequest request = ((EcsLaunch) plan.launch()).request();
        // then
        assertEquals(taskCpu, request.overrides().cpu());
        assertEquals(taskMemory, request.overrides().memory());
        assertEquals(warned ? List.of("step.spec.resources.limits") : List.of(), plan.warnings().stream().map(Warning::path).toList());
    }

    @Test
    void launch_noResources_leavesTheDefinitionsSize() {
        RunTaskRequest request = launch(ecsPayload()).request();
        assertNull(request.overrides().cpu());
        assertNull(request.overrides().memory());
    }

    @Test
    void launch_runAsUser_isThePluginContainersUser_withoutAWarning() {
        // given
        ObjectNode payload = ecsPayload();
        spec(payload).put("runAsUser", 1000);
        // when
        Plan plan = Fixtures.plan(payload);
        RegisterTaskDefinitionRequest definition = ((EcsLaunch) plan.launch()).taskDefinition();
        // then
        assertEquals("1000", container(definition, "plugin").user());
        assertNull(container(definition, "source").user());
        assertEquals(List.of(), plan.warnings());
    }

    @Test
    void launch_timeout_isKeptAsGiven_elseTheConfiguredDefault() {
        ObjectNode payload = ecsPayload();
        ((ObjectNode) payload.get("step")).put("timeout", "90s");
        Plan plan = Fixtures.plan(payload);
        // CodeBuild's 5-minute minimum does not apply to a task the function stops itself
        assertEquals("90", overrideEnv(((EcsLaunch) plan.launch()).request(), "source").get("BUILDPUSH_TIMEOUT_SECONDS"));
        assertEquals(List.of(), plan.warnings());

        EcsSettings twoHours = Fixtures.ecsSettings("ecr-build-push", "alpine/git:2.45.2", null, null, "/ecr-build-push/ecs",
                "us-east-1", null, "x-access-token", Duration.ofHours(2));
        assertEquals("7200", overrideEnv(launch(ecsPayload(), twoHours).request(), "source").get("BUILDPUSH_TIMEOUT_SECONDS"));
    }

    @Test
    void launch_configuredRolesTokenAndRegistryPrefix_shapeTheDefinition() {
        // given
        EcsSettings ecs = Fixtures.ecsSettings("team-builds", "alpine/git:2.45.2", "arn:aws:iam::111111111111:role/exec",
                "arn:aws:iam::111111111111:role/build", "/team/builds", "eu-west-1", "/ci/git-token", "oauth2", Duration.ofHours(1));
        PlanConfig config = Fixtures.planConfig(CodeBuildSettings.defaults(), ecs).withImages(new PlanConfig.PluginImages(
                "plugins/kaniko-ecr:1.13.3", "plugins/ecr:21.1.1", "plugins/buildx-ecr:1.4.2",
                "111111111111.dkr.ecr.eu-west-1.amazonaws.com/hub"));
        // when
        RegisterTaskDefinitionRequest definition = ((EcsLaunch) Planner.plan(Fixtures.parse(ecsPayload()), config).launch())
                .taskDefinition();
        // then
        assertTrue(definition.family().startsWith("team-builds-"), definition.family());
        assertEquals("arn:aws:iam::111111111111:role/exec", definition.executionRoleArn());
        assertEquals("arn:aws:iam::111111111111:role/build", definition.taskRoleArn());
        ContainerDefinition source = container(definition, "source");
        assertEquals("111111111111.dkr.ecr.eu-west-1.amazonaws.com/hub/alpine/git:2.45.2", source.image());
        assertEquals(List.of(Secret.builder().name("GIT_TOKEN").valueFrom("/ci/git-token").build()), source.secrets());
        assertEquals("oauth2", source.environment().get(0).value());
        assertTrue(container(definition, "plugin").secrets().stream().noneMatch(s -> s.name().equals("GIT_TOKEN")));
        assertEquals("eu-west-1", source.logConfiguration().options().get("awslogs-region"));
    }

    @Test
    void valueFrom_parameterByName_secretJsonKeyInEcsFullForm() {
        assertEquals("/ci/aws/session", EcsRequests.valueFrom(new SecretSource.Reference(
                new dev.ecrpush.step.SecretRef("ssm:/ci/aws/session", dev.ecrpush.step.SecretRef.Store.PARAMETER_STORE))));
        assertEquals(SECRET_ARN + ":password::", EcsRequests.valueFrom(new SecretSource.Reference(
                new dev.ecrpush.step.SecretRef(SECRET_ARN + ":password", dev.ecrpush.step.SecretRef.Store.SECRETS_MANAGER))));
        assertEquals(SECRET_ARN, EcsRequests.valueFrom(new SecretSource.Reference(
                new dev.ecrpush.step.SecretRef(SECRET_ARN, dev.ecrpush.step.SecretRef.Store.SECRETS_MANAGER))));
    }

    @Test
    void launch_environmentLongerThanRunTaskTakes_isAnInvalidStepNamingTheSpec() {
        // given
        ObjectNode payload = ecsPayload();
        ObjectNode variables = spec(payload).putObject("envVariables");
        for (int i = 0; i < 10; i++) {
            variables.put("BIG_" + i, "x".repeat(900));
        }
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.plan(payload));
        // then
        assertTrue(e.getMessage().startsWith("step.spec: the plugin environment takes about"), e.getMessage());
    }

    @Test
    void parse_repoUrlCarryingAToken_isRejectedWithoutQuotingIt() {
        // given: the URL would travel in plain text in the overrides
        ObjectNode payload = ecsPayload();
        ((ObjectNode) payload.get("codebase")).put("repoUrl", "https://ci-bot:ghp_tokenValue0000@github.com/acme/app.git");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.plan(payload));
        // then
        assertTrue(e.getMessage().startsWith("codebase.repoUrl: must not carry a password or token"), e.getMessage());
        assertFalse(e.getMessage().contains("ghp_tokenValue0000"), e.getMessage());
    }

    @Test
    void planned_showsTheTaskDefinitionAndTheRunTaskRequestAsTheWireSendsThem() throws Exception {
        // when
        JsonNode result = Fixtures.JSON.valueToTree(StepResult.planned(Fixtures.plan(ecsPayload())));
        // then
        JsonNode plan = result.get("plan");
        assertEquals("FARGATE", plan.at("/runTask/launchType").asText());
        assertEquals(plan.at("/registerTaskDefinition/family").asText(), plan.at("/runTask/taskDefinition").asText());
        assertEquals(SECRET_ARN, plan.at("/registerTaskDefinition/containerDefinitions/1/secrets/0/valueFrom").asText());
        assertFalse(plan.has("startBuild"));
        assertEquals("ECS", result.get("executor").asText());
    }
}
