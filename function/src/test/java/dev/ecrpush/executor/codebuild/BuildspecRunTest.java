package dev.ecrpush.executor.codebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;

import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.rootfs.CodeBuildEmulation;
import dev.ecrpush.support.rootfs.ImageLayout;
import dev.ecrpush.support.rootfs.ImageRootfs;
import dev.ecrpush.support.rootfs.StubCall;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginEnvMapper;

/**
 * Issue 10: the exact buildspec of {@code plan.startBuild}, for every plugin and infra, run as CodeBuild runs it
 * ({@link CodeBuildEmulation}: each command through the image's shell) in a root filesystem laid out from the
 * image's facts ({@link ImageLayout}: its shell or none, busybox applets where the image has them, stub plugins
 * that record what they were given and write what the real plugin writes).
 */
class BuildspecRunTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String DIGEST = "sha256:" + "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    @TempDir
    Path root;

    static Stream<Arguments> pluginsAndInfras() {
        UnaryOperator<ObjectNode> caching = p -> {
            ((ObjectNode) p.at("/step/spec")).put("caching", true).put("remoteCacheImage", "app-cache");
            return p;
        };
        return Stream.of(
                Arguments.of("K8", UnaryOperator.<ObjectNode>identity(), Plugin.KANIKO_ECR),
                Arguments.of("VM", UnaryOperator.<ObjectNode>identity(), Plugin.ECR),
                Arguments.of("VM", caching, Plugin.BUILDX_ECR),
                Arguments.of("DLITE_VM", UnaryOperator.<ObjectNode>identity(), Plugin.ECR),
                Arguments.of("DLITE_VM", caching, Plugin.BUILDX_ECR));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("pluginsAndInfras")
    void buildspec_pluginSucceeds_runsItWithThePlansEnvironment_andExportsTheDigestItWrote(String infra,
            UnaryOperator<ObjectNode> change, Plugin expected) {
        // given
        StartBuildRequest request = startBuild(change.apply(Fixtures.basePayload().put("infra", infra)));
        Plan plan = plan(change.apply(Fixtures.basePayload().put("infra", infra)));
        assertEquals(expected, plan.plugin());
        ImageRootfs image = layout(expected).stubWrites(expected.binary(), pushedDigest(expected));
        // when
        CodeBuildEmulation.Result result = codeBuild(expected, image).runBuildPhase(request.buildspecOverride(),
                environment(request), COMMAND_TIMEOUT);
        // then
        assertTrue(result.succeeded(), () -> "the build failed: " + result);
        List<StubCall> calls = image.stubCalls(expected.binary());
        assertEquals(1, calls.size(), "the plugin ran once");
        assertEquals(List.of(expected.binary()), calls.get(0).argv());
        assertEquals(CodeBuildEmulation.SRC_DIR, calls.get(0).cwd());
        environment(request).forEach((name, value) -> assertEquals(value, calls.get(0).env().get(name), name));
        assertEquals(Map.of(Buildspec.DIGEST_VARIABLE, DIGEST), result.exportedVariables());
        if (expected.needsDockerDaemon()) {
            assertEquals(List.of("dockerd", "--host=unix:///var/run/docker.sock"),
                    image.stubCalls("/usr/local/bin/dockerd").get(0).argv());
            assertEquals(List.of("docker", "info"), image.stubCalls("/usr/local/bin/docker").get(0).argv());
        }
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("pluginsAndInfras")
    void buildspec_pluginFails_failsTheBuild_andExportsNoDigest(String infra, UnaryOperator<ObjectNode> change, Plugin expected) {
        // given
        StartBuildRequest request = startBuild(change.apply(Fixtures.basePayload().put("infra", infra)));
        ImageRootfs image = layout(expected).stubExitCode(expected.binary(), 1);
        // when
        CodeBuildEmulation.Result result = codeBuild(expected, image).runBuildPhase(request.buildspecOverride(),
                environment(request), COMMAND_TIMEOUT);
        // then
        assertFalse(result.succeeded());
        assertTrue(result.commands().get(result.commands().size() - 1).command().startsWith(expected.binary()),
                "the plugin's command is the one that failed: " + result);
        assertEquals(1, image.stubCalls(expected.binary()).size());
        assertNull(result.exportedVariables().get(Buildspec.DIGEST_VARIABLE));
    }

    /** What the default was before issue 10: the K8 buildspec in {@code plugins/kaniko-ecr}, which has no shell. */
    @Test
    void k8Buildspec_inTheUpstreamKanikoEcrImage_cannotStart() {
        // given
        StartBuildRequest request = startBuild(Fixtures.basePayload());
        ImageRootfs image = ImageLayout.of(BuildImage.PLUGINS_KANIKO_ECR, root);
        // when
        CodeBuildEmulation.Result result = new CodeBuildEmulation(image, "/bin/sh", BuildImage.PLUGINS_KANIKO_ECR.path())
                .runBuildPhase(request.buildspecOverride(), environment(request), COMMAND_TIMEOUT);
        // then
        assertFalse(result.succeeded());
        assertTrue(result.lastStderr().contains("No such file or directory"), result.lastStderr());
        assertTrue(image.stubCalls("/kaniko/kaniko-ecr").isEmpty(), "the plugin never started");
    }

    @Test
    void k8Buildspec_pluginWroteNoDigest_succeedsWithoutOne() {
        // given: e.g. PLUGIN_NO_PUSH through envVariables: kaniko writes no digest file
        StartBuildRequest request = startBuild(Fixtures.basePayload());
        ImageRootfs image = layout(Plugin.KANIKO_ECR);
        // when
        CodeBuildEmulation.Result result = codeBuild(Plugin.KANIKO_ECR, image).runBuildPhase(request.buildspecOverride(),
                environment(request), COMMAND_TIMEOUT);
        // then
        assertTrue(result.succeeded(), () -> "a build that pushed nothing is no failure: " + result);
        assertEquals("", result.exportedVariables().getOrDefault(Buildspec.DIGEST_VARIABLE, ""));
    }

    @Test
    void dockerBuildspec_daemonDoesNotComeUp_printsItsLog_andFails() throws IOException {
        // given: dockerd's log says why; the wait gives up (timeout, here a stub exiting as timeout does after 60 s)
        StartBuildRequest request = startBuild(Fixtures.basePayload().put("infra", "VM"));
        ImageRootfs image = layout(Plugin.ECR)
                .stub("/usr/bin/timeout").stubExitCode("/usr/bin/timeout", 124)
                .stubOutput("/usr/local/bin/dockerd", "",
                        "failed to start daemon: error initializing graphdriver: operation not permitted\n");
        // when
        CodeBuildEmulation.Result result = codeBuild(Plugin.ECR, image).runBuildPhase(request.buildspecOverride(),
                environment(request), COMMAND_TIMEOUT);
        // then
        assertFalse(result.succeeded());
        assertTrue(result.lastStderr().contains("dockerd did not start in 60 s; its log:"), result.lastStderr());
        assertTrue(result.lastStderr().contains("error initializing graphdriver: operation not permitted"), result.lastStderr());
        assertTrue(image.stubCalls(Plugin.ECR.binary()).isEmpty(), "the plugin never started");
    }

    @Test
    void dockerBuildspec_fileSecretByReference_isWrittenWhereThePluginReadsIt() throws IOException {
        // given
        ObjectNode payload = Fixtures.basePayload().put("infra", "VM");
        ((ObjectNode) payload.at("/step/spec")).putObject("fileDockerSecrets")
                .put("npmrc", "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/npmrc");
        StartBuildRequest request = startBuild(payload);
        ImageRootfs image = layout(Plugin.ECR).stubWrites(Plugin.ECR.binary(), pushedDigest(Plugin.ECR));
        Map<String, String> env = environment(request);
        // when
        CodeBuildEmulation.Result result = codeBuild(Plugin.ECR, image).runBuildPhase(request.buildspecOverride(), env,
                COMMAND_TIMEOUT);
        // then
        assertTrue(result.succeeded(), () -> "the build failed: " + result);
        Path file = image.path("/tmp/docker-secrets/npmrc");
        assertEquals(env.get("DOCKER_SECRET_NPMRC"), Files.readString(file));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        assertEquals("npmrc=/tmp/docker-secrets/npmrc",
                image.stubCalls(Plugin.ECR.binary()).get(0).env().get("PLUGIN_SECRETS_FROM_FILE"));
    }

    private ImageRootfs layout(Plugin plugin) {
        return ImageLayout.of(plugin.image(), root);
    }

    private static CodeBuildEmulation codeBuild(Plugin plugin, ImageRootfs image) {
        return new CodeBuildEmulation(image, plugin.image().requireShell(), plugin.image().path());
    }

    /**
     * What the real plugin leaves behind: kaniko's digest file (no line break, as kaniko writes it), or the
     * docker plugins' artifact file (drone-plugin-lib's docker/v1 document, tab-indented, one entry per tag).
     */
    private static Map<String, String> pushedDigest(Plugin plugin) {
        if (plugin == Plugin.KANIKO_ECR) {
            return Map.of(Plugin.KANIKO_DIGEST_FILE, DIGEST);
        }
        String image = "\t\t\t{\n\t\t\t\t\"image\": \"app:%s\",\n\t\t\t\t\"digest\": \"" + DIGEST + "\"\n\t\t\t}";
        return Map.of(PluginEnvMapper.ARTIFACT_FILE, "{\n\t\"kind\": \"docker/v1\",\n\t\"data\": {\n\t\t\"registryType\": \"ECR\",\n"
                + "\t\t\"registryUrl\": \"123456789012.dkr.ecr.us-east-1.amazonaws.com\",\n\t\t\"images\": [\n"
                + image.formatted("latest") + ",\n" + image.formatted("9f1c2d3") + "\n\t\t]\n\t}\n}");
    }

    private static Plan plan(ObjectNode payload) {
        return Fixtures.plan(payload);
    }

    private static StartBuildRequest startBuild(ObjectNode payload) {
        return ((CodeBuildLaunch) plan(payload).launch()).request();
    }

    /**
     * The build's environment as CodeBuild gives it: plain values as they are, a secret reference resolved to its
     * value (a stand-in value here: CodeBuild reads it with the service role before the build starts).
     */
    private static Map<String, String> environment(StartBuildRequest request) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvironmentVariable variable : request.environmentVariablesOverride()) {
            env.put(variable.name(), variable.type() == EnvironmentVariableType.PLAINTEXT
                    ? variable.value() : "resolved value of " + variable.name() + " with \\ and 'quotes'");
        }
        return env;
    }
}
