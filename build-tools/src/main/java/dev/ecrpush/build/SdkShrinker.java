package dev.ecrpush.build;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.InsnList;
import org.objectweb.asm.tree.InsnNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/**
 * Takes out of {@code function.zip} the parts of the AWS SDK service jars that the function cannot reach.
 *
 * <p>An SDK service jar carries every operation of its service (SSM alone has 147, about 6 MB), and the
 * function calls a handful. The generated client is the only place where one operation leads to the
 * next: its method for an operation names that operation's request, response and marshaller, and through
 * them the model types. So the client classes are followed method by method, from the methods the rest of
 * the zip calls, and every other class of a service jar is kept whole once anything kept names it. A client
 * method nothing reaches keeps its signature and gets a body that throws
 * {@link UnsupportedOperationException}, so the verifier never needs the classes it named; the classes
 * nothing names leave the jar. Classes outside the service jars are never changed.
 *
 * <p>Run by {@link FunctionZip} at {@code package}, after Quarkus has written the zip. The end-to-end tests
 * then run the zip this leaves, and {@code ShrunkZipIT} loads and links every class in it.
 */
public final class SdkShrinker {
    /** Where the SDK's service jars keep their classes. */
    public static final String SERVICES = "software/amazon/awssdk/services/";
    /** How the message of a removed client method ends. */
    public static final String NOT_PACKAGED = "is not packaged in this function: its SDK classes are removed at build time";
    private static final Pattern CLASS_NAME = Pattern.compile("software[./]amazon[./]awssdk[./]services[./][A-Za-z0-9_.$/]+");

    /** One jar of the zip, by entry name, with its entries in order. */
    private record Jar(String entry, LinkedHashMap<String, byte[]> entries) {
    }

    /** One service jar's outcome, for the build log and the tests. */
    record Report(String jar, long bytesBefore, long bytesAfter, int classesBefore, int classesAfter, Set<String> operations) {
        @Override
        public String toString() {
            return String.format("%-45s %6.2f MB -> %5.2f MB, classes %5d -> %4d, client methods kept: %s", jar,
                    bytesBefore / 1e6, bytesAfter / 1e6, classesBefore, classesAfter, operations);
        }
    }

    private final Map<String, byte[]> serviceClasses = new HashMap<>();
    private final Map<String, ClassNode> parsed = new HashMap<>();
    private final Set<String> needed = new HashSet<>();
    private final Deque<String> pending = new ArrayDeque<>();
    /** Per service root (e.g. {@code software/amazon/awssdk/services/ssm/}), the client methods reached, as name + descriptor. */
    private final Map<String, Set<String>> reachedClientMethods = new HashMap<>();
    private final Set<String> scannedClientMethods = new HashSet<>();

    /** Replaces the service jars among the zip's entries and says what each became. */
    static List<Report> shrink(LinkedHashMap<String, byte[]> zip) throws IOException {
        return new SdkShrinker().shrinkEntries(zip);
    }

    private List<Report> shrinkEntries(LinkedHashMap<String, byte[]> zip) throws IOException {
        List<Jar> serviceJars = new ArrayList<>();
        List<byte[]> otherClasses = new ArrayList<>();
        List<String> otherResources = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : zip.entrySet()) {
            String name = entry.getKey();
            if (name.endsWith(".jar")) {
                Jar jar = new Jar(name, readZip(entry.getValue()));
                if (isServiceJar(jar)) {
                    serviceJars.add(jar);
                    jar.entries().forEach((n, bytes) -> {
                        if (n.endsWith(".class")) {
                            serviceClasses.put(n.substring(0, n.length() - 6), bytes);
                        } else if (!n.endsWith("/")) {
                            otherResources.add(new String(bytes, StandardCharsets.UTF_8));
                        }
                    });
                } else {
                    collect(jar.entries(), otherClasses, otherResources);
                }
            }
        }
        collect(zip, otherClasses, otherResources);

        for (byte[] bytes : otherClasses) {
            follow(References.ofClass(parse(bytes)));
        }
        // Service loaders, interceptor lists and reflection configs name classes as text.
        for (String text : otherResources) {
            followStrings(Set.of(text));
        }
        drain();

