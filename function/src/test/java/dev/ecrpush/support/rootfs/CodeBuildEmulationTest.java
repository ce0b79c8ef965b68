package dev.ecrpush.support.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build phase runs command by command through the image's shell, carrying state, stopping at a failure. */
class CodeBuildEmulationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";

    @TempDir
    Path root;

    private CodeBuildEmulation busyboxImage() {
        ImageRootfs image = ImageRootfs.in(root).shell("/bin/sh").busyboxApplet("/bin/mkdir").busyboxApplet("/bin/pwd")
                .stub("/usr/local/bin/plugin");
        return new CodeBuildEmulation(image, "/bin/sh", PATH);
    }

    @Test
    void runBuildPhase_variableAndDirectory_carryOverToTheNextCommand() {
        // given: assignments without export, as AWS's own samples make them
        String buildspec = """
                version: 0.2
                phases:
                  build:
                    commands:
                      - TAG="v1 'quoted'"
                      - mkdir -p out && cd out
                      - echo "$TAG in $(pwd)"
                      - plugin "$TAG"
                """;
        CodeBuildEmulation codebuild = busyboxImage();
        // when
        CodeBuildEmulation.Result result = codebuild.runBuildPhase(buildspec, Map.of(), TIMEOUT);
        // then
        assertTrue(result.succeeded(), result.lastStderr());
        assertEquals(4, result.commands().size());
        assertEquals("v1 'quoted' in " + CodeBuildEmulation.SRC_DIR + "/out\n", result.commands().get(2).stdout());
    }

    @Test
    void runBuildPhase_environment_isTheBuildsVariablesAndCodeBuildsOwn_inTheSourceDirectory() {
        // given: env.variables lose to the build's own variables
        String buildspec = """
                version: 0.2
                env:
                  variables:
                    FROM_SPEC: spec
                    OVERRIDDEN: spec
                phases:
                  build:
                    commands:
                      - plugin
                """;
        ImageRootfs image = ImageRootfs.in(root).shell("/bin/sh").stub("/usr/local/bin/plugin");
        // when
        CodeBuildEmulation.Result result = new CodeBuildEmulation(image, "/bin/sh", PATH)
                .runBuildPhase(buildspec, Map.of("OVERRIDDEN", "build"), TIMEOUT);
        // then
        assertTrue(result.succeeded(), result.lastStderr());
        StubCall call = image.stubCalls("/usr/local/bin/plugin").get(0);
        assertEquals(CodeBuildEmulation.SRC_DIR, call.cwd());
        Map<String, String> env = call.env();
        assertEquals("spec", env.get("FROM_SPEC"));
        assertEquals("build", env.get("OVERRIDDEN"));
        assertEquals(CodeBuildEmulation.BUILD_ID, env.get("CODEBUILD_BUILD_ID"));
        assertEquals(CodeBuildEmulation.SRC_DIR, env.get("CODEBUILD_SRC_DIR"));
        assertEquals("1", env.get("CODEBUILD_BUILD_SUCCEEDING"));
        assertEquals("/root", env.get("HOME"));
        assertEquals(PATH, env.get("PATH"));
    }

    @Test
    void runBuildPhase_failingCommand_endsThePhase_laterCommandsDoNotRun() {
        // given
        String buildspec = """
                version: 0.2
                phases:
                  build:
                    commands:
                      - plugin first
                      - not-in-the-image --flag
                      - plugin never
                """;
        CodeBuildEmulation codebuild = busyboxImage();
        // when
        CodeBuildEmulation.Result result = codebuild.runBuildPhase(buildspec, Map.of(), TIMEOUT);
        // then: the message names script.sh's line 4, as CodeBuild's logs do
        assertFalse(result.succeeded());
        assertEquals(List.of("plugin first", "not-in-the-image --flag"),
                result.commands().stream().map(CodeBuildEmulation.Command::command).toList());
        assertEquals(127, result.commands().get(1).exitCode());
        assertTrue(result.lastStderr().contains("/codebuild/output/tmp/script.sh: line 4: not-in-the-image: not found"),
                result.lastStderr());
    }

    @Test
    void runBuildPhase_exitInACommand_stillCarriesItsVariables_andExportedVariablesAreReported() {
        // given
        String buildspec = """
                version: 0.2
                env:
                  exported-variables:
                    - IMAGE_DIGEST
                    - MULTILINE
                    - NEVER_SET
                phases:
                  build:
                    commands:
                      - IMAGE_DIGEST=sha256:abc; exit 0
                      - |
                        MULTILINE="one
                        two \\\\ three"
                      - test -n "$IMAGE_DIGEST"
                """;
        CodeBuildEmulation codebuild = busyboxImage();
        // when
        CodeBuildEmulation.Result result = codebuild.runBuildPhase(buildspec, Map.of(), TIMEOUT);
        // then
        assertTrue(result.succeeded(), result.lastStderr());
        assertEquals(Map.of("IMAGE_DIGEST", "sha256:abc", "MULTILINE", "one\ntwo \\ three"), result.exportedVariables());
    }

    @Test
    void runBuildPhase_imageWithoutShell_failsOnTheFirstCommandWithTheChrootError() {
        // given: a shell-less image with only the plugin
        ImageRootfs image = ImageRootfs.in(root).stub("/usr/local/bin/plugin");
        String buildspec = """
                version: 0.2
                env:
                  exported-variables: [IMAGE_DIGEST]
                phases:
                  build:
                    commands:
                      - plugin
                      - plugin again
                """;
        // when
        CodeBuildEmulation.Result result = new CodeBuildEmulation(image, "/bin/sh", PATH).runBuildPhase(buildspec, Map.of(),
                TIMEOUT);
        // then
        assertFalse(result.succeeded());
        assertEquals(1, result.commands().size());
        assertEquals(127, result.commands().get(0).exitCode());
        assertTrue(result.lastStderr().contains("/bin/sh: No such file or directory"), result.lastStderr());
        assertTrue(image.stubCalls("/usr/local/bin/plugin").isEmpty());
        assertEquals(Map.of(), result.exportedVariables());
    }

    @Test
    void runBuildPhase_phaseOrKeyNotEmulated_isRefused() {
        // given
        CodeBuildEmulation codebuild = busyboxImage();
        String withPostBuild = "version: 0.2\nphases:\n  build:\n    commands: [plugin]\n  post_build:\n    commands: [plugin]\n";
        String withFinally = "version: 0.2\nphases:\n  build:\n    commands: [plugin]\n    finally: [plugin]\n";
        // when / then
        assertThrows(IllegalArgumentException.class, () -> codebuild.runBuildPhase(withPostBuild, Map.of(), TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> codebuild.runBuildPhase(withFinally, Map.of(), TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> codebuild.runBuildPhase("version: 0.1\n", Map.of(), TIMEOUT));
    }
}
