package dev.ecrpush.support.rootfs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Assumptions;

/**
 * The stub program ({@code src/test/resources/rootfs/stub.c}, whose comment defines what it records and the
 * control files it reads): compiled once per test JVM, and the Java side of its two file formats.
 */
final class Stub {
    static final String CALLS_DIR = "/stub-calls";
    static final String CONTROL_DIR = "/stub-control";

    private static Path binary;
    private static String skipReason;

    private Stub() {
    }

    /** The static stub binary, compiled with {@code gcc -static} on first use; the test is skipped if it cannot be. */
    static synchronized Path binary() {
        if (binary == null && skipReason == null) {
            compile();
        }
        Assumptions.assumeTrue(skipReason == null, skipReason);
        return binary;
    }

    private static void compile() {
        Path gcc = Host.which("gcc").orElse(null);
        if (gcc == null) {
            skipReason = "gcc is not installed (.ci/run installs gcc and libc6-dev)";
            return;
        }
        try {
            Path dir = Files.createDirectories(Path.of("target", "rootfs-stub").toAbsolutePath());
            Path source = dir.resolve("stub.c");
            try (InputStream in = Stub.class.getResourceAsStream("/rootfs/stub.c")) {
                Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
            }
            // Another JVM may be compiling too: each writes its own file, and the rename replaces atomically.
            Path output = dir.resolve("stub." + ProcessHandle.current().pid() + ".tmp");
            Host.Output gccRun = Host.run(List.of(gcc.toString(), "-static", "-O2", "-Wall", "-o",
                    output.toString(), source.toString()), null, dir, null, Duration.ofMinutes(2));
            if (gccRun.stderr().contains("cannot find -lc")) {
                skipReason = "gcc cannot link statically: the static libc of libc6-dev is missing" + Host.INSTALLED_BY_CI;
                return;
            }
            if (!gccRun.succeeded()) {
                throw new IllegalStateException("gcc could not compile stub.c:\n" + gccRun.stderr());
            }
            binary = Files.move(output, dir.resolve("stub"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The calls recorded in one {@code /stub-calls/NAME} file, oldest first. */
    static List<StubCall> parseCalls(byte[] records) {
        Cursor cursor = new Cursor(records);
        List<StubCall> calls = new ArrayList<>();
        while (!cursor.atEnd()) {
            cursor.expect("call ");
            int argc = cursor.number(' ');
            int envc = cursor.number('\n');
            String cwd = cursor.netstring();
            List<String> argv = new ArrayList<>();
            for (int i = 0; i < argc; i++) {
                argv.add(cursor.netstring());
            }
            Map<String, String> env = new LinkedHashMap<>();
            for (int i = 0; i < envc; i++) {
                String entry = cursor.netstring();
                int equals = entry.indexOf('=');
                // an entry without '=' is legal in execve's envp; keep it visible rather than drop it
                env.put(equals < 0 ? entry : entry.substring(0, equals), equals < 0 ? "" : entry.substring(equals + 1));
            }
            cursor.expect("\n");
            calls.add(new StubCall(argv, cwd, env));
        }
        return calls;
    }

    /** The {@code .files} control file: {@code path<TAB>content} lines, with {@code \n \t \\} escaped. */
    static String encodeFiles(Map<String, String> files) {
        return files.entrySet().stream().map(file -> {
            String path = file.getKey();
            if (path.isEmpty() || path.contains("\t") || path.contains("\n")) {
                throw new IllegalArgumentException("a stub cannot write a file named " + path);
            }
            String content = file.getValue().replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t");
            return path + "\t" + content + "\n";
        }).collect(Collectors.joining());
    }

    private static final class Cursor {
        private final byte[] bytes;
        private int position;

        Cursor(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean atEnd() {
            return position >= bytes.length;
        }

        void expect(String literal) {
            for (byte b : literal.getBytes(StandardCharsets.US_ASCII)) {
                if (atEnd() || bytes[position] != b) {
                    throw new IllegalStateException("a stub record is malformed at byte " + position
                            + " (expected " + literal.strip() + "): was the call cut short?");
                }
                position++;
            }
        }

        int number(char terminator) {
            int start = position;
            while (!atEnd() && bytes[position] != terminator) {
                position++;
            }
            int value = Integer.parseInt(new String(bytes, start, position - start, StandardCharsets.US_ASCII));
            expect(String.valueOf(terminator));
            return value;
        }

        String netstring() {
            int length = number(':');
            String value = new String(bytes, position, length, StandardCharsets.UTF_8);
            position += length;
            expect(",");
            return value;
        }
    }
}
