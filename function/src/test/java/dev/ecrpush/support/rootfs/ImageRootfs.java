package dev.ecrpush.support.rootfs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A root filesystem laid out like a container image, in a directory of the test's, and commands run in it
 * with the directory as their root: a script sees only what the image would have, so a program the image
 * lacks is "not found", and an image without a shell cannot run a shell script at all.
 *
 * <p>A new root has only {@code /tmp} (mode 1777) and the devices every container runtime provides (the OCI
 * runtime spec's {@code /dev/null}, {@code zero}, {@code full}, {@code random}, {@code urandom}, {@code tty}:
 * git, for one, reads {@code /dev/urandom} to name its temporary files); everything else is added with the
 * builder methods. Programs come from three places: busybox-static's binary for a shell and its applets
 * (standing in for the image's shell and tools), {@link #stub stubs} that record how they were called (standing
 * in for plugin binaries), and host programs copied with the shared libraries they load (the host's git).
 *
 * <pre>{@code
 * ImageRootfs image = ImageRootfs.in(tempDir).shell("/bin/sh").busyboxApplet("/bin/cat").stub("/usr/bin/plugin");
 * ImageRootfs.Result result = image.run(List.of("/bin/sh", "-c", "plugin --flag"),
 *         Map.of("PATH", "/usr/bin:/bin"), "/", Duration.ofSeconds(10));
 * List<StubCall> calls = image.stubCalls("/usr/bin/plugin");
 * }</pre>
 *
 * <p>Paths "inside" are absolute paths in the root. The test support writes through symbolic links in the
 * root as the image would resolve them, never out to the host's files.
 */
public final class ImageRootfs {
    private static final Pattern LDD_PATH = Pattern.compile("(?:=>\\s*|^\\s*)(/\\S+)\\s+\\(0x");
    private static final Duration HOST_TOOL_TIMEOUT = Duration.ofMinutes(1);

    private final Path root;
    /** The first busybox copy in this root: shells and applets are hard links to it, so no extra file appears. */
    private Path busybox;

    private ImageRootfs(Path root) {
        this.root = root;
    }

    /**
     * A new root filesystem in {@code emptyDirectory} (a JUnit {@code @TempDir}, which also removes it). The
     * test is skipped if this machine cannot change a process's root directory.
     */
    public static ImageRootfs in(Path emptyDirectory) {
        Launcher.prefix();
        ImageRootfs image = new ImageRootfs(emptyDirectory.toAbsolutePath());
        image.directory("/tmp").chmod("/tmp", 01777);
        image.directory("/dev").devices();
        return image;
    }

    /**
     * busybox-static's binary at {@code path} (e.g. {@code /bin/sh}, {@code /busybox/sh}): the image's shell,
     * busybox's ash. Same file as {@link #busyboxApplet}; the name says what it stands for.
     */
    public ImageRootfs shell(String path) {
        return busyboxApplet(path);
    }

    /**
     * One busybox applet at {@code path} (e.g. {@code /bin/cat}): busybox picks the applet by the basename it
     * is run as. Each applet is a hard link to the same busybox inside the root, so that it works wherever
     * the shell is and adds no {@code busybox} file of its own.
     */
    public ImageRootfs busyboxApplet(String path) {
        Path target = inside(path);
        createParents(target);
        try {
            Files.deleteIfExists(target);
            if (busybox != null && Files.isRegularFile(busybox)) {
                Files.createLink(target, busybox);
            } else {
                Files.copy(HostBusybox.path(), target, StandardCopyOption.REPLACE_EXISTING);
                busybox = target;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return chmod(path, 0755);
    }

    /**
     * A host program at {@code path}, with every shared library {@code ldd} lists for it (the dynamic loader
     * included) at the same paths inside the root, so that it runs there as it does on the host.
     */
    public ImageRootfs hostProgram(String path, Path hostBinary) {
        copyFromHost(hostBinary, path);
        Host.Output ldd = Host.run(List.of(Host.require("ldd", "ldd is missing (libc-bin)").toString(),
                hostBinary.toString()), null, null, null, HOST_TOOL_TIMEOUT);
        for (String line : ldd.stdout().split("\n")) {
            Matcher library = LDD_PATH.matcher(line);
            if (library.find() && !Files.exists(inside(library.group(1)))) {
                copyFromHost(Path.of(library.group(1)), library.group(1));
            }
        }
        return this;
    }

    /**
     * The host's git as an image with git installed has it: {@code /usr/bin/git}, and in git's exec path the
     * {@code git} that its commands re-run and the {@code git-remote-http(s)} helper that http URLs need, and
     * its templates.
     */
    public ImageRootfs hostGit() {
        Path git = Host.require("git", "git is not installed" + Host.INSTALLED_BY_CI);
        Host.Output execPath = Host.run(List.of(git.toString(), "--exec-path"), null, null, null, HOST_TOOL_TIMEOUT);
        String core = execPath.stdout().strip();
        hostProgram("/usr/bin/git", git);
        hostProgram(core + "/git", Path.of(core, "git"));
        hostProgram(core + "/git-remote-http", Path.of(core, "git-remote-http"));
        symlink(core + "/git-remote-https", "git-remote-http");
        // without its templates, every git init and clone warns on stderr, which a script's test may read
        Path templates = Path.of("/usr/share/git-core/templates");
        if (Files.isDirectory(templates)) {
            try (Stream<Path> files = Files.walk(templates)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    copyFromHost(file, file.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return this;
    }

    /**
     * The stub program at {@code path}: each call is recorded (see {@link #stubCalls}), then the stub writes
     * the files of {@link #stubWrites}, prints {@link #stubOutput} and exits with {@link #stubExitCode}. Stubs
     * are told apart by basename ({@code /stub-calls/NAME}), so two stubs in one root need two basenames.
     */
    public ImageRootfs stub(String path) {
        copyFromHost(Stub.binary(), path);
        return chmod(path, 0755);
    }

    /** The exit code of every later call of the stub at {@code stubPath} (0 until this is set). */
    public ImageRootfs stubExitCode(String stubPath, int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("an exit code is 0 to 255: " + code);
        }
        return control(stubPath, ".exit", code + "\n");
    }

    /**
     * Files the stub at {@code stubPath} writes on every later call, path (absolute inside the root, or
     * relative to the stub's working directory) to content; parent directories are created.
     */
    public ImageRootfs stubWrites(String stubPath, Map<String, String> files) {
        return control(stubPath, ".files", Stub.encodeFiles(files));
    }

    /** What the stub at {@code stubPath} prints on every later call. */
    public ImageRootfs stubOutput(String stubPath, String stdout, String stderr) {
        return control(stubPath, ".stdout", stdout).control(stubPath, ".stderr", stderr);
    }

    /** Every call of the stub at {@code stubPath} so far, oldest first; empty if it was never run. */
    public List<StubCall> stubCalls(String stubPath) {
        Path calls = inside(Stub.CALLS_DIR + "/" + basename(stubPath));
        try {
            return Files.exists(calls) ? Stub.parseCalls(Files.readAllBytes(calls)) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A regular file with {@code content} (UTF-8) and {@code mode} (octal, e.g. {@code 0755}; setuid, setgid and
     * sticky bits included), replacing what was there; parent directories are created.
     */
    public ImageRootfs file(String path, String content, int mode) {
        Path target = inside(path);
        createParents(target);
        try {
            // delete first: writing into a hard link to busybox would change every applet
            Files.deleteIfExists(target);
            Files.writeString(target, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return chmod(path, mode);
    }

    /** A directory and its missing parents, mode 0755. */
    public ImageRootfs directory(String path) {
        try {
            Files.createDirectories(inside(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A symbolic link at {@code path} whose target is {@code target}, absolute (inside the root) or relative. */
    public ImageRootfs symlink(String path, String target) {
        Path link = inside(path, false);
        createParents(link);
        try {
            Files.createSymbolicLink(link, Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** The host path of {@code inside}, to read what a command left in the root. */
    public Path path(String inside) {
        return inside(inside);
    }

    /**
     * How a command ended. One whose program is not in the root ends with 127 and the launcher's
     * "failed to execute PROGRAM: No such file or directory", as a container runtime fails to start it.
     */
    public record Result(int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code argv} with the root as its root directory and {@code cwd} (inside the root) as its working
     * directory, as root, with exactly {@code env} as its environment (nothing inherited: no {@code HOME}
     * unless given) and no standard input. {@code argv[0]} is looked up inside the root, on {@code env}'s
     * {@code PATH} if it has no slash. If it does not exist there, the result is exit code 127 with
     * "No such file or directory" on stderr: that is how an image without the program fails.
     *
     * @throws AssertionError if the command runs longer than {@code timeout} (it is killed with its children)
     */
    public Result run(List<String> argv, Map<String, String> env, String cwd, Duration timeout) {
        List<String> command = new ArrayList<>(Launcher.prefix());
        command.add("--root=" + root);
        command.add("--wd=" + cwd);
        command.addAll(argv);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("rootfs-out", ".txt");
            err = Files.createTempFile("rootfs-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().clear();
            builder.environment().putAll(env);
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                Host.destroyTree(process);
                throw new AssertionError("timed out after " + timeout + " in the rootfs: " + argv
                        + "\nstdout: " + Host.read(out) + "\nstderr: " + Host.read(err));
            }
            return new Result(process.exitValue(), Host.read(out), Host.read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + argv, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private ImageRootfs control(String stubPath, String suffix, String content) {
        return file(Stub.CONTROL_DIR + "/" + basename(stubPath) + suffix, content, 0644);
    }

    private void devices() {
        for (String device : List.of("null 1 3", "zero 1 5", "full 1 7", "random 1 8", "urandom 1 9", "tty 5 0")) {
            String[] nameMajorMinor = device.split(" ");
            Host.Output mknod = Host.run(List.of("mknod", "-m", "666", inside("/dev/" + nameMajorMinor[0]).toString(),
                    "c", nameMajorMinor[1], nameMajorMinor[2]), null, null, null, HOST_TOOL_TIMEOUT);
            if (!mknod.succeeded()) {
                // Not root: no device node can be made. An empty world-writable /dev/null still reads as empty
                // and swallows writes, which is all most scripts ask of it; the other devices stay missing.
                file("/dev/null", "", 0666);
                return;
            }
        }
    }

    private void copyFromHost(Path hostFile, String path) {
        Path target = inside(path);
        createParents(target);
        try {
            Files.copy(hostFile, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ImageRootfs chmod(String path, int mode) {
        Path target = inside(path);
        if ((mode & ~0777) != 0) {
            // setuid, setgid and sticky bits have no PosixFilePermission
            Host.Output chmod = Host.run(List.of("chmod", Integer.toOctalString(mode), target.toString()), null, null,
                    null, HOST_TOOL_TIMEOUT);
            if (!chmod.succeeded()) {
                throw new IllegalStateException("chmod " + Integer.toOctalString(mode) + " " + path + ": " + chmod.stderr());
            }
            return this;
        }
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        try {
            Files.setPosixFilePermissions(target, permissions);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    private Path inside(String path) {
        return inside(path, true);
    }

    /**
     * The host path of an absolute path inside the root, resolving symbolic links as the kernel would after
     * chroot: an absolute link target starts again at the root, and ".." stops at it. Without this, an image's
     * {@code /bin -> /usr/bin} would send a write to the host's own {@code /usr/bin}.
     */
    private Path inside(String path, boolean followLast) {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("a path inside the root is absolute: " + path);
        }
        Deque<String> pending = new ArrayDeque<>();
        push(pending, path);
        Path current = root;
        int links = 0;
        while (!pending.isEmpty()) {
            String name = pending.pop();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                current = current.equals(root) ? root : current.getParent();
                continue;
            }
            Path next = current.resolve(name);
            if (!Files.isSymbolicLink(next) || (pending.isEmpty() && !followLast)) {
                current = next;
                continue;
            }
            if (++links > 40) {
                throw new IllegalArgumentException("too many levels of symbolic links in " + path);
            }
            try {
                String target = Files.readSymbolicLink(next).toString();
                push(pending, target);
                if (target.startsWith("/")) {
                    current = root;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return current;
    }

    private static void push(Deque<String> pending, String path) {
        String[] names = path.split("/");
        for (int i = names.length - 1; i >= 0; i--) {
            pending.push(names[i]);
        }
    }

    private static void createParents(Path target) {
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a temporary file left behind is harmless
            }
        }
    }

    /**
     * How a process gets its new root. coreutils' {@code chroot} always changes to "/" afterwards, and a
     * shell-less image has no {@code cd} to run, so this uses util-linux's {@code unshare --root --wd}: the
     * same chroot(2), then chdir to the working directory, then exec, without entering any new namespace.
     * When this user may not chroot (not root), a user namespace where it is root is tried.
     */
    private static final class Launcher {
        private static List<String> prefix;
        private static String refusal;

        static synchronized List<String> prefix() {
            if (prefix == null && refusal == null) {
                probe();
            }
            Assumptions.assumeTrue(refusal == null, refusal);
            return prefix;
        }

        private static void probe() {
            String unshare = Host.require("unshare", "util-linux's unshare is missing").toString();
            List<String> reasons = new ArrayList<>();
            try {
                Path empty = Files.createTempDirectory("rootfs-probe");
                try {
                    for (List<String> candidate : List.of(List.of(unshare),
                            List.of(unshare, "--user", "--map-root-user"))) {
                        List<String> command = new ArrayList<>(candidate);
                        command.addAll(List.of("--root=" + empty, "--wd=/", "/absent"));
                        Host.Output probe = Host.run(command, Map.of(), null, null, HOST_TOOL_TIMEOUT);
                        // Exec failing inside the empty root proves that chroot itself succeeded.
                        if (probe.exitCode() == 127 && probe.stderr().contains("failed to execute /absent")) {
                            prefix = candidate;
                            return;
                        }
                        reasons.add(probe.stderr().strip());
                    }
                } finally {
                    Files.delete(empty);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            refusal = "the kernel refuses chroot: " + String.join("; ", reasons);
        }
    }

    /** busybox-static's binary on the host: static, so that it runs in a root with no libraries. */
    static final class HostBusybox {
        private static Path path;

        static synchronized Path path() {
            if (path == null) {
                Path candidate = Path.of("/bin/busybox");
                if (!Files.isExecutable(candidate)) {
                    candidate = Host.which("busybox").orElse(null);
                }
                Assumptions.assumeTrue(candidate != null, "busybox-static is not installed" + Host.INSTALLED_BY_CI);
                Host.Output ldd = Host.run(List.of("ldd", candidate.toString()), null, null, null, HOST_TOOL_TIMEOUT);
                Assumptions.assumeFalse(ldd.succeeded() && !ldd.stdout().contains("statically linked"),
                        candidate + " is dynamically linked (Debian's busybox): busybox-static is not installed"
                                + Host.INSTALLED_BY_CI);
                path = candidate;
            }
            return path;
        }
    }
}
