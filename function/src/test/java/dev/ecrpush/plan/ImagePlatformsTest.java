package dev.ecrpush.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.config.Settings;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.Platform;
import dev.ecrpush.support.Fixtures;

/** A step's platforms against what the function knows of its plugin image's platforms ({@link BuildImage#platforms()}). */
class ImagePlatformsTest {
    private static final List<Platform> BOTH = List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64);
    private static final String STACK_KANIKO = "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr@sha256:"
            + "5f0d2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e";

    private static ObjectNode payload(String infra, String... platforms) {
        ObjectNode payload = Fixtures.basePayload().put("infra", infra);
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        var list = ((ObjectNode) payload.at("/step/spec")).putArray("platforms");
        for (String platform : platforms) {
            list.add(platform);
        }
        return payload;
    }

    private static Plan plan(ObjectNode payload, PlanConfig.PluginImages images) {
        return Planner.plan(Fixtures.parse(payload), Fixtures.planConfig().withImages(images));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"CodeBuild, /startBuild/environmentTypeOverride, ARM_CONTAINER",
        "ECS, /registerTaskDefinition/runtimePlatform/cpuArchitecture, ARM64"})
    void kaniko_asTheStackBuildsIt_plansAmd64AndArm64_eachNatively(String executor, String field, String arm) {
        // given: the stack's kaniko-ecr image (its index over the amd64 and arm64 builds), no platforms configured
        ObjectNode payload = payload("K8", "linux/amd64", "linux/arm64");
        ObjectNode on = payload.putObject("executor").put("type", executor);
        if (executor.equals("ECS")) {
            on.put("cluster", "ci-builds").put("assignPublicIp", false);
            on.putArray("subnets").add("subnet-0a1b2c3d4e5f60718");
            on.putArray("securityGroups").add("sg-0123456789abcdef0");
        }
        // when
        Plan plan = plan(payload, new PlanConfig.PluginImages(STACK_KANIKO, "plugins/ecr:21.1.1", "plugins/buildx-ecr:1.4.2", null));
        // then: one build per platform, each on its own hardware, the same kaniko-ecr image
        assertEquals(List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
                plan.platformBuilds().stream().map(Plan.PlatformBuild::platform).toList());
        assertTrue(plan.warnings().stream().noneMatch(w -> w.path().startsWith("step.spec.platforms")), plan.warnings().toString());
        JsonNode view = StepResult.view(plan);
        assertEquals(arm, view.at("/platforms/1" + field).asText(), view.toString());
        assertFalse(view.at("/platforms/0" + field).asText().equals(arm), view.toString());
        assertTrue(view.toString().contains(STACK_KANIKO), "the stack's image, for both: " + view);
        assertEquals(2, view.at("/imageIndex/manifests").size());
    }

    @Test
    void kaniko_declaredAmd64OnlyByTheDeployer_isRefusedForArm64_namingThePlatformsEntry() {
        // given: a deployer's own kaniko-ecr image, which they declare for linux/amd64 only
        PlanConfig config = settings(Map.of("BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE", "registry.example.com/team/kaniko-ecr:1",
                "BUILDPUSH_PLUGINS_KANIKO_ECR_PLATFORMS", "linux/amd64")).planConfig();
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> Planner.plan(Fixtures.parse(payload("K8", "linux/amd64", "linux/arm64")), config));
        // then
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("step.spec.platforms[1]: linux/arm64 is not a platform the KANIKO_ECR image"
                + " exists for ([linux/amd64])"), e.getMessage());
        assertTrue(e.getMessage().contains("buildpush.plugins.kaniko-ecr-platforms"), e.getMessage());
        // and a single arm64 platform too
        assertThrows(InvalidStepException.class, () -> Planner.plan(Fixtures.parse(payload("K8", "linux/arm64")), config));
    }

    @Test
    void kaniko_declaredMultiArchByTheDeployer_buildsArm64() {
        PlanConfig.PluginImages images = new PlanConfig.PluginImages(STACK_KANIKO, "plugins/ecr:21.1.1", "plugins/buildx-ecr:1.4.2",
                null, BOTH);
        Plan plan = plan(payload("K8", "linux/amd64", "linux/arm64"), images);
        assertEquals(2, plan.platformBuilds().size());
        assertTrue(plan.warnings().stream().noneMatch(w -> w.path().startsWith("step.spec.platforms")), plan.warnings().toString());
    }

    @ParameterizedTest
    @CsvSource({
        "VM, plugins/ecr:21.1.1",
        "VM, 111111111111.dkr.ecr.us-east-1.amazonaws.com/docker-hub/plugins/ecr@sha256:"
                + "0f0d2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e",
        "VM, docker.io/plugins/ecr:21.1.1",
    })
    void dockerPlugin_publishedImage_throughAnyRegistryOrPin_buildsArm64WithoutWarning(String infra, String ecr) {
        Plan plan = plan(payload(infra, "linux/amd64", "linux/arm64"),
                new PlanConfig.PluginImages(STACK_KANIKO, ecr, "plugins/buildx-ecr:1.4.2", null));
        assertEquals(2, plan.platformBuilds().size());
        assertTrue(plan.warnings().stream().noneMatch(w -> w.path().startsWith("step.spec.platforms")), plan.warnings().toString());
    }

    @Test
    void dockerPlugin_theDeployersOwnImage_isTheDeployersResponsibility_aWarningForArm64() {
        Plan plan = plan(payload("VM", "linux/amd64", "linux/arm64"),
                new PlanConfig.PluginImages(STACK_KANIKO, "registry.example.com/team/docker-ecr:3", "plugins/buildx-ecr:1.4.2", null));
        assertEquals(2, plan.platformBuilds().size());
        assertEquals(List.of("step.spec.platforms[1]"), plan.warnings().stream().map(w -> w.path())
                .filter(path -> path.startsWith("step.spec.platforms")).toList());
    }

    @Test
    void noPlatforms_areNotChecked() {
        Plan plan = plan(payload("K8"), new PlanConfig.PluginImages(STACK_KANIKO, "x/y:1", "x/z:1", null));
        assertFalse(plan.multiPlatform());
    }

    @ParameterizedTest
    @CsvSource({
        "plugins/ecr:21.1.1, true",
        "plugins/ecr, true",
        "mirror.example.com:5000/plugins/ecr@sha256:abc, true",
        "111111111111.dkr.ecr.us-east-1.amazonaws.com/cache/docker-hub/plugins/ecr:21.1.1, true",
        "evil/plugins/ecr-fork:1, false",
        "notplugins/ecr:21.1.1, false",
        "plugins/ecr-other:21.1.1, false",
    })
    void sameRepository_comparesTheRepositoryPathOnly(String image, boolean same) {
        assertEquals(same, PlanConfig.PluginImages.sameRepository(image, "plugins/ecr:21.1.1"));
    }

    @Test
    void kanikoPlatformsKey_isReadAndCheckedAtStartUp() {
        assertEquals(BOTH, settings(Map.of("BUILDPUSH_PLUGINS_KANIKO_ECR_PLATFORMS", "linux/amd64, linux/arm64"))
                .planConfig().images().kanikoEcrPlatforms());
        assertEquals(BOTH, settings(Map.of()).planConfig().images().kanikoEcrPlatforms(), "the stack's image, by default");
        assertEquals(List.of(Platform.LINUX_AMD64), settings(Map.of("BUILDPUSH_PLUGINS_KANIKO_ECR_PLATFORMS", "linux/amd64"))
                .planConfig().images().kanikoEcrPlatforms());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> settings(Map.of("BUILDPUSH_PLUGINS_KANIKO_ECR_PLATFORMS", "linux/s390x")));
        assertTrue(e.getMessage().startsWith("buildpush.plugins.kaniko-ecr-platforms: "), e.getMessage());
    }

    private static Settings settings(Map<String, String> env) {
        var config = Fixtures.config(env);
        var hosts = new dev.ecrpush.githost.GitHostRegistry();
        return new Settings(config, Fixtures.JSON, new dev.ecrpush.executor.Executors(
                new dev.ecrpush.executor.codebuild.CodeBuildExecutor(config, hosts, null),
                new dev.ecrpush.executor.ecs.EcsExecutor(config, null)), hosts);
    }
}
