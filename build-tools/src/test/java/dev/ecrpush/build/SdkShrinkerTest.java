package dev.ecrpush.build;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.tree.AbstractInsnNode;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.LdcInsnNode;
import org.objectweb.asm.tree.MethodInsnNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.TypeInsnNode;

/** The shrinker on a miniature SDK service: what the function reaches stays and works, the rest goes or throws. */
class SdkShrinkerTest {
    private static final String MODEL = DemoZip.DEMO + "model/";

    @TempDir
    Path dir;

    @Test
    void classesTheCallerReaches_stay_andTheOthersLeaveTheServiceJar() throws IOException {
        // given
        LinkedHashMap<String, byte[]> zip = DemoZip.entries();
        int before = classes(zip.get(DemoZip.SERVICE_JAR)).size();
        // when
        List<SdkShrinker.Report> reports = SdkShrinker.shrink(zip);
        // then
        Set<String> left = classes(zip.get(DemoZip.SERVICE_JAR));
        assertEquals(new TreeSet<>(List.of(
                        DemoZip.DEMO + "DefaultDemoClient", DemoZip.DEMO + "DemoClient",
                        DemoZip.DEMO + "internal/DemoInterceptor",
                        MODEL + "PutThingRequest", MODEL + "PutThingResponse", MODEL + "Thing")),
                left, "only what putThing, the clients' common methods and execution.interceptors name");
        assertEquals(1, reports.size());
        SdkShrinker.Report report = reports.get(0);
        assertEquals(DemoZip.SERVICE_JAR, report.jar());
        assertEquals(Set.of("putThing"), report.operations());
        assertEquals(before, report.classesBefore());
        assertEquals(left.size(), report.classesAfter());
        assertTrue(report.bytesAfter() < report.bytesBefore(), report.toString());
    }

    @Test
    void entriesOutsideTheServiceJars_areUntouched() throws IOException {
        LinkedHashMap<String, byte[]> before = DemoZip.entries();
        LinkedHashMap<String, byte[]> zip = DemoZip.entries();
        SdkShrinker.shrink(zip);
        assertEquals(before.keySet(), zip.keySet());
        for (Map.Entry<String, byte[]> entry : before.entrySet()) {
            if (!entry.getKey().equals(DemoZip.SERVICE_JAR)) {
                assertArrayEquals(entry.getValue(), zip.get(entry.getKey()), entry.getKey());
            }
        }
        assertTrue(SdkShrinker.readZip(zip.get(DemoZip.SERVICE_JAR)).containsKey(DemoZip.DEMO + "execution.interceptors"));
    }

    @Test
    void theShrunkClassesLoadLinkAndRun() throws Exception {
        // given
        LinkedHashMap<String, byte[]> zip = DemoZip.entries();
        SdkShrinker.shrink(zip);
        Path jar = Files.write(dir.resolve("service.jar"), zip.get(DemoZip.SERVICE_JAR));
        Path function = dir.resolve("function");
        for (Map.Entry<String, byte[]> entry : zip.entrySet()) {
            if (entry.getKey().endsWith(".class")) {
                Path file = function.resolve(entry.getKey());
                Files.createDirectories(file.getParent());
                Files.write(file, entry.getValue());
            }
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {function.toUri().toURL(), jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            // when: every class left is loaded, linked and initialized
            for (String name : classes(zip.get(DemoZip.SERVICE_JAR))) {
                Class.forName(name.replace('/', '.'), true, loader);
            }
            // and the function calls the operation it uses
            Object answer = loader.loadClass("dev.acme.app.Caller").getMethod("run", String.class).invoke(null, "widget");
            // then
            assertEquals("widget", answer);
        }
    }

    @Test
    void anOperationNothingCalls_keepsItsSignature_andThrowsThatItIsNotPackaged() throws IOException {
        LinkedHashMap<String, byte[]> zip = DemoZip.entries();
        SdkShrinker.shrink(zip);
        Map<String, byte[]> jar = SdkShrinker.readZip(zip.get(DemoZip.SERVICE_JAR));
        for (String client : List.of("DemoClient", "DefaultDemoClient")) {
            ClassNode node = node(jar.get(DemoZip.DEMO + client + ".class"));
            MethodNode listThings = method(node, "listThings");
            assertEquals("(L" + MODEL + "ListThingsRequest;)L" + MODEL + "ListThingsResponse;", listThings.desc);
            assertEquals(List.of("NEW java/lang/UnsupportedOperationException", "DUP",
                    "LDC demo listThings " + SdkShrinker.NOT_PACKAGED,
                    "INVOKESPECIAL java/lang/UnsupportedOperationException.<init>", "ATHROW"), instructions(listThings), client);
            assertFalse(instructions(method(node, "putThing")).contains("LDC demo putThing " + SdkShrinker.NOT_PACKAGED), client);
        }
    }

    @Test
    void aClientTheFunctionDoesNotName_isNotAClient() {
        assertTrue(SdkShrinker.isClient(DemoZip.DEMO + "DemoClient"));
        assertTrue(SdkShrinker.isClient(DemoZip.DEMO + "DefaultDemoClient"));
        assertFalse(SdkShrinker.isClient(DemoZip.DEMO + "DemoClient$Builder"));
        assertFalse(SdkShrinker.isClient(MODEL + "ThingClient"));
        assertFalse(SdkShrinker.isClient("org/acme/DemoClient"));
    }

    private static ClassNode node(byte[] bytes) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, 0);
        return node;
    }

    private static MethodNode method(ClassNode node, String name) {
        return node.methods.stream().filter(m -> m.name.equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(node.name + " has no " + name));
    }

    /** The method's instructions as text: opcode and the operand that matters here. */
    private static List<String> instructions(MethodNode method) {
        List<String> text = new ArrayList<>();
        for (AbstractInsnNode insn : method.instructions) {
            if (insn.getOpcode() < 0) {
                continue;
            }
            String opcode = switch (insn.getOpcode()) {
                case Opcodes.NEW -> "NEW";
                case Opcodes.DUP -> "DUP";
                case Opcodes.LDC -> "LDC";
                case Opcodes.INVOKESPECIAL -> "INVOKESPECIAL";
                case Opcodes.ATHROW -> "ATHROW";
                default -> "opcode " + insn.getOpcode();
            };
            if (insn instanceof TypeInsnNode type) {
                text.add(opcode + " " + type.desc);
            } else if (insn instanceof LdcInsnNode ldc) {
                text.add(opcode + " " + ldc.cst);
            } else if (insn instanceof MethodInsnNode call) {
                text.add(opcode + " " + call.owner + "." + call.name);
            } else {
                text.add(opcode);
            }
        }
        return text;
    }

    private static Set<String> classes(byte[] jar) throws IOException {
        Set<String> classes = new TreeSet<>();
        for (String name : SdkShrinker.readZip(jar).keySet()) {
            if (name.endsWith(".class")) {
                classes.add(name.substring(0, name.length() - ".class".length()));
            }
        }
        return classes;
    }
}
