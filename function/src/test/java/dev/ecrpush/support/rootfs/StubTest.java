package dev.ecrpush.support.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stub records every call exactly and plays what it is told, in a root that has no shell. */
class StubTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String PLUGIN = "/kaniko/executor";

    @TempDir
    Path root;

    @Test
    void stub_inShellLessRoot_recordsArgvCwdAndEnvExactly() {
        // given: values that a line- or '='-based record would get wrong
        ImageRootfs image = ImageRootfs.in(root).stub(PLUGIN).directory("/workspace");
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/kaniko:/bin");
        env.put("MULTILINE", "first line\nsecond line");
        env.put("WINDOWS_ISH", "C:\\path\\to=x");
        env.put("EMPTY", "");
        List<String> argv = List.of(PLUGIN, "--destination=repo:tag", "two words", "line\nbreak", "back\\slash", "");
        // when
        ImageRootfs.Result result = image.run(argv, env, "/workspace", TIMEOUT);
        // then
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals(List.of(new StubCall(argv, "/workspace", env)), image.stubCalls(PLUGIN));
    }

    @Test
    void stub_exitCodes_zeroAndOne_propagate_andEachCallIsRecorded() {
        // given
        ImageRootfs image = ImageRootfs.in(root).stub(PLUGIN);
        // when
        ImageRootfs.Result first = image.run(List.of(PLUGIN, "first"), Map.of(), "/", TIMEOUT);
        image.stubExitCode(PLUGIN, 1);
        ImageRootfs.Result second = image.run(List.of(PLUGIN, "second"), Map.of(), "/", TIMEOUT);
        // then
        assertEquals(0, first.exitCode(), first.stderr());
        assertEquals(1, second.exitCode(), second.stderr());
        assertEquals(List.of(List.of("first"), List.of("second")),
                image.stubCalls(PLUGIN).stream().map(StubCall::args).toList());
    }

    @Test
    void stub_controlFiles_writesFilesAndOutput_thenExits() throws Exception {
        // given: a plugin that writes its image digest, as kaniko's --digest-file does
        ImageRootfs image = ImageRootfs.in(root).stub(PLUGIN).directory("/workspace")
                .stubWrites(PLUGIN, Map.of("/kaniko/digest", "sha256:abc\n", "out/nested/notes.txt",
                        "tab\there\nback\\slash"))
                .stubOutput(PLUGIN, "pushed\n", "a warning\n").stubExitCode(PLUGIN, 3);
        // when
        ImageRootfs.Result result = image.run(List.of(PLUGIN), Map.of(), "/workspace", TIMEOUT);
        // then
        assertEquals(3, result.exitCode());
        assertEquals("pushed\n", result.stdout());
        assertEquals("a warning\n", result.stderr());
        assertEquals("sha256:abc\n", Files.readString(image.path("/kaniko/digest")));
        assertEquals("tab\there\nback\\slash", Files.readString(image.path("/workspace/out/nested/notes.txt")));
    }

    @Test
    void stubCalls_stubNeverRun_isEmpty() {
        // given
        ImageRootfs image = ImageRootfs.in(root).stub(PLUGIN);
        // when / then
        assertTrue(image.stubCalls(PLUGIN).isEmpty());
    }

    @Test
    void stub_calledThroughBusyboxShell_seesTheShellsEnvironmentAndArguments() {
        // given: a plugin called by a script, the way the task's source container calls it
        ImageRootfs image = ImageRootfs.in(root).shell("/bin/sh").stub("/usr/local/bin/plugin");
        // when
        ImageRootfs.Result result = image.run(List.of("/bin/sh", "-c", "export X='a b'; plugin \"$X\" --flag"),
                Map.of("PATH", "/usr/local/bin:/bin"), "/tmp", TIMEOUT);
        // then
        assertEquals(0, result.exitCode(), result.stderr());
        StubCall call = image.stubCalls("/usr/local/bin/plugin").get(0);
        assertEquals(List.of("plugin", "a b", "--flag"), call.argv());
        assertEquals("a b", call.env().get("X"));
        assertEquals("/tmp", call.cwd());
    }
}
