package dev.ecrpush.support.rootfs;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/** The host's own programs that the rootfs support needs (gcc, ldd, git, unshare), run to completion. */
final class Host {
    /** What every missing tool's skip reason points to. */
    static final String INSTALLED_BY_CI = " (.ci/run installs it)";

    private Host() {
    }

    record Output(int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    static Optional<Path> which(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The program, or the current test is skipped: these tests need the host to have it, they do not test it. */
    static Path require(String program, String reasonIfMissing) {
        Optional<Path> found = which(program);
        Assumptions.assumeTrue(found.isPresent(), reasonIfMissing);
        return found.get();
    }

    /**
     * Runs a host command. {@code env} null inherits this JVM's environment; otherwise it is the whole
     * environment. Output goes through files, not pipes, so that no reader thread is needed to keep a chatty
     * process from blocking.
     */
    static Output run(List<String> command, Map<String, String> env, Path cwd, byte[] stdin, Duration timeout) {
        Path out = null;
        Path err = null;
        Path in = null;
        try {
            out = Files.createTempFile("host-out", ".txt");
            err = Files.createTempFile("host-err", ".txt");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                builder.redirectInput(new File("/dev/null"));
            } else {
                in = Files.write(Files.createTempFile("host-in", ".bin"), stdin);
                builder.redirectInput(in.toFile());
            }
            if (cwd != null) {
                builder.directory(cwd.toFile());
            }
            if (env != null) {
                builder.environment().clear();
                builder.environment().putAll(env);
            }
            Process process = builder.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroyTree(process);
                throw new AssertionError("timed out after " + timeout + ": " + command + "\nstdout: " + read(out)
                        + "\nstderr: " + read(err));
            }
            return new Output(process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
            deleteQuietly(in);
        }
    }

    /**
     * Kills the process and everything it started, and waits until they are gone: a timed-out script or a
     * closed server leaves nothing running, not even for a moment after.
     */
    static void destroyTree(Process process) {
        List<ProcessHandle> all = Stream.concat(process.descendants(), Stream.of(process.toHandle())).toList();
        all.forEach(ProcessHandle::destroyForcibly);
        all.forEach(handle -> handle.onExit().completeOnTimeout(handle, 10, TimeUnit.SECONDS).join());
    }

    static String read(Path file) {
        try {
            // not readString: a program's output need not be valid UTF-8
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
}
