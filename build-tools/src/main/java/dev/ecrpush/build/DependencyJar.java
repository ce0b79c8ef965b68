package dev.ecrpush.build;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

/**
 * The function's libraries as one jar: every {@code lib/*.jar} of {@code function.zip} merged into
 * {@value #NAME}.
 *
 * <p>The JVM looks a class up in the class path's jars one after the other, and a resource lookup (a service file, a
 * class that is not there) opens and searches every one of them. With the 161 jars Quarkus writes, that search is a
 * large part of a cold start: measured with the benchmark, one jar starts the function about a third of a second
 * sooner, and its first run as much again (docs/contributing.md, "One dependency jar").
 *
 * <p>What more than one jar holds, decided in {@link #merge} and nowhere else:
 * <ul>
 * <li>a class: the same bytes are kept once; different bytes stop the build, since which one the class path would
 *     load depends on the order of a directory listing;
 * <li>a service provider file ({@code META-INF/services/}) and a {@code .properties} file under {@code META-INF/}:
 *     every jar's copy, one after the other, as a look-up of all resources of that name would read them;
 * <li>any other resource: the first jar's copy (in name order) at its path, and every jar's copy under
 *     {@code META-INF/jars/JAR/}, so that no licence or notice is lost.
 * </ul>
 * Each jar's manifest, signature files, {@code INDEX.LIST} (it names jars that no longer exist) and
 * {@code module-info.class} (the class path has no modules) are left out. The merged jar is multi-release when any
 * jar was, and keeps the versioned classes of those jars only; its manifest gives each package its jar's
 * specification and implementation titles, versions and vendors, which {@link Package} reports (Quarkus' Lambda
 * poll loop sends its implementation version to the Runtime API in its user agent).
 */
public final class DependencyJar {
    /** The one jar, where Lambda's Java runtime looks for the function's libraries. */
    public static final String NAME = "lib/dependencies.jar";
    /** Where each jar's copy of a resource that differs between jars is kept. */
    static final String PER_JAR = "META-INF/jars/";
    private static final String MANIFEST = "META-INF/MANIFEST.MF";
    private static final String VERSIONS = "META-INF/versions/";

    private DependencyJar() {
    }

    /** The merge's outcome, for the build log and the tests. */
    record Report(int jars, int entries, List<String> concatenated, List<String> keptPerJar) {
        @Override
        public String toString() {
            return String.format("%d jars merged into %s: %d entries; %d resources concatenated, %d kept per jar under %s", jars,
                    NAME, entries, concatenated.size(), keptPerJar.size(), PER_JAR);
        }
    }

