package dev.ecrpush.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The libraries merged into one jar: what two jars both hold, what is left out, and what the class path then sees. */
class DependencyJarTest {
    private static final String SERVICE = "META-INF/services/org.acme.Plugin";

    @TempDir
    Path dir;

    @Test
    void theLibraries_becomeOneJar_andTheFunctionsOwnEntriesStay() throws IOException {
        LinkedHashMap<String, byte[]> zip = zip(
                jar("lib/org.acme.a-1.jar", Map.of("org/acme/a/A.class", bytes("a"), "org/acme/shared/Same.class", bytes("same"))),
                jar("lib/org.acme.b-1.jar", Map.of("org/acme/b/B.class", bytes("b"), "org/acme/shared/Same.class", bytes("same"))));
        zip.put("dev/acme/app/Caller.class", bytes("caller"));

        DependencyJar.Report report = DependencyJar.merge(zip);

        assertEquals(List.of("dev/acme/app/Caller.class", DependencyJar.NAME), List.copyOf(zip.keySet()));
        Map<String, byte[]> merged = SdkShrinker.readZip(zip.get(DependencyJar.NAME));
        assertArrayEquals(bytes("a"), merged.get("org/acme/a/A.class"));
        assertArrayEquals(bytes("b"), merged.get("org/acme/b/B.class"));
        assertArrayEquals(bytes("same"), merged.get("org/acme/shared/Same.class"));
        assertEquals(2, report.jars());
        assertEquals(List.of(), report.keptPerJar());
    }

    @Test
    void aClassTwoJarsHoldWithDifferentBytes_stopsTheBuild_namingTheClassAndTheJars() throws IOException {
        LinkedHashMap<String, byte[]> zip = zip(
                jar("lib/org.acme.a-1.jar", Map.of("org/acme/Twice.class", bytes("one"))),
                jar("lib/org.acme.b-2.jar", Map.of("org/acme/Twice.class", bytes("other"))));

        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DependencyJar.merge(zip));

