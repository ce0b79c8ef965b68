package dev.ecrpush.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodNode;

/**
 * The zip {@link SdkShrinker} leaves: every class still in a service jar loads, links and initializes; every
 * client method the function's own code calls is intact; a method it does not call is the stub; and the zip
 * is within its size budget.
 */
class ShrunkZipIT {
    private static final Path ZIP = Path.of(System.getProperty("function.zip", "target/function.zip"));
    private static final long BUDGET_BYTES = 25_000_000;

    @TempDir
    static Path lib;
    private static Map<String, byte[]> serviceClasses;
    private static List<byte[]> functionClasses;

    @BeforeAll
    static void unpack() throws IOException {
        serviceClasses = new LinkedHashMap<>();
        functionClasses = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : SdkShrinker.readZip(Files.readAllBytes(ZIP)).entrySet()) {
            String name = entry.getKey();
            if (name.startsWith("lib/") && name.endsWith(".jar")) {
                Files.write(lib.resolve(name.substring(4)), entry.getValue());
                SdkShrinker.readZip(entry.getValue()).forEach((n, bytes) -> {
                    if (n.startsWith(SdkShrinker.SERVICES) && n.endsWith(".class")) {
                        serviceClasses.put(n.substring(0, n.length() - 6), bytes);
                    }
                });
            } else if (name.startsWith("dev/ecrpush/") && name.endsWith(".class")) {
                functionClasses.add(entry.getValue());
            }
        }
    }

    @Test
    void zip_isWithinItsBudget() throws IOException {
        long size = Files.size(ZIP);
        assertTrue(size <= BUDGET_BYTES, "function.zip is " + size + " bytes, over " + BUDGET_BYTES);
    }

    @Test
    void everyServiceClassLeft_loadsLinksAndInitializes() throws Exception {
        List<URL> jars = new ArrayList<>();
        try (var files = Files.list(lib)) {
            for (Path jar : files.toList()) {
                jars.add(jar.toUri().toURL());
            }
        }
        List<String> failures = new ArrayList<>();
        try (URLClassLoader loader = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
            for (String name : serviceClasses.keySet()) {
                try {
                    Class.forName(name.replace('/', '.'), true, loader);
                } catch (LinkageError | ClassNotFoundException e) {
                    failures.add(name + ": " + e);
                }
            }
        }
        assertTrue(serviceClasses.size() > 100, "service classes found: " + serviceClasses.size());
        assertEquals(List.of(), failures);
    }

    @Test
    void everyClientMethodTheFunctionCalls_isIntact() {
        Set<String> called = new TreeSet<>();
        for (byte[] bytes : functionClasses) {
            References refs = References.ofClass(node(bytes));
            refs.methods().stream().filter(m -> SdkShrinker.isClient(m.owner()))
                    .forEach(m -> called.add(m.owner() + "." + m.name() + m.descriptor()));
        }
        assertTrue(called.stream().anyMatch(c -> c.contains("ssm/SsmClient.putParameter")), called.toString());
        List<String> stubbed = new ArrayList<>();
        for (String call : called) {
            String owner = call.substring(0, call.indexOf('.'));
            String method = call.substring(call.indexOf('.') + 1);
            String implementation = owner.substring(0, owner.lastIndexOf('/') + 1) + "Default"
                    + owner.substring(owner.lastIndexOf('/') + 1);
            for (String client : List.of(owner, implementation)) {
                MethodNode node = method(client, method);
                if (node != null && isStub(node)) {
                    stubbed.add(client + "." + method);
                }
            }
        }
        assertEquals(List.of(), stubbed);
    }

    @Test
    void anOperationTheFunctionNeverCalls_isTheStubAndItsRequestIsGone() {
        MethodNode label = serviceClasses.keySet().stream()
                .filter(n -> n.endsWith("ssm/DefaultSsmClient")).findFirst()
                .map(n -> node(serviceClasses.get(n)).methods.stream()
                        .filter(m -> m.name.equals("labelParameterVersion")).findFirst().orElseThrow())
                .orElseThrow();
        assertTrue(isStub(label));
        assertFalse(serviceClasses.containsKey("software/amazon/awssdk/services/ssm/model/LabelParameterVersionRequest"));
        assertTrue(serviceClasses.containsKey("software/amazon/awssdk/services/ssm/model/PutParameterRequest"));
    }

    private static MethodNode method(String client, String nameAndDescriptor) {
        byte[] bytes = serviceClasses.get(client);
        if (bytes == null) {
            return null;
        }
        return node(bytes).methods.stream().filter(m -> (m.name + m.desc).equals(nameAndDescriptor)).findFirst().orElse(null);
    }

    private static boolean isStub(MethodNode method) {
        for (AbstractInsnNode insn : method.instructions) {
            if (insn instanceof LdcInsnNode ldc && ldc.cst instanceof String text && text.endsWith(SdkShrinker.NOT_PACKAGED)) {
                return true;
            }
        }
        return false;
    }

    private static ClassNode node(byte[] bytes) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, 0);
        return node;
    }
}
