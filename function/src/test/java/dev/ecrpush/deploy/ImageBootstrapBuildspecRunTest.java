package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.rootfs.CodeBuildEmulation;
import dev.ecrpush.support.rootfs.ImageLayout;
import dev.ecrpush.support.rootfs.ImageRootfs;
import dev.ecrpush.support.rootfs.StubCall;

/**
 * The image bootstrap's buildspec ({@code infra/buildspec-images.yml}) run as CodeBuild runs it, in a root laid
 * out like its image ({@link BuildImage#IMAGE_BUILDER}: bash, grep, and docker and the AWS CLI as stubs): what it
 * builds and pushes, and the four pinned references it exports, which the stack hands to the function.
 */
class ImageBootstrapBuildspecRunTest {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final String REPOSITORY = "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr";
    private static final String DIGEST = "sha256:" + "0a1b2c3d".repeat(8);
    private static final String DOCKER = "/usr/local/bin/docker";
    /** The recording stub behind {@link #DOCKER} (the same basename, so the same calls and answers). */
    private static final String DOCKER_STUB = "/opt/stub/docker";
    /** What {@code docker image inspect} answers as the built image's {@code .Os/.Architecture}. */
    private static final String BUILT_PLATFORM = "/opt/stub/built-platform";

    @TempDir
    Path root;

