package dev.ecrpush.executor.ecs;

import static dev.ecrpush.support.AwsFake.ECS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.result.SdkJson;
import dev.ecrpush.step.Platform;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/**
 * A step's builds per platform on Fargate: each task definition names its architecture ({@code runtimePlatform}), is
 * a family of its own, and a definition of one architecture is never run for the other; a step without platforms
 * registers the definition it always did.
 */
class EcsPlatformsTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String EXECUTION_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-execution";
    private static final EcsSettings ECS_CONFIG = Fixtures.ecsSettings("ecr-build-push", "alpine/git:2.45.2", EXECUTION_ROLE,
            "arn:aws:iam::111111111111:role/ecr-build-push-task", "/ecr-build-push/ecs", "eu-west-1", null, "x-access-token",
            Duration.ofHours(1));
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.fail(ECS + "DescribeTaskDefinition", 400, "ClientException", "Unable to describe task definition.");
        AWS.reply(ECS + "RunTask",
                "{\"tasks\": [{\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"PROVISIONING\"}], \"failures\": []}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    /** A kaniko build on ECS with these platforms, the kaniko image being one the deployer built for both. */
    static Plan plan(String... platforms) {
        return Planner.plan(Fixtures.parse(payload(List.of(platforms))), config());
    }

    static ObjectNode payload(List<String> platforms) {
        ObjectNode payload = Fixtures.basePayload().put("mode", "run").put("idempotencyKey", "exec-42.build_app");
        ((ObjectNode) payload.at("/step/spec")).put("region", "eu-west-1");
        payload.putObject("executor").put("type", "ECS").put("cluster", "ci-builds")
                .set("subnets", Fixtures.JSON.createArrayNode().add("subnet-0a1b2c3d"));
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        var list = ((ObjectNode) payload.at("/step/spec")).putArray("platforms");
        for (String platform : platforms) {
            list.add(platform);
        }
        return payload;
    }

    /** The kaniko-ecr image a deployer built for both platforms (the stack's own is linux/amd64 only). */
    static PlanConfig config() {
        return Fixtures.planConfig(CodeBuildSettings.defaults(), ECS_CONFIG).withImages(new PlanConfig.PluginImages(
                BuildImage.KANIKO_ECR.defaultReference(), BuildImage.ECR.defaultReference(), BuildImage.BUILDX_ECR.defaultReference(),
                null, List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64)));
    }

    static EcsLaunch launch(Plan plan) {
        return (EcsLaunch) plan.launch();
    }

    static EcsLaunch launch(Plan plan, int build) {
        return (EcsLaunch) plan.platformBuilds().get(build).launch();
    }

    private EcsLauncher launcher() {
        var ecs = AWS.ecs(Region.EU_WEST_1);
        return new EcsLauncher(ecs, AWS.ssm(Region.EU_WEST_1), new TaskDefinitions(ecs, new TaskDefinitions.Known()));
    }

    @Test
    void twoPlatforms_registerOneDefinitionPerArchitecture_andRunEachWithItsOwnToken() {
        // given
        Plan plan = plan("linux/amd64", "linux/arm64");
        for (int i = 0; i < 2; i++) {
            AWS.reply(ECS + "RegisterTaskDefinition", "{\"taskDefinition\": {\"taskDefinitionArn\": \"arn:aws:ecs:eu-west-1:"
                    + "111111111111:task-definition/" + launch(plan, i).taskDefinition().family() + ":1\", \"status\": \"ACTIVE\"}}");
            // when
            launcher().launch(plan.forPlatform(plan.platformBuilds().get(i)));
        }
        // then: as ECS receives them
        List<JsonNode> registered = AWS.bodies(ECS + "RegisterTaskDefinition");
        assertEquals(Fixtures.JSON.createObjectNode().put("cpuArchitecture", "X86_64").put("operatingSystemFamily", "LINUX"),
                registered.get(0).get("runtimePlatform"));
        assertEquals(Fixtures.JSON.createObjectNode().put("cpuArchitecture", "ARM64").put("operatingSystemFamily", "LINUX"),
                registered.get(1).get("runtimePlatform"));
        assertNotEquals(registered.get(0).get("family"), registered.get(1).get("family"));
        List<JsonNode> runs = AWS.bodies(ECS + "RunTask");
        assertNotEquals(runs.get(0).get("clientToken"), runs.get(1).get("clientToken"));
        assertEquals(SdkJson.toJson(launch(plan, 1).taskDefinition()), registered.get(1));
    }

    @Test
    void noPlatforms_registerTheDefinitionWithoutARuntimePlatform() {
        EcsLaunch launch = launch(plan());
        assertNull(launch.taskDefinition().runtimePlatform());
        assertFalse(SdkJson.toJson(launch.taskDefinition()).has("runtimePlatform"));
        // and it is another family than an explicit linux/amd64 build's, whose definition says X86_64
        assertNotEquals(launch.taskDefinition().family(), launch(plan("linux/amd64")).taskDefinition().family());
        assertEquals("X86_64", launch(plan("linux/amd64")).taskDefinition().runtimePlatform().cpuArchitectureAsString());
    }

    /**
     * A revision under the wanted family, tagged with the wanted hash, but of the other architecture (someone with
     * {@code ecs:TagResource} made it look like the wanted one): never run; a new revision is registered.
     */
    @ParameterizedTest
    @CsvSource({"0, 1", "1, 0"})
    void aDefinitionOfTheOtherArchitecture_isNeverReused(int wanted, int other) {
        // given
        Plan plan = plan("linux/amd64", "linux/arm64");
        EcsLaunch want = launch(plan, wanted);
        JsonNode otherPlatform = SdkJson.toJson(launch(plan, other).taskDefinition()).get("runtimePlatform");
        String hash = want.taskDefinition().tags().get(0).value();
        AWS.reply(ECS + "DescribeTaskDefinition", described(plan, wanted, hash, definition -> definition.set("runtimePlatform",
                otherPlatform)));
        AWS.reply(ECS + "RegisterTaskDefinition", "{\"taskDefinition\": {\"taskDefinitionArn\": \"arn:aws:ecs:eu-west-1:"
                + "111111111111:task-definition/" + want.taskDefinition().family() + ":8\", \"status\": \"ACTIVE\"}}");
        // when
        launcher().launch(plan.forPlatform(plan.platformBuilds().get(wanted)));
        // then
        assertEquals(List.of("DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask"), AWS.operations());
        assertEquals(want.taskDefinition().runtimePlatform().cpuArchitectureAsString(),
                AWS.bodies(ECS + "RegisterTaskDefinition").get(0).at("/runtimePlatform/cpuArchitecture").asText());
    }

    @Test
    void sourceImage_thePublishedAlpineGit_needsNoWarning_anotherImageIsTheDeployers() {
        Plan published = plan("linux/amd64", "linux/arm64");
        assertFalse(published.warnings().stream().anyMatch(w -> w.path().equals("executor")), published.warnings().toString());
        EcsSettings own = Fixtures.ecsSettings("ecr-build-push", "registry.example.com/tools/git:2", EXECUTION_ROLE,
                "arn:aws:iam::111111111111:role/ecr-build-push-task", "/ecr-build-push/ecs", "eu-west-1", null, "x-access-token",
                Duration.ofHours(1));
        Plan theirs = Planner.plan(Fixtures.parse(payload(List.of("linux/amd64", "linux/arm64"))),
                Fixtures.planConfig(CodeBuildSettings.defaults(), own).withImages(config().images()));
        assertEquals(1, theirs.warnings().stream().filter(w -> w.path().equals("executor")
                && w.message().startsWith("linux/arm64: the ECS source image registry.example.com/tools/git:2")).count(),
                theirs.warnings().toString());
    }

    @Test
    void aDefinitionOfTheSameArchitecture_isReused() {
        Plan plan = plan("linux/amd64", "linux/arm64");
        String hash = launch(plan, 1).taskDefinition().tags().get(0).value();
        AWS.reply(ECS + "DescribeTaskDefinition", described(plan, 1, hash, definition -> { }));
        launcher().launch(plan.forPlatform(plan.platformBuilds().get(1)));
        assertEquals(List.of("DescribeTaskDefinition", "RunTask"), AWS.operations());
    }

    /**
     * DescribeTaskDefinition's answer: an active revision tagged with {@code hash}, of the plan's content as ECS
     * describes it (with the members it adds and the values it fills in), changed by {@code change}.
     */
    private static String described(Plan plan, int build, String hash, Consumer<ObjectNode> change) {
        ObjectNode definition = SdkJson.toJson(launch(plan, build).taskDefinition());
        definition.remove("tags");
        String family = definition.get("family").asText();
        definition.put("taskDefinitionArn", "arn:aws:ecs:eu-west-1:111111111111:task-definition/" + family + ":7")
                .put("revision", 7).put("status", "ACTIVE").put("enableFaultInjection", false)
                .put("registeredAt", 1.7e9).put("registeredBy", "arn:aws:sts::111111111111:assumed-role/x/y");
        definition.putArray("compatibilities").add("EC2").add("FARGATE");
        definition.putArray("requiresAttributes").addObject().put("name", "com.amazonaws.ecs.capability.logging-driver.awslogs");
        definition.putArray("placementConstraints");
        definition.get("volumes").forEach(volume -> ((ObjectNode) volume).putObject("host"));
        definition.get("containerDefinitions").forEach(container -> {
            ObjectNode c = (ObjectNode) container;
            c.put("cpu", 0).putArray("portMappings");
            c.get("mountPoints").forEach(mount -> ((ObjectNode) mount).put("readOnly", false));
            c.putArray("volumesFrom");
            c.putArray("systemControls");
            if (!c.has("environment")) {
                c.putArray("environment");
            }
        });
        change.accept(definition);
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        answer.set("taskDefinition", definition);
        answer.putArray("tags").addObject().put("key", "ecr-build-push:content-sha256").put("value", hash);
        return answer.toString();
    }

}
