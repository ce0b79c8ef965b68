package dev.ecrpush.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The last packaging step, after Quarkus has written {@code target/function.zip}: the SDK service classes
 * the function cannot reach leave it ({@link SdkShrinker}), its libraries become one jar ({@link DependencyJar}), and
 * that jar is written with its entries stored rather than deflated, the zip itself deflating them at its best level.
 *
 * <p>Deflating each class file on its own compresses poorly, since a class of a few kilobytes shares no
 * dictionary with the next; one deflate stream over a stored jar sees the package names, descriptors and
 * constants the classes repeat. The zip Lambda downloads shrinks by about a third, the unpacked function
 * grows (Lambda allows 250 MB unpacked), and classes load without inflating.
 *
 * <p>Usage: {@code FunctionZip [--shrink=true|false] [--merge=true|false] path/to/function.zip}. With
 * {@code --shrink=false} the SDK classes stay whole; with {@code --merge=false} the libraries stay the jars Quarkus
 * wrote (each stored). The function's build passes its {@code buildpush.shrink} and {@code buildpush.merge}
 * properties here, so that the effect of each can be measured on its own.
 */
public final class FunctionZip {
    /** A fixed entry time keeps the rewritten zip byte-for-byte reproducible. */
    private static final long ENTRY_TIME = 315532800000L;
    private static final String SHRINK = "--shrink=";
    private static final String MERGE = "--merge=";
    private static final String USAGE = "usage: FunctionZip [--shrink=true|false] [--merge=true|false] path/to/function.zip";

    private FunctionZip() {
    }

    public static void main(String[] args) throws IOException {
        boolean shrink = true;
        boolean merge = true;
        Path zip = null;
        for (String arg : args) {
            if (isSwitch(arg, SHRINK)) {
                shrink = Boolean.parseBoolean(arg.substring(SHRINK.length()));
            } else if (isSwitch(arg, MERGE)) {
                merge = Boolean.parseBoolean(arg.substring(MERGE.length()));
            } else if (zip == null && !arg.startsWith("-")) {
                zip = Path.of(arg);
            } else {
                throw new IllegalArgumentException(USAGE + "; not understood: " + arg);
            }
        }
        if (zip == null) {
            throw new IllegalArgumentException(USAGE);
        }
        long before = Files.size(zip);
        for (String line : repack(zip, shrink, merge)) {
            System.out.println("[function-zip] " + line);
        }
        System.out.printf("[function-zip] %s: %.2f MB -> %.2f MB%n", zip.getFileName(), before / 1e6, Files.size(zip) / 1e6);
    }

    private static boolean isSwitch(String arg, String name) {
        return arg.startsWith(name) && Set.of("true", "false").contains(arg.substring(name.length()));
    }

    /**
     * Rewrites {@code zip} in place: the SDK shrunk when {@code shrink}, the libraries merged into one jar when
     * {@code merge}, then every jar stored. Returns what happened to each service jar (or that the shrinker was off)
     * and to the libraries.
     */
    public static List<String> repack(Path zip, boolean shrink, boolean merge) throws IOException {
        LinkedHashMap<String, byte[]> entries = SdkShrinker.readZip(Files.readAllBytes(zip));
        List<String> log = new ArrayList<>();
        if (shrink) {
            SdkShrinker.shrink(entries).forEach(report -> log.add(report.toString()));
        } else {
            log.add("SDK shrinker off (buildpush.shrink=false): every SDK class stays");
        }
        if (merge) {
            log.add(DependencyJar.merge(entries).toString());
        } else {
            log.add("libraries not merged (buildpush.merge=false): each stays the jar Quarkus wrote");
        }
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            if (entry.getKey().endsWith(".jar") && !entry.getKey().equals(DependencyJar.NAME)) {
                entry.setValue(write(SdkShrinker.readZip(entry.getValue()), true));
            }
        }
        Path temp = zip.resolveSibling(zip.getFileName() + ".repacking");
        Files.write(temp, write(entries, false));
        Files.move(temp, zip, StandardCopyOption.REPLACE_EXISTING);
        return log;
    }

    /** A zip of {@code entries} in order: stored (for a jar inside the function zip) or deflated at level 9. */
    static byte[] write(Map<String, byte[]> entries, boolean stored) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            out.setLevel(9);
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                byte[] content = entry.getValue();
                ZipEntry zipEntry = new ZipEntry(entry.getKey());
                zipEntry.setTime(ENTRY_TIME);
                if (stored) {
                    CRC32 crc = new CRC32();
                    crc.update(content);
                    zipEntry.setMethod(ZipEntry.STORED);
                    zipEntry.setSize(content.length);
                    zipEntry.setCompressedSize(content.length);
                    zipEntry.setCrc(crc.getValue());
                }
                out.putNextEntry(zipEntry);
                out.write(content);
                out.closeEntry();
            }
        }
        return bytes.toByteArray();
    }
}