    /** The project's environment, as template.yaml sets it (ImageBootstrapTemplateTest holds the two equal). */
    private static Map<String, String> project(String registryPrefix) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REPOSITORY_URI", REPOSITORY);
        env.put("KANIKO_ECR_TAG", "1.13.9-kaniko1.28.5");
        env.put("IMAGE_PLATFORM", "linux/amd64");
        env.put("KANIKO_ECR_FROM", "plugins/kaniko-ecr:1.13.9");
        env.put("ECR_FROM", "plugins/ecr:21.1.1");
        env.put("BUILDX_ECR_FROM", "plugins/buildx-ecr:1.4.2");
        env.put("SOURCE_FROM", "alpine/git:2.45.2");
        env.put("REGISTRY_PREFIX", registryPrefix);
        env.put("AWS_REGION", "us-east-1");
        return env;
    }

    private ImageRootfs image() {
        return image("linux/amd64");
    }

    /**
     * docker inspect answers the digest the registry gave; the other docker commands print it too, unread. Asked
     * for the built image's platform, docker answers {@code builtPlatform} (and the call is recorded as any other).
     */
    private ImageRootfs image(String builtPlatform) {
        return ImageLayout.of(BuildImage.IMAGE_BUILDER, root)
                .stub(DOCKER_STUB)
                .file(DOCKER, "#!/bin/bash\n"
                        + "if [ \"$1 $2 $3 $4\" = 'image inspect --format {{.Os}}/{{.Architecture}}' ]; then\n"
                        + "  " + DOCKER_STUB + " \"$@\" > /dev/null || exit\n"
                        + "  read -r platform < " + BUILT_PLATFORM + "; echo \"$platform\"; exit 0\n"
                        + "fi\n"
                        + "exec " + DOCKER_STUB + " \"$@\"\n", 0755)
                .file(BUILT_PLATFORM, builtPlatform + "\n", 0644)
                .stubOutput(DOCKER, "docker.io/x@" + DIGEST + "\n", "")
                .stubOutput("/usr/local/bin/aws", "ecr-login-password\n", "");
    }

    private static CodeBuildEmulation.Result run(ImageRootfs image, Map<String, String> env) throws IOException {
        return new CodeBuildEmulation(image, BuildImage.IMAGE_BUILDER.requireShell(), BuildImage.IMAGE_BUILDER.path())
                .runBuildPhase(Files.readString(Repo.path("infra/buildspec-images.yml")), env, COMMAND_TIMEOUT);
    }

    @Test
    void bootstrap_buildsPushesAndPinsEveryImage() throws IOException {
        // given
        ImageRootfs image = image();
        // when
        CodeBuildEmulation.Result result = run(image, project("docker.io"));
        // then
        assertTrue(result.succeeded(), () -> "the bootstrap failed: " + result);
        assertEquals(Map.of("KANIKO_ECR_IMAGE", REPOSITORY + "@" + DIGEST,
                "ECR_IMAGE", "docker.io/plugins/ecr@" + DIGEST,
                "BUILDX_ECR_IMAGE", "docker.io/plugins/buildx-ecr@" + DIGEST,
                "SOURCE_IMAGE", "docker.io/alpine/git@" + DIGEST), result.exportedVariables());
        List<List<String>> docker = image.stubCalls(DOCKER).stream().map(StubCall::args).toList();
        assertEquals(List.of("login", "--username", "AWS", "--password-stdin", "111111111111.dkr.ecr.us-east-1.amazonaws.com"),
                docker.get(0));
        assertTrue(docker.contains(List.of("pull", "--quiet", "docker.io/plugins/kaniko-ecr:1.13.9")), docker::toString);
        assertTrue(docker.contains(List.of("build", "--build-arg", "KANIKO_ECR=docker.io/plugins/kaniko-ecr@" + DIGEST,
                "--tag", REPOSITORY + ":1.13.9-kaniko1.28.5", ".")), docker::toString);
        int built = docker.indexOf(List.of("build", "--build-arg", "KANIKO_ECR=docker.io/plugins/kaniko-ecr@" + DIGEST,
                "--tag", REPOSITORY + ":1.13.9-kaniko1.28.5", "."));
        int checked = docker.indexOf(List.of("image", "inspect", "--format", "{{.Os}}/{{.Architecture}}",
                REPOSITORY + ":1.13.9-kaniko1.28.5"));
        int pushed = docker.indexOf(List.of("push", REPOSITORY + ":1.13.9-kaniko1.28.5"));
        assertTrue(built >= 0 && built < checked && checked < pushed, "built, its platform checked, then pushed: " + docker);
        assertEquals(instructions(Files.readString(Repo.path("infra/images/kaniko-ecr/Dockerfile"))),
                instructions(Files.readString(image.path(CodeBuildEmulation.SRC_DIR + "/Dockerfile"))));
    }

    @Test
    void bootstrap_asTheFunctionStartsTheArm64Build_pushesThatPlatformsTag_andPinsIt() throws IOException {
        // given: the overrides of the arm64 build's StartBuild, on an ARM host whose docker builds arm64
        ImageRootfs image = image("linux/arm64");
        Map<String, String> env = project("docker.io");
        env.put("KANIKO_ECR_TAG", "1.13.9-kaniko1.28.5-linux-arm64");
        env.put("IMAGE_PLATFORM", "linux/arm64");
        // when
        CodeBuildEmulation.Result result = run(image, env);
        // then
        assertTrue(result.succeeded(), () -> "the bootstrap failed: " + result);
        assertEquals(REPOSITORY + "@" + DIGEST, result.exportedVariables().get("KANIKO_ECR_IMAGE"));
        List<List<String>> docker = image.stubCalls(DOCKER).stream().map(StubCall::args).toList();
        assertTrue(docker.contains(List.of("build", "--build-arg", "KANIKO_ECR=docker.io/plugins/kaniko-ecr@" + DIGEST,
                "--tag", REPOSITORY + ":1.13.9-kaniko1.28.5-linux-arm64", ".")), docker::toString);
        assertTrue(docker.contains(List.of("push", REPOSITORY + ":1.13.9-kaniko1.28.5-linux-arm64")), docker::toString);
        assertFalse(docker.contains(List.of("push", REPOSITORY + ":1.13.9-kaniko1.28.5")), "the index's tag is the function's");
    }

    @Test
    void bootstrap_buildingAnImageOfAnotherPlatform_failsTheBuild_andPushesNothing() throws IOException {
        // given: the arm64 build, whose docker built an amd64 image (a base pinned by one platform's manifest)
        ImageRootfs image = image("linux/amd64");
        Map<String, String> env = project("docker.io");
        env.put("KANIKO_ECR_TAG", "1.13.9-kaniko1.28.5-linux-arm64");
        env.put("IMAGE_PLATFORM", "linux/arm64");
        // when
        CodeBuildEmulation.Result result = run(image, env);
        // then
        assertFalse(result.succeeded());
        assertTrue(result.lastStderr().contains("built for linux/amd64, not for linux/arm64"), result.lastStderr());
        assertTrue(image.stubCalls(DOCKER).stream().noneMatch(c -> c.args().get(0).equals("push")), "nothing pushed");
        assertEquals(Map.of(), result.exportedVariables());
    }

    @Test
    void bootstrap_throughAPullThroughCache_pullsAndPinsThere() throws IOException {
        // given
        String cache = "111111111111.dkr.ecr.us-east-1.amazonaws.com/docker-hub/";
        ImageRootfs image = image();
        // when
        CodeBuildEmulation.Result result = run(image, project(cache));
        // then
        assertTrue(result.succeeded(), () -> "the bootstrap failed: " + result);
        assertEquals(cache + "plugins/ecr@" + DIGEST, result.exportedVariables().get("ECR_IMAGE"));
        assertTrue(image.stubCalls(DOCKER).stream().map(StubCall::args)
                .anyMatch(List.of("pull", "--quiet", cache + "alpine/git:2.45.2")::equals));
    }

    @Test
    void bootstrap_dockerFails_failsTheBuild_andPinsNothing() throws IOException {
        // given
        ImageRootfs image = image().stubExitCode(DOCKER, 1);
        // when
        CodeBuildEmulation.Result result = run(image, project("docker.io"));
        // then
        assertFalse(result.succeeded());
        assertEquals(Map.of(), result.exportedVariables());
    }

    @Test
    void bootstrap_registryAnswersNoDigest_failsTheBuild() throws IOException {
        // given
        ImageRootfs image = image().stubOutput(DOCKER, "[]\n", "");
        // when
        CodeBuildEmulation.Result result = run(image, project("docker.io"));
        // then
        assertFalse(result.succeeded());
        assertTrue(result.lastStderr().contains("no digest for"), result.lastStderr());
        assertEquals(Map.of(), result.exportedVariables());
    }

    private static List<String> instructions(String dockerfile) {
        return dockerfile.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
}