        List<Report> reports = new ArrayList<>();
        for (Jar jar : serviceJars) {
            reports.add(rewrite(jar, zip));
        }
        return reports;
    }

    private static boolean isServiceJar(Jar jar) {
        boolean any = false;
        for (String name : jar.entries().keySet()) {
            if (name.endsWith(".class")) {
                if (!name.startsWith(SERVICES) || name.equals("module-info.class")) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }

    private static void collect(Map<String, byte[]> entries, List<byte[]> classes, List<String> resources) {
        entries.forEach((name, bytes) -> {
            if (name.endsWith(".class")) {
                classes.add(bytes);
            } else if (name.startsWith("META-INF/services/") || name.endsWith(".interceptors") || name.endsWith(".json")) {
                resources.add(new String(bytes, StandardCharsets.UTF_8));
            }
        });
    }

    private void follow(References refs) {
        refs.types.forEach(this::need);
        for (References.MethodRef call : refs.methods) {
            if (isClient(call.owner())) {
                need(call.owner());
                if (reachedClientMethods.computeIfAbsent(serviceRoot(call.owner()), k -> new HashSet<>())
                        .add(call.name() + call.descriptor())) {
                    // A newly reached operation: the service's client classes are looked at again.
                    needed.stream().filter(c -> isClient(c) && serviceRoot(c).equals(serviceRoot(call.owner())))
                            .forEach(pending::add);
                }
            }
        }
        followStrings(refs.strings);
    }

    private void followStrings(Set<String> strings) {
        for (String text : strings) {
            Matcher matcher = CLASS_NAME.matcher(text);
            while (matcher.find()) {
                need(matcher.group().replace('.', '/'));
            }
        }
    }

    private void need(String internalName) {
        String name = internalName.startsWith("[") ? Type.getType(internalName).getElementType().getInternalName() : internalName;
        if (serviceClasses.containsKey(name) && needed.add(name)) {
            pending.add(name);
        }
    }

    private void drain() {
        while (!pending.isEmpty()) {
            String name = pending.poll();
            ClassNode node = parsed(name);
            if (!isClient(name)) {
                follow(References.ofClass(node));
                continue;
            }
            follow(References.ofHeader(node));
            for (MethodNode method : node.methods) {
                if (reached(name, method) && scannedClientMethods.add(name + "." + method.name + method.desc)) {
                    follow(References.ofMethod(method));
                }
            }
        }
    }

    /**
     * A client method is kept when something calls it, or when it is part of every client rather than
     * one operation: constructors, {@code close}, {@code serviceName}, the builders. A method is one
     * operation when its signature names the service's model, paginators or waiters.
     */
    private boolean reached(String client, MethodNode method) {
        if (method.name.equals("<init>") || method.name.equals("<clinit>")) {
            return true;
        }
        if (reachedClientMethods.getOrDefault(serviceRoot(client), Set.of()).contains(method.name + method.desc)) {
            return true;
        }
        boolean api = (method.access & (Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED)) != 0
                && (method.access & (Opcodes.ACC_SYNTHETIC | Opcodes.ACC_BRIDGE)) == 0;
        return api && !isOperation(client, method);
    }

    private static boolean isOperation(String client, MethodNode method) {
        String root = serviceRoot(client);
        String signature = method.signature != null ? method.signature : method.desc;
        return signature.contains("L" + root + "model/") || signature.contains("L" + root + "paginators/")
                || signature.contains("L" + root + "waiters/");
    }

    /** The generated clients ({@code SsmClient}, {@code DefaultSsmClient}, the async ones) hold one method per operation. */
    public static boolean isClient(String internalName) {
        if (!internalName.startsWith(SERVICES)) {
            return false;
        }
        String rest = internalName.substring(SERVICES.length());
        int slash = rest.indexOf('/');
        return slash > 0 && rest.indexOf('/', slash + 1) < 0 && rest.endsWith("Client") && !rest.contains("$");
    }

    private static String serviceRoot(String internalName) {
        int end = internalName.indexOf('/', SERVICES.length());
        return internalName.substring(0, end + 1);
    }

    private ClassNode parsed(String name) {
        return parsed.computeIfAbsent(name, n -> parse(serviceClasses.get(n)));
    }

    private static ClassNode parse(byte[] bytes) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, 0);
        return node;
    }

    private Report rewrite(Jar jar, Map<String, byte[]> zip) throws IOException {
        LinkedHashMap<String, byte[]> kept = new LinkedHashMap<>();
        int before = 0;
        Set<String> operations = new TreeSet<>();
        for (Map.Entry<String, byte[]> entry : jar.entries().entrySet()) {
            String name = entry.getKey();
            if (!name.endsWith(".class")) {
                kept.put(name, entry.getValue());
                continue;
            }
            before++;
            String className = name.substring(0, name.length() - 6);
            if (!needed.contains(className)) {
                continue;
            }
            kept.put(name, isClient(className) ? stubUnreached(className, operations) : entry.getValue());
        }
        byte[] rewritten = FunctionZip.write(kept, false);
        long bytesBefore = zip.get(jar.entry()).length;
        zip.put(jar.entry(), rewritten);
        int after = (int) kept.keySet().stream().filter(n -> n.endsWith(".class")).count();
        return new Report(jar.entry(), bytesBefore, rewritten.length, before, after, operations);
    }

    private byte[] stubUnreached(String client, Set<String> operations) {
        ClassNode node = parsed(client);
        String service = serviceRoot(client).substring(SERVICES.length(), serviceRoot(client).length() - 1);
        for (MethodNode method : node.methods) {
            if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                continue;
            }
            if (scannedClientMethods.contains(client + "." + method.name + method.desc)) {
                if (isOperation(client, method) && client.substring(client.lastIndexOf('/') + 1).startsWith("Default")) {
                    operations.add(method.name);
                }
                continue;
            }
            stub(method, service + " " + method.name + " " + NOT_PACKAGED);
        }
        node.innerClasses.removeIf(inner -> serviceClasses.containsKey(inner.name) && !needed.contains(inner.name));
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        node.accept(writer);
        return writer.toByteArray();
    }

    private static void stub(MethodNode method, String message) {
        InsnList body = new InsnList();
        body.add(new TypeInsnNode(Opcodes.NEW, "java/lang/UnsupportedOperationException"));
        body.add(new InsnNode(Opcodes.DUP));
        body.add(new LdcInsnNode(message));
        body.add(new MethodInsnNode(Opcodes.INVOKESPECIAL, "java/lang/UnsupportedOperationException", "<init>",
                "(Ljava/lang/String;)V", false));
        body.add(new InsnNode(Opcodes.ATHROW));
        method.instructions = body;
        method.tryCatchBlocks.clear();
        method.localVariables = null;
        method.visibleLocalVariableAnnotations = null;
        method.invisibleLocalVariableAnnotations = null;
        method.visibleTypeAnnotations = null;
        method.invisibleTypeAnnotations = null;
    }

    /** A zip's entries by name, in order. */
    public static LinkedHashMap<String, byte[]> readZip(byte[] bytes) throws IOException {
        LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.put(entry.getName(), in.readAllBytes());
            }
        }
        return entries;
    }
}
