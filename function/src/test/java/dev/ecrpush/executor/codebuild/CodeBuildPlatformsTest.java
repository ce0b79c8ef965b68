package dev.ecrpush.executor.codebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;

import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.executor.ecs.EcsSettings;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/**
 * A step's builds per platform on CodeBuild, through the planner: each platform's environment type, a compute type
 * that exists for it, a fleet of the build account, and its own idempotency token.
 */
class CodeBuildPlatformsTest {
    static final String ACCOUNT = "210987654321";
    static final String AMD_FLEET = "arn:aws:codebuild:us-east-1:" + ACCOUNT + ":fleet/amd:0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    static final String ARM_FLEET = "arn:aws:codebuild:us-east-1:" + ACCOUNT + ":fleet/arm:1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
    /** The stack's settings: one project per privilege, in us-east-1, of the build account {@link #ACCOUNT}. */
    static final CodeBuildSettings SETTINGS = new CodeBuildSettings("ecr-build-push", "ecr-build-push-docker", "us-east-1",
            new dev.ecrpush.githost.GitHostRegistry().sourceTypesByHost(), ACCOUNT, Set.of());

    static Plan plan(ObjectNode payload, CodeBuildSettings settings) {
        EcsSettings ecs = EcsSettings.defaults();
        return Planner.plan(StepParser.parse(payload, Fixtures.parseSettings(settings, ecs)), Fixtures.planConfig(settings, ecs));
    }

    /** The docker plugin (infra VM: plugins/ecr, published for linux/amd64 and linux/arm64) with these platforms. */
    static ObjectNode payload(String... platforms) {
        ObjectNode payload = Fixtures.basePayload().put("infra", "VM").put("idempotencyKey", "exec-7/build_app");
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        var list = ((ObjectNode) payload.at("/step/spec")).putArray("platforms");
        for (String platform : platforms) {
            list.add(platform);
        }
        return payload;
    }

    static ObjectNode executor(ObjectNode payload) {
        return payload.putObject("executor").put("type", "CodeBuild");
    }

    static List<StartBuildRequest> requests(Plan plan) {
        return plan.platformBuilds().stream().map(build -> ((CodeBuildLaunch) build.launch()).request()).toList();
    }

    @Test
    void twoPlatforms_eachBuildRunsNativelyWithItsOwnToken_andTheSameMultiPlatformImage() {
        // when
        List<StartBuildRequest> requests = requests(plan(payload("linux/amd64", "linux/arm64"), SETTINGS));
        // then
        StartBuildRequest amd = requests.get(0);
        StartBuildRequest arm = requests.get(1);
        assertEquals("LINUX_CONTAINER", amd.environmentTypeOverrideAsString());
        assertEquals("ARM_CONTAINER", arm.environmentTypeOverrideAsString());
        assertEquals("plugins/ecr:21.1.1", amd.imageOverride());
        assertEquals("plugins/ecr:21.1.1", arm.imageOverride());
        assertEquals("ecr-build-push-docker", arm.projectName());
        assertNotEquals(amd.idempotencyToken(), arm.idempotencyToken());
        assertNull(amd.computeTypeOverride());
        assertNull(arm.fleetOverride());
    }

    @Test
    void noPlatforms_keepsTheProjectsEnvironment() {
        StartBuildRequest request = ((CodeBuildLaunch) plan(payload(), SETTINGS).launch()).request();
        assertNull(request.environmentTypeOverride());
        assertNull(request.computeTypeOverride());
        assertNull(request.fleetOverride());
    }

    @Test
    void onePlatform_arm64_isOneBuildOnArm() {
        Plan plan = plan(payload("linux/arm64"), SETTINGS);
        assertTrue(plan.platformBuilds().isEmpty());
        assertEquals("ARM_CONTAINER", ((CodeBuildLaunch) plan.launch()).request().environmentTypeOverrideAsString());
    }

