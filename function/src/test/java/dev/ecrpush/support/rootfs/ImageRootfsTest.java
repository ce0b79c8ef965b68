package dev.ecrpush.support.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The root filesystem holds only what was put in it, and a command runs in it with exactly what it was given. */
class ImageRootfsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Map<String, String> PATH_ONLY = Map.of("PATH", "/usr/bin:/bin");

    @TempDir
    Path root;

    @Test
    void run_shellMissingFromShellLessRoot_failsWithNoSuchFileOrDirectory() {
        // given: a distroless-like image, a program but no shell
        ImageRootfs image = ImageRootfs.in(root).stub("/usr/bin/plugin").file("/script.sh", "echo hi\n", 0755);
        // when
        ImageRootfs.Result result = image.run(List.of("/bin/sh", "/script.sh"), PATH_ONLY, "/", TIMEOUT);
        // then
        assertEquals(127, result.exitCode());
        assertTrue(result.stderr().contains("/bin/sh: No such file or directory"), result.stderr());
        assertEquals("", result.stdout());
    }

    @Test
    void run_busyboxShell_runsTheScript_andAProgramTheRootLacksIsNotFound() {
        // given: cat is there, wc is not (busybox has both applets, so only the root's layout decides)
        ImageRootfs image = ImageRootfs.in(root).shell("/bin/sh").busyboxApplet("/bin/cat")
                .file("/etc/greeting", "hello from the image\n", 0644)
                .file("/script.sh", "cat /etc/greeting\nwc -l /etc/greeting\necho \"wc: $?\"\n", 0755);
        // when
        ImageRootfs.Result result = image.run(List.of("/bin/sh", "/script.sh"), PATH_ONLY, "/", TIMEOUT);
        // then
        assertEquals("hello from the image\nwc: 127\n", result.stdout());
        assertTrue(result.stderr().contains("wc: not found"), result.stderr());
    }

    @Test
    void busyboxApplet_shellElsewhere_appletsStillDispatchByName() {
        // given: a kaniko-debug-like layout, everything under /busybox
        ImageRootfs image = ImageRootfs.in(root).shell("/busybox/sh").busyboxApplet("/busybox/ls")
                .busyboxApplet("/usr/bin/basename");
        // when
        ImageRootfs.Result result = image.run(List.of("/busybox/sh", "-c", "ls /busybox; basename /a/b"),
                Map.of("PATH", "/busybox:/usr/bin"), "/", TIMEOUT);
        // then: no busybox file of its own was added
        assertEquals("ls\nsh\nb\n", result.stdout(), result.stderr());
    }

    @Test
    void run_environmentAndWorkingDirectory_areExactlyWhatWasGiven() {
        // given: the stub records what it was started with, nothing in between (no shell to add PWD or SHLVL)
        ImageRootfs image = ImageRootfs.in(root).stub("/bin/plugin").directory("/work/dir");
        Map<String, String> env = Map.of("PATH", "/bin", "ONLY", "this");
        // when
        ImageRootfs.Result result = image.run(List.of("/bin/plugin"), env, "/work/dir", TIMEOUT);
        // then
        assertEquals(0, result.exitCode(), result.stderr());
        StubCall call = image.stubCalls("/bin/plugin").get(0);
        assertEquals(env, call.env());
        assertFalse(call.env().containsKey("HOME"));
        assertEquals("/work/dir", call.cwd());
    }

    @Test
    void in_newRoot_hasOnlyTmpAndTheRuntimesDevices() throws Exception {
        // given
        ImageRootfs image = ImageRootfs.in(root);
        // when
        List<String> top;
        try (var entries = Files.list(root)) {
            top = entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
        // then
        assertEquals(List.of("dev", "tmp"), top);
        try (var devices = Files.list(root.resolve("dev"))) {
            assertEquals(List.of("full", "null", "random", "tty", "urandom", "zero"),
                    devices.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals("rwxrwxrwx", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(image.path("/tmp"))));
    }

    @Test
    void file_throughAnAbsoluteSymlink_staysInsideTheRoot() throws Exception {
        // given: a merged-/usr image, whose /bin is a link to /usr/bin
        ImageRootfs image = ImageRootfs.in(root).symlink("/bin", "/usr/bin");
        // when
        image.file("/bin/tool-of-the-image", "x", 0755);
        // then: written to the root's /usr/bin, never to the host's
        assertTrue(Files.exists(root.resolve("usr/bin/tool-of-the-image")));
        assertFalse(Files.exists(Path.of("/usr/bin/tool-of-the-image")));
        assertEquals(root.resolve("usr/bin/tool-of-the-image"), image.path("/bin/tool-of-the-image"));
        // JUnit's clean-up would warn about a link that points, on the host, out of its directory
        Files.delete(root.resolve("bin"));
    }

    @Test
    void hostProgram_dynamicBinary_runsInsideWithItsLibraries() {
        // given: the host's git, with nothing else of the host
        ImageRootfs image = ImageRootfs.in(root).hostGit();
        // when
        ImageRootfs.Result result = image.run(List.of("/usr/bin/git", "--version"), Map.of(), "/", TIMEOUT);
        // then
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().startsWith("git version "), result.stdout());
        assertTrue(Files.exists(image.path("/lib64/ld-linux-x86-64.so.2")) || !System.getProperty("os.arch").equals("amd64"));
    }

    @Test
    void run_commandOutlivingTheTimeout_isKilledAndFailsTheTest() {
        // given
        ImageRootfs image = ImageRootfs.in(root).shell("/bin/sh").busyboxApplet("/bin/sleep");
        // when
        AssertionError timeout = assertThrows(AssertionError.class, () -> image.run(List.of("/bin/sh", "-c",
                "echo started; sleep 30"), PATH_ONLY, "/", Duration.ofMillis(500)));
        // then
        assertTrue(timeout.getMessage().contains("timed out"), timeout.getMessage());
        assertNotEquals(-1, timeout.getMessage().indexOf("started"));
    }
}
