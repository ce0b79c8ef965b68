package dev.ecrpush.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaging step as the build runs it: in place on a zip laid out like function.zip. */
class FunctionZipTest {
    @TempDir
    Path dir;

    @Test
    void main_shrinksTheServiceJars_andMergesTheLibrariesIntoOneStoredJar_inADeflatedZip() throws IOException {
        // given
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        // when
        FunctionZip.main(new String[] {zip.toString()});
        // then
        Map<String, Integer> outer = methods(Files.readAllBytes(zip));
        assertEquals(ZipEntry.DEFLATED, outer.get(DependencyJar.NAME));
        assertEquals(ZipEntry.DEFLATED, outer.get("dev/acme/app/Caller.class"));
        assertEquals(List.of(DependencyJar.NAME), outer.keySet().stream().filter(n -> n.endsWith(".jar")).toList());
        byte[] merged = SdkShrinker.readZip(Files.readAllBytes(zip)).get(DependencyJar.NAME);
        assertTrue(methods(merged).values().stream().allMatch(m -> m == ZipEntry.STORED), "the dependency jar is stored");
        LinkedHashMap<String, byte[]> libraries = SdkShrinker.readZip(merged);
        assertTrue(libraries.containsKey(DemoZip.DEMO + "DefaultDemoClient.class"));
        assertTrue(libraries.containsKey("org/acme/util/notes.txt"));
        assertFalse(libraries.containsKey(DemoZip.DEMO + "model/Orphan.class"), "the shrinker ran before the merge");
    }

    @Test
    void withoutTheMerge_eachJarStays_shrunkAndStored() throws IOException {
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        FunctionZip.main(new String[] {"--merge=false", zip.toString()});
        LinkedHashMap<String, byte[]> entries = SdkShrinker.readZip(Files.readAllBytes(zip));
        assertFalse(entries.containsKey(DependencyJar.NAME));
        for (String jar : List.of(DemoZip.SERVICE_JAR, DemoZip.OTHER_JAR)) {
            assertTrue(methods(entries.get(jar)).values().stream().allMatch(m -> m == ZipEntry.STORED), jar + " is stored");
        }
        assertFalse(SdkShrinker.readZip(entries.get(DemoZip.SERVICE_JAR)).containsKey(DemoZip.DEMO + "model/Orphan.class"));
    }

    @Test
    void withoutTheShrinker_everyClassStays_andTheJarIsStillStored() throws IOException {
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        FunctionZip.main(new String[] {"--shrink=false", zip.toString()});
        byte[] merged = SdkShrinker.readZip(Files.readAllBytes(zip)).get(DependencyJar.NAME);
        Set<String> service = SdkShrinker.readZip(DemoZip.entries().get(DemoZip.SERVICE_JAR)).keySet();
        assertTrue(SdkShrinker.readZip(merged).keySet().containsAll(service));
        assertTrue(methods(merged).values().stream().allMatch(m -> m == ZipEntry.STORED));
    }

    @Test
    void theSameInput_givesTheSameBytes() throws IOException {
        Path first = Files.write(dir.resolve("first.zip"), DemoZip.bytes());
        Path second = Files.write(dir.resolve("second.zip"), DemoZip.bytes());
        FunctionZip.repack(first, true, true);
        FunctionZip.repack(second, true, true);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void anArgumentItDoesNotKnow_isRefused() throws IOException {
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        byte[] before = Files.readAllBytes(zip);
        assertThrows(IllegalArgumentException.class, () -> FunctionZip.main(new String[] {"--shrink=maybe", zip.toString()}));
        assertThrows(IllegalArgumentException.class, () -> FunctionZip.main(new String[] {"--merge=yes", zip.toString()}));
        assertThrows(IllegalArgumentException.class, () -> FunctionZip.main(new String[] {}));
        assertArrayEquals(before, Files.readAllBytes(zip));
    }

    /** Each entry's compression method, by name. */
    private static Map<String, Integer> methods(byte[] zip) throws IOException {
        Map<String, Integer> methods = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                methods.put(entry.getName(), entry.getMethod());
            }
        }
        return methods;
    }
}