    @ParameterizedTest
    @CsvSource({
        "6Gi, 2, BUILD_GENERAL1_MEDIUM, BUILD_GENERAL1_MEDIUM",
        "3Gi, 2, BUILD_GENERAL1_SMALL, BUILD_GENERAL1_SMALL",
        "3500Mi, 2, BUILD_GENERAL1_MEDIUM, BUILD_GENERAL1_SMALL",
        "64Gi, 32, BUILD_GENERAL1_XLARGE, BUILD_GENERAL1_XLARGE",
        "70Gi, 36, BUILD_GENERAL1_XLARGE, BUILD_GENERAL1_2XLARGE",
    })
    void resources_pickTheSmallestTypeOfEachEnvironmentType(String memory, String cpu, String amd64, String arm64) {
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        ((ObjectNode) payload.at("/step/spec")).putObject("resources").putObject("limits").put("memory", memory).put("cpu", cpu);
        List<StartBuildRequest> requests = requests(plan(payload, SETTINGS));
        assertEquals(amd64, requests.get(0).computeTypeOverrideAsString());
        assertEquals(arm64, requests.get(1).computeTypeOverrideAsString());
    }

    @Test
    void resources_aboveArmsLargest_areCappedWithOneWarning() {
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        ((ObjectNode) payload.at("/step/spec")).putObject("resources").putObject("limits").put("memory", "128Gi");
        Plan plan = plan(payload, SETTINGS);
        assertEquals("BUILD_GENERAL1_2XLARGE", requests(plan).get(0).computeTypeOverrideAsString());
        assertEquals("BUILD_GENERAL1_2XLARGE", requests(plan).get(1).computeTypeOverrideAsString());
        assertEquals(1, plan.warnings().stream().filter(w -> w.path().equals("step.spec.resources.limits")).count(),
                plan.warnings().toString());
    }

    @Test
    void resources_inChina_armHasOnlySmallAndLarge() {
        CodeBuildSettings china = new CodeBuildSettings("ecr-build-push", null, "cn-north-1", SETTINGS.sourceTypesByHost());
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        ((ObjectNode) payload.at("/step/spec")).put("region", "cn-north-1").putObject("resources").putObject("limits")
                .put("memory", "6Gi");
        List<StartBuildRequest> requests = requests(plan(payload, china));
        assertEquals("BUILD_GENERAL1_MEDIUM", requests.get(0).computeTypeOverrideAsString());
        assertEquals("BUILD_GENERAL1_LARGE", requests.get(1).computeTypeOverrideAsString());
    }

    @Test
    void computeType_winsOverResources_onEveryPlatform() {
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        ((ObjectNode) payload.at("/step/spec")).putObject("resources").putObject("limits").put("memory", "100Gi");
        executor(payload).put("computeType", "BUILD_GENERAL1_LARGE");
        List<StartBuildRequest> requests = requests(plan(payload, SETTINGS));
        assertEquals("BUILD_GENERAL1_LARGE", requests.get(0).computeTypeOverrideAsString());
        assertEquals("BUILD_GENERAL1_LARGE", requests.get(1).computeTypeOverrideAsString());
    }

    @Test
    void fleetPerPlatform_isEachBuildsFleet_andNoComputeTypeIsSentForIt() {
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        ((ObjectNode) payload.at("/step/spec")).putObject("resources").putObject("limits").put("memory", "6Gi");
        executor(payload).putObject("fleet").put("linux/arm64", ARM_FLEET);
        Plan plan = plan(payload, SETTINGS);
        List<StartBuildRequest> requests = requests(plan);
        assertNull(requests.get(0).fleetOverride());
        assertEquals("BUILD_GENERAL1_MEDIUM", requests.get(0).computeTypeOverrideAsString());
        assertEquals(ARM_FLEET, requests.get(1).fleetOverride().fleetArn());
        assertEquals("ARM_CONTAINER", requests.get(1).environmentTypeOverrideAsString());
        assertNull(requests.get(1).computeTypeOverride());
        assertTrue(plan.warnings().stream().anyMatch(w -> w.path().equals("step.spec.resources")), plan.warnings().toString());
    }

    @Test
    void fleetString_withoutPlatforms_isTheBuildsFleet() {
        ObjectNode payload = payload();
        executor(payload).put("fleet", AMD_FLEET);
        StartBuildRequest request = ((CodeBuildLaunch) plan(payload, SETTINGS).launch()).request();
        assertEquals(AMD_FLEET, request.fleetOverride().fleetArn());
        assertNull(request.environmentTypeOverride());
    }

