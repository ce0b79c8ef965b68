package dev.ecrpush.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import dev.acme.app.Caller;

/**
 * A function zip laid out as Quarkus lays out {@code function.zip}: the function's classes at the root and its
 * libraries under {@code lib/}. Here the function is {@link Caller} and the one library the miniature SDK
 * service {@code software.amazon.awssdk.services.demo}, both compiled with these tests.
 */
final class DemoZip {
    static final String SERVICE_JAR = "lib/software.amazon.awssdk.demo-1.0.jar";
    static final String OTHER_JAR = "lib/org.acme.util-1.0.jar";
    static final String DEMO = SdkShrinker.SERVICES + "demo/";

    private DemoZip() {
    }

    /** The zip's entries: the caller at the root, the service jar, and a jar that is not an SDK service. */
    static LinkedHashMap<String, byte[]> entries() throws IOException {
        LinkedHashMap<String, byte[]> zip = new LinkedHashMap<>();
        zip.put("bootstrap-info.txt", "not a class".getBytes());
        classesUnder("dev/acme/app/").forEach(zip::put);
        zip.put(SERVICE_JAR, FunctionZip.write(classesUnder(DEMO), false));
        LinkedHashMap<String, byte[]> other = new LinkedHashMap<>();
        other.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes());
        other.put("org/acme/util/notes.txt", "x".repeat(4000).getBytes());
        zip.put(OTHER_JAR, FunctionZip.write(other, false));
        return zip;
    }

    static byte[] bytes() throws IOException {
        return FunctionZip.write(entries(), false);
    }

    /** Every file of the test classes under {@code prefix}, by its path there. */
    private static Map<String, byte[]> classesUnder(String prefix) throws IOException {
        Path root = testClasses();
        Map<String, byte[]> files = new java.util.TreeMap<>();
        try (Stream<Path> walk = Files.walk(root.resolve(prefix))) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static Path testClasses() {
        try {
            return Path.of(Caller.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
