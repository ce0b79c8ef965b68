package dev.ecrpush.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.e2e.PackagedFunction;
import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.Repo;

/**
 * {@code ./mvnw -Dmaven.test.skip=true package} makes the same, shrunk zip, and it runs: a copy of the build
 * without any test source ({@code pom.xml}, the style check, {@code build-tools}, {@code lambda-local},
 * {@code function/src/main}),
 * packaged with the Maven running this build, offline against its local repository, then run like the zip
 * the other tests run.
 */
class PackageWithoutTestsIT {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path copy;
    private static Path zip;

    @BeforeAll
    static void packageACopyWithoutTests() throws Exception {
        String mavenHome = System.getProperty("maven.home");
        assumeTrue(mavenHome != null, "run by Maven (failsafe), which says where Maven and its local repository are");
        copy = Files.createTempDirectory("package-without-tests-");
        for (String part : List.of("pom.xml", "config/checkstyle.xml", "build-tools/pom.xml", "build-tools/src/main",
                "lambda-local/pom.xml", "lambda-local/src/main", "function/pom.xml", "function/src/main")) {
            copyTree(Repo.path(part), copy.resolve(part));
        }
        boolean windows = System.getProperty("os.name").toLowerCase().startsWith("windows");
        List<String> command = new ArrayList<>(List.of(Path.of(mavenHome, "bin", windows ? "mvn.cmd" : "mvn").toString(),
                "-B", "-o", "-ntp", "-Dmaven.test.skip=true", "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"), "package"));
        Path log = copy.resolve("build.log");
        ProcessBuilder build = new ProcessBuilder(command).directory(copy.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        build.environment().remove("MAVEN_ARGS");
        Process process = build.start();
        if (!process.waitFor(BUILD_TIMEOUT.toMinutes(), TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("the build without tests took more than " + BUILD_TIMEOUT + ":\n" + tail(log));
        }
        assertEquals(0, process.exitValue(), () -> String.join(" ", command) + " failed:\n" + tail(log));
        zip = copy.resolve("function/target/function.zip");
    }

    @AfterAll
    static void removeTheCopy() throws IOException {
        if (copy != null) {
            try (Stream<Path> files = Files.walk(copy)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    @Test
    void theZip_isTheSizeOfTheOneBuiltWithTheTests() throws IOException {
        long withTests = Files.size(PackagedFunction.ZIP);
        long withoutTests = Files.size(zip);
        assertTrue(Math.abs(withoutTests - withTests) <= withTests / 100,
                "without tests " + withoutTests + " bytes, with tests " + withTests + " bytes: more than 1 % apart");
    }

    @Test
    void theZip_isShrunk_andItsOneJarIsStored() throws IOException {
        Map<String, byte[]> entries = SdkShrinker.readZip(Files.readAllBytes(zip));
        assertEquals(List.of(DependencyJar.NAME), entries.keySet().stream().filter(n -> n.endsWith(".jar")).toList());
        Map<String, byte[]> libraries = SdkShrinker.readZip(entries.get(DependencyJar.NAME));
        assertFalse(libraries.containsKey(SdkShrinker.SERVICES + "ssm/model/LabelParameterVersionRequest.class"), "SSM is not shrunk");
        assertTrue(libraries.containsKey(SdkShrinker.SERVICES + "ssm/model/PutParameterRequest.class"));
        for (String jar : entries.keySet().stream().filter(n -> n.endsWith(".jar")).toList()) {
            try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(entries.get(jar)))) {
                for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                    assertEquals(ZipEntry.STORED, entry.getMethod(), jar + " " + entry.getName() + " is not stored");
                }
            }
        }
    }

    @Test
    void theZip_answersTheSampleEvent_asTheOneBuiltWithTheTests() throws IOException {
        byte[] event = Files.readAllBytes(Repo.path("events/plan-k8.json"));
        JsonNode withoutTests = plan(zip, event);
        assertEquals("PLANNED", withoutTests.path("status").asText(), withoutTests::toString);
        assertEquals(plan(PackagedFunction.ZIP, event), withoutTests);
    }

    private static JsonNode plan(Path functionZip, byte[] event) throws IOException {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(functionZip, PackagedFunction.CONFIG, runtime, Map.of(),
                        OutputStream.nullOutputStream())) {
            return JSON.readTree(runtime.invoke(event, Duration.ofSeconds(60)).success().payload());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(file, target);
                }
            }
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log);
            return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
        } catch (IOException e) {
            return "(no build log: " + e + ")";
        }
    }
}
