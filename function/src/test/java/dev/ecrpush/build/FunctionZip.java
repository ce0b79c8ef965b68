package dev.ecrpush.build;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The last packaging step, after Quarkus has written {@code target/function.zip}: the SDK service classes
 * the function cannot reach leave it ({@link SdkShrinker}), and every jar in it is rewritten with its entries
 * stored rather than deflated, the zip itself deflating them at its best level.
 *
 * <p>Deflating each class file on its own compresses poorly, since a class of a few kilobytes shares no
 * dictionary with the next; one deflate stream over a stored jar sees the package names, descriptors and
 * constants the classes repeat. The zip Lambda downloads shrinks by about a third, the unpacked function
 * grows (Lambda allows 250 MB unpacked), and classes load without inflating.
 */
public final class FunctionZip {
    /** A fixed entry time keeps the rewritten zip byte-for-byte reproducible. */
    private static final long ENTRY_TIME = 315532800000L;

    private FunctionZip() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: FunctionZip path/to/function.zip");
        }
        Path zip = Path.of(args[0]);
        long before = Files.size(zip);
        LinkedHashMap<String, byte[]> entries = SdkShrinker.readZip(Files.readAllBytes(zip));
        for (SdkShrinker.Report report : SdkShrinker.shrink(entries)) {
            System.out.println("[function-zip] " + report);
        }
        for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
            if (entry.getKey().endsWith(".jar")) {
                entry.setValue(write(SdkShrinker.readZip(entry.getValue()), true));
            }
        }
        Path temp = zip.resolveSibling(zip.getFileName() + ".repacking");
        Files.write(temp, write(entries, false));
        Files.move(temp, zip, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("[function-zip] %s: %.2f MB -> %.2f MB%n", zip.getFileName(), before / 1e6, Files.size(zip) / 1e6);
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