    @Test
    void fleetAllowList_admitsTheListedFleetOnly() {
        CodeBuildSettings listed = new CodeBuildSettings("ecr-build-push", "ecr-build-push-docker", "us-east-1",
                SETTINGS.sourceTypesByHost(), ACCOUNT, Set.of(ARM_FLEET));
        ObjectNode allowed = payload("linux/arm64");
        executor(allowed).put("fleet", ARM_FLEET);
        assertEquals(ARM_FLEET, ((CodeBuildLaunch) plan(allowed, listed).launch()).request().fleetOverride().fleetArn());
        ObjectNode other = payload("linux/amd64");
        executor(other).put("fleet", AMD_FLEET);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> plan(other, listed));
        assertEquals(List.of("executor.fleet"), paths(e));
        assertTrue(e.getMessage().contains("buildpush.codebuild.fleets"), e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // another account's fleet: the build would run (and be billed) on capacity the deployer does not own
        "arn:aws:codebuild:us-east-1:999999999999:fleet/arm:1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 | account 999999999999",
        "arn:aws:codebuild:eu-west-1:210987654321:fleet/arm:1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 | region eu-west-1",
        "arn:aws:codebuild:us-east-1:210987654321:project/arm | not a CodeBuild fleet ARN",
        "arn:aws:ecs:us-east-1:210987654321:fleet/arm:1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0 | not a CodeBuild fleet ARN",
        "my-fleet | not a CodeBuild fleet ARN",
    })
    void fleet_notOfTheBuildAccountAndRegion_isRefusedNamingTheField(String fleet, String reason) {
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        executor(payload).putObject("fleet").put("linux/arm64", fleet);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> plan(payload, SETTINGS));
        assertEquals(List.of("executor.fleet.linux/arm64"), paths(e));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        assertTrue(!e.getMessage().contains(ACCOUNT) || fleet.contains(ACCOUNT), "the build account is not told: " + e.getMessage());
    }

    @Test
    void fleet_whenTheDeploymentNamesNoAccount_isRefused() {
        ObjectNode payload = payload("linux/arm64");
        executor(payload).put("fleet", ARM_FLEET);
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> plan(payload, CodeBuildSettings.defaults()));
        assertEquals(List.of("executor.fleet"), paths(e));
        assertTrue(e.getMessage().contains("buildpush.codebuild.account"), e.getMessage());
    }

    @Test
    void fleetString_withTwoPlatforms_andAFleetOfAnotherPlatform_areRefused() {
        ObjectNode one = payload("linux/amd64", "linux/arm64");
        executor(one).put("fleet", AMD_FLEET);
        assertEquals(List.of("executor.fleet"), paths(assertThrows(InvalidStepException.class, () -> plan(one, SETTINGS))));
        ObjectNode other = payload("linux/amd64");
        executor(other).putObject("fleet").put("linux/arm64", ARM_FLEET);
        assertEquals(List.of("executor.fleet.linux/arm64"), paths(assertThrows(InvalidStepException.class, () -> plan(other, SETTINGS))));
        ObjectNode unknown = payload("linux/amd64");
        executor(unknown).putObject("fleet").put("windows/amd64", AMD_FLEET);
        assertEquals(List.of("executor.fleet.windows/amd64"),
                paths(assertThrows(InvalidStepException.class, () -> plan(unknown, SETTINGS))));
    }

    @Test
    void computeType_unknown_orOnlyForFleetBuilds_isRefused() {
        ObjectNode lambda = payload("linux/arm64");
        executor(lambda).put("computeType", "BUILD_LAMBDA_4GB");
        assertEquals(List.of("executor.computeType"), paths(assertThrows(InvalidStepException.class, () -> plan(lambda, SETTINGS))));
        ObjectNode fleetOnly = payload("linux/arm64");
        executor(fleetOnly).put("computeType", "BUILD_GENERAL1_SMALL").put("fleet", ARM_FLEET);
        assertEquals(List.of("executor.computeType"),
                paths(assertThrows(InvalidStepException.class, () -> plan(fleetOnly, SETTINGS))));
    }

    @Test
    void computeType_thatArmLacksInChina_isRefusedNamingThePlatform() {
        CodeBuildSettings china = new CodeBuildSettings("ecr-build-push", null, "cn-north-1", SETTINGS.sourceTypesByHost());
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        ((ObjectNode) payload.at("/step/spec")).put("region", "cn-north-1");
        executor(payload).put("computeType", "BUILD_GENERAL1_MEDIUM");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> plan(payload, china));
        assertEquals(List.of("executor.computeType"), paths(e));
        assertTrue(e.getMessage().contains("ARM_CONTAINER (linux/arm64)"), e.getMessage());
    }

    @Test
    void settings_refuseAnAllowListedFleetOfAnotherAccount_atStartUp() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new CodeBuildSettings("p", null, "us-east-1",
                Map.of(), ACCOUNT, Set.of(ARM_FLEET.replace(ACCOUNT, "999999999999"))));
        assertTrue(e.getMessage().startsWith("buildpush.codebuild.fleets: "), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new CodeBuildSettings("p", null, "us-east-1", Map.of(), "12345", Set.of()));
        assertEquals("123456789012", new CodeBuildSettings("arn:aws:codebuild:us-east-1:123456789012:project/p", null,
                "us-east-1", Map.of()).account());
    }

    /** The arm64 build of a two-platform step, started with the real SDK client: the body CodeBuild receives. */
    @Test
    void launch_armBuildOnItsFleet_isTheStartBuildCodeBuildReceives() {
        // given
        ObjectNode payload = payload("linux/amd64", "linux/arm64");
        executor(payload).put("computeType", "BUILD_GENERAL1_LARGE").putObject("fleet").put("linux/arm64", ARM_FLEET);
        Plan plan = plan(payload, SETTINGS);
        try (AwsFake aws = new AwsFake()) {
            aws.reply(AwsFake.CODEBUILD + "StartBuild", "{\"build\": {\"id\": \"ecr-build-push-docker:0b6c4c1e-7d2f-4a8e-9b1a-"
                    + "2f3c4d5e6f70\", \"arn\": \"arn:aws:codebuild:us-east-1:" + ACCOUNT + ":build/ecr-build-push-docker:"
                    + "0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70\", \"buildStatus\": \"IN_PROGRESS\"}}");
            // when
            for (Plan.PlatformBuild build : plan.platformBuilds()) {
                new CodeBuildLauncher(aws.codeBuild(Region.US_EAST_1), aws.ssm(Region.US_EAST_1)).launch(plan.forPlatform(build));
            }
            // then
            List<JsonNode> bodies = aws.bodies(AwsFake.CODEBUILD + "StartBuild");
            JsonNode amd = bodies.get(0);
            JsonNode arm = bodies.get(1);
            assertEquals("LINUX_CONTAINER", amd.get("environmentTypeOverride").asText());
            assertEquals("BUILD_GENERAL1_LARGE", amd.get("computeTypeOverride").asText());
            assertFalse(amd.has("fleetOverride"));
            assertEquals("ARM_CONTAINER", arm.get("environmentTypeOverride").asText());
            assertEquals(Fixtures.JSON.createObjectNode().put("fleetArn", ARM_FLEET), arm.get("fleetOverride"));
            assertFalse(arm.has("computeTypeOverride"));
            assertEquals("plugins/ecr:21.1.1", arm.get("imageOverride").asText());
            assertEquals(((CodeBuildLaunch) plan.platformBuilds().get(1).launch()).request().idempotencyToken(),
                    arm.get("idempotencyToken").asText());
            assertNotEquals(amd.get("idempotencyToken"), arm.get("idempotencyToken"));
            assertEquals(dev.ecrpush.result.SdkJson.toJson(((CodeBuildLaunch) plan.platformBuilds().get(1).launch()).request()), arm);
        }
    }

    static List<String> paths(InvalidStepException e) {
        return e.problems().stream().map(problem -> problem.substring(0, problem.indexOf(": "))).sorted().toList();
    }
}