    /**
     * Replaces the {@code lib/*.jar} entries of {@code zip} with {@value #NAME} (its entries stored), in place.
     *
     * @throws IllegalStateException when two jars hold the same class with different bytes
     */
    static Report merge(LinkedHashMap<String, byte[]> zip) throws IOException {
        List<String> jars = zip.keySet().stream().filter(DependencyJar::isLibrary).sorted().toList();
        Map<String, List<Copy>> copies = new LinkedHashMap<>();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (String jar : jars) {
            LinkedHashMap<String, byte[]> entries = SdkShrinker.readZip(zip.get(jar));
            Manifest own = entries.containsKey(MANIFEST) ? new Manifest(new ByteArrayInputStream(entries.get(MANIFEST))) : new Manifest();
            boolean multiRelease = "true".equalsIgnoreCase(own.getMainAttributes().getValue(Attributes.Name.MULTI_RELEASE));
            if (multiRelease) {
                manifest.getMainAttributes().put(Attributes.Name.MULTI_RELEASE, "true");
            }
            Attributes packageAttributes = packageAttributes(own.getMainAttributes());
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                String name = entry.getKey();
                if (leftOut(name) || name.startsWith(VERSIONS) && !multiRelease) {
                    continue;
                }
                copies.computeIfAbsent(name, n -> new ArrayList<>()).add(new Copy(jar.substring("lib/".length()), entry.getValue()));
                // A package's versions and titles are its jar's, read when the class loader defines the package.
                if (name.endsWith(".class") && name.indexOf('/') > 0 && !name.startsWith("META-INF/") && !packageAttributes.isEmpty()) {
                    manifest.getEntries().putIfAbsent(name.substring(0, name.lastIndexOf('/') + 1), packageAttributes);
                }
            }
        }
        LinkedHashMap<String, byte[]> merged = new LinkedHashMap<>();
        ByteArrayOutputStream manifestBytes = new ByteArrayOutputStream();
        manifest.write(manifestBytes);
        merged.put(MANIFEST, manifestBytes.toByteArray());
        List<String> concatenated = new ArrayList<>();
        Map<String, byte[]> perJar = new TreeMap<>();
        copies.forEach((name, all) -> {
            byte[] first = all.get(0).bytes();
            if (all.stream().allMatch(copy -> Arrays.equals(copy.bytes(), first))) {
                merged.put(name, first);
            } else if (name.endsWith(".class")) {
                throw new IllegalStateException(name + " differs between " + all.stream().map(Copy::jar).toList()
                        + ": which one the class path would load is not defined");
            } else if (name.startsWith("META-INF/services/") || name.startsWith("META-INF/") && name.endsWith(".properties")) {
                merged.put(name, concatenate(all));
                concatenated.add(name);
            } else {
                merged.put(name, first);
                all.forEach(copy -> perJar.put(PER_JAR + copy.jar() + "/" + name, copy.bytes()));
            }
        });
        merged.putAll(perJar);
        LinkedHashMap<String, byte[]> rewritten = new LinkedHashMap<>();
        zip.forEach((name, bytes) -> {
            if (!isLibrary(name)) {
                rewritten.put(name, bytes);
            }
        });
        rewritten.put(NAME, FunctionZip.write(merged, true));
        zip.clear();
        zip.putAll(rewritten);
        return new Report(jars.size(), merged.size(), concatenated,
                perJar.keySet().stream().map(n -> n.substring(n.indexOf('/', PER_JAR.length()) + 1)).distinct().toList());
    }

    private record Copy(String jar, byte[] bytes) {
    }

    private static boolean isLibrary(String name) {
        return name.startsWith("lib/") && name.endsWith(".jar") && name.indexOf('/', "lib/".length()) < 0;
    }

    /** What no merged jar may carry over from the jars it merges. */
    private static boolean leftOut(String name) {
        String file = name.substring(name.lastIndexOf('/') + 1);
        boolean metaInf = name.startsWith("META-INF/") && name.indexOf('/', "META-INF/".length()) < 0;
        return name.equals(MANIFEST)
                || name.equals("META-INF/INDEX.LIST")
                || metaInf && (file.endsWith(".SF") || file.endsWith(".RSA") || file.endsWith(".DSA") || file.endsWith(".EC")
                        || file.startsWith("SIG-"))
                || file.equals("module-info.class");
    }

    /** The attributes of a jar's main section that {@link Package} reports for each of its packages. */
    private static Attributes packageAttributes(Attributes main) {
        Attributes attributes = new Attributes();
        for (Attributes.Name name : List.of(Attributes.Name.SPECIFICATION_TITLE, Attributes.Name.SPECIFICATION_VERSION,
                Attributes.Name.SPECIFICATION_VENDOR, Attributes.Name.IMPLEMENTATION_TITLE, Attributes.Name.IMPLEMENTATION_VERSION,
                Attributes.Name.IMPLEMENTATION_VENDOR)) {
            if (main.getValue(name) != null) {
                attributes.put(name, main.getValue(name));
            }
        }
        return attributes;
    }

    /** Every copy, in jar order, each ending with a line break. */
    private static byte[] concatenate(List<Copy> all) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Copy copy : all) {
            out.writeBytes(copy.bytes());
            if (copy.bytes().length > 0 && copy.bytes()[copy.bytes().length - 1] != '\n') {
                out.write('\n');
            }
        }
        return out.toByteArray();
    }
}