        assertTrue(refused.getMessage().contains("org/acme/Twice.class"), refused.getMessage());
        assertTrue(refused.getMessage().contains("[org.acme.a-1.jar, org.acme.b-2.jar]"), refused.getMessage());
    }

    @Test
    void serviceFilesAndMetaInfProperties_areConcatenated_otherResourcesKeptPerJar() throws IOException {
        LinkedHashMap<String, byte[]> zip = zip(
                jar("lib/org.acme.a-1.jar", Map.of(SERVICE, bytes("org.acme.a.PluginA"),
                        "META-INF/io.acme.versions.properties", bytes("a.version=1\n"), "META-INF/LICENSE", bytes("licence a"))),
                jar("lib/org.acme.b-1.jar", Map.of(SERVICE, bytes("# b\norg.acme.b.PluginB\n"),
                        "META-INF/io.acme.versions.properties", bytes("b.version=2"), "META-INF/LICENSE", bytes("licence b"))));

        DependencyJar.Report report = DependencyJar.merge(zip);

        Map<String, byte[]> merged = SdkShrinker.readZip(zip.get(DependencyJar.NAME));
        assertEquals("org.acme.a.PluginA\n# b\norg.acme.b.PluginB\n", text(merged.get(SERVICE)));
        assertEquals("a.version=1\nb.version=2\n", text(merged.get("META-INF/io.acme.versions.properties")));
        assertEquals("licence a", text(merged.get("META-INF/LICENSE")));
        assertEquals("licence a", text(merged.get("META-INF/jars/org.acme.a-1.jar/META-INF/LICENSE")));
        assertEquals("licence b", text(merged.get("META-INF/jars/org.acme.b-1.jar/META-INF/LICENSE")));
        assertEquals(List.of("META-INF/io.acme.versions.properties", SERVICE), report.concatenated());
        assertEquals(List.of("META-INF/LICENSE"), report.keptPerJar());
    }

    @Test
    void manifestsSignaturesIndexesAndModuleDescriptors_areLeftOut_andTheJarIsMultiReleaseWhenOneWas() throws IOException {
        Map<String, byte[]> multiRelease = new LinkedHashMap<>();
        multiRelease.put("META-INF/MANIFEST.MF", bytes("Manifest-Version: 1.0\r\nMulti-Release: true\r\n\r\n"));
        multiRelease.put("META-INF/versions/11/org/acme/a/Fast.class", bytes("fast"));
        multiRelease.put("META-INF/versions/9/module-info.class", bytes("module"));
        multiRelease.put("org/acme/a/Fast.class", bytes("slow"));
        multiRelease.put("META-INF/ACME.SF", bytes("signature"));
        multiRelease.put("META-INF/ACME.RSA", bytes("signature"));
        multiRelease.put("META-INF/INDEX.LIST", bytes("JarIndex-Version: 1.0\n\norg.acme.a-1.jar\norg/acme/a\n"));
        Map<String, byte[]> plain = new LinkedHashMap<>();
        plain.put("META-INF/MANIFEST.MF", bytes("Manifest-Version: 1.0\r\nImplementation-Title: b\r\n\r\n"));
        plain.put("META-INF/versions/11/org/acme/b/Inert.class", bytes("inert"));
        plain.put("module-info.class", bytes("module"));
        plain.put("org/acme/b/", new byte[0]);
        LinkedHashMap<String, byte[]> zip = zip(jar("lib/org.acme.a-1.jar", multiRelease), jar("lib/org.acme.b-1.jar", plain));

        DependencyJar.merge(zip);

        Map<String, byte[]> merged = SdkShrinker.readZip(zip.get(DependencyJar.NAME));
        assertEquals(List.of("META-INF/MANIFEST.MF", "META-INF/versions/11/org/acme/a/Fast.class", "org/acme/a/Fast.class",
                "org/acme/b/"), List.copyOf(merged.keySet()));
        assertEquals("Manifest-Version: 1.0\r\nMulti-Release: true\r\n\r\n", text(merged.get("META-INF/MANIFEST.MF")));
    }

    @Test
    void onTheClassPath_theMergedJarFindsEveryJarsServiceProviders_andLoadsTheVersionedClass() throws IOException {
        Map<String, byte[]> a = new LinkedHashMap<>();
        a.put("META-INF/MANIFEST.MF", bytes("Manifest-Version: 1.0\r\nMulti-Release: true\r\n\r\n"));
        a.put("META-INF/versions/11/org/acme/a/notes.txt", bytes("java 11 and later"));
        a.put("org/acme/a/notes.txt", bytes("before java 11"));
        a.put(SERVICE, bytes("org.acme.a.PluginA\n"));
        LinkedHashMap<String, byte[]> zip = zip(jar("lib/org.acme.a-1.jar", a),
                jar("lib/org.acme.b-1.jar", Map.of(SERVICE, bytes("org.acme.b.PluginB\n"))));
        DependencyJar.merge(zip);
        Path jar = Files.write(dir.resolve("dependencies.jar"), zip.get(DependencyJar.NAME));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
                JarFile file = new JarFile(jar.toFile(), true, JarFile.OPEN_READ, Runtime.version())) {
            List<URL> services = Collections.list(loader.getResources(SERVICE));
            assertEquals(1, services.size());
            try (var in = services.get(0).openStream()) {
                assertEquals("org.acme.a.PluginA\norg.acme.b.PluginB\n", text(in.readAllBytes()));
            }
            assertTrue(file.isMultiRelease());
            try (var in = file.getInputStream(file.getJarEntry("org/acme/a/notes.txt"))) {
                assertEquals("java 11 and later", text(in.readAllBytes()));
            }
            assertFalse(file.getManifest().getMainAttributes().containsKey(new java.util.jar.Attributes.Name("Implementation-Title")));
        }
    }

    @Test
    void aPackage_keepsItsJarsImplementationVersion_asTheClassLoaderReportsIt() throws Exception {
        byte[] caller;
        try (var in = DependencyJarTest.class.getResourceAsStream("/dev/acme/app/Caller.class")) {
            caller = in.readAllBytes();
        }
        LinkedHashMap<String, byte[]> zip = zip(
                jar("lib/dev.acme.app-1.jar", Map.of("META-INF/MANIFEST.MF",
                        bytes("Manifest-Version: 1.0\r\nImplementation-Title: acme app\r\nImplementation-Version: 9.9.1\r\n\r\n"),
                        "dev/acme/app/Caller.class", caller)),
                jar("lib/org.acme.b-1.jar", Map.of("META-INF/MANIFEST.MF",
                        bytes("Manifest-Version: 1.0\r\nImplementation-Version: 2.0\r\n\r\n"), "org/acme/b/notes.txt", bytes("b"))));
        DependencyJar.merge(zip);
        Path jar = Files.write(dir.resolve("dependencies.jar"), zip.get(DependencyJar.NAME));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Package app = Class.forName("dev.acme.app.Caller", false, loader).getPackage();
            assertEquals("9.9.1", app.getImplementationVersion());
            assertEquals("acme app", app.getImplementationTitle());
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            assertEquals(null, manifest.getMainAttributes().getValue("Implementation-Version"), "no jar's version is the merged jar's");
            assertEquals(List.of("dev/acme/app/"), List.copyOf(manifest.getEntries().keySet()), "a package without classes gets none");
        }
    }

    private record Jar(String entry, byte[] bytes) {
    }

    private static Jar jar(String entry, Map<String, byte[]> entries) throws IOException {
        return new Jar(entry, FunctionZip.write(new LinkedHashMap<>(new java.util.TreeMap<>(entries)), true));
    }

    private static LinkedHashMap<String, byte[]> zip(Jar... jars) {
        LinkedHashMap<String, byte[]> zip = new LinkedHashMap<>();
        for (Jar jar : jars) {
            zip.put(jar.entry(), jar.bytes());
        }
        return zip;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
