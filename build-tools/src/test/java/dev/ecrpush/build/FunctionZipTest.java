package dev.ecrpush.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaging step as the build runs it: in place on a zip laid out like function.zip. */
class FunctionZipTest {
    @TempDir
    Path dir;

    @Test
    void main_shrinksTheServiceJars_andStoresEveryJarInADeflatedZip() throws IOException {
        // given
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        // when
        FunctionZip.main(new String[] {zip.toString()});
        // then
        Map<String, Integer> outer = methods(Files.readAllBytes(zip));
        assertEquals(ZipEntry.DEFLATED, outer.get(DemoZip.SERVICE_JAR));
        assertEquals(ZipEntry.DEFLATED, outer.get("dev/acme/app/Caller.class"));
        LinkedHashMap<String, byte[]> entries = SdkShrinker.readZip(Files.readAllBytes(zip));
        for (String jar : List.of(DemoZip.SERVICE_JAR, DemoZip.OTHER_JAR)) {
            assertTrue(methods(entries.get(jar)).values().stream().allMatch(m -> m == ZipEntry.STORED), jar + " is stored");
        }
        assertTrue(!SdkShrinker.readZip(entries.get(DemoZip.SERVICE_JAR)).containsKey(DemoZip.DEMO + "model/Orphan.class"));
    }

    @Test
    void withoutTheShrinker_everyClassStays_andTheJarsAreStillStored() throws IOException {
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        FunctionZip.main(new String[] {"--shrink=false", zip.toString()});
        LinkedHashMap<String, byte[]> entries = SdkShrinker.readZip(Files.readAllBytes(zip));
        assertEquals(SdkShrinker.readZip(DemoZip.entries().get(DemoZip.SERVICE_JAR)).keySet(),
                SdkShrinker.readZip(entries.get(DemoZip.SERVICE_JAR)).keySet());
        assertTrue(methods(entries.get(DemoZip.SERVICE_JAR)).values().stream().allMatch(m -> m == ZipEntry.STORED));
    }

    @Test
    void theSameInput_givesTheSameBytes() throws IOException {
        Path first = Files.write(dir.resolve("first.zip"), DemoZip.bytes());
        Path second = Files.write(dir.resolve("second.zip"), DemoZip.bytes());
        FunctionZip.repack(first, true);
        FunctionZip.repack(second, true);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(second));
    }

    @Test
    void anArgumentItDoesNotKnow_isRefused() throws IOException {
        Path zip = Files.write(dir.resolve("function.zip"), DemoZip.bytes());
        byte[] before = Files.readAllBytes(zip);
        assertThrows(IllegalArgumentException.class, () -> FunctionZip.main(new String[] {"--shrink=maybe", zip.toString()}));
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
