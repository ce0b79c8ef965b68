package dev.ecrpush.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The AWS operations the function's compiled classes call, found in their bytecode: every call (or method
 * reference) to an operation of an SDK v2 synchronous client interface, {@code software/amazon/awssdk/services/
 * <service>/<Service>Client}, mapped to its IAM action {@code <prefix>:<Operation>}. Reading the classes rather
 * than the source sees every call, however the client variable is named or wherever it came from.
 */
final class SdkCalls {
    static final Path CLASSES = Path.of("target/classes");

    /** IAM service prefixes by SDK service package; an unknown service fails the scan until it is added here. */
    static final Map<String, String> IAM_PREFIX = Map.of(
            "sts", "sts", "secretsmanager", "secretsmanager", "ssm", "ssm", "ecr", "ecr", "codebuild", "codebuild",
            "ecs", "ecs", "dynamodb", "dynamodb", "sfn", "states", "cloudwatchlogs", "logs", "signer", "signer");

    private static final Pattern CLIENT = Pattern.compile("software/amazon/awssdk/services/([a-z0-9]+)/([A-Za-z0-9]+)Client");
    /** Client methods that are no AWS operation. */
    private static final Set<String> NOT_OPERATIONS = Set.of("close", "serviceName", "serviceClientConfiguration",
            "waiter", "utilities", "builder", "create");

    private SdkCalls() {
    }

    /**
     * IAM action → the classes that call it, for the classes whose internal name starts with {@code packagePrefix}
     * and with none of {@code excludedPrefixes} (the code of another function in the same zip).
     */
    static Map<String, Set<String>> scan(String packagePrefix, String... excludedPrefixes) {
        Map<String, Set<String>> calls = new TreeMap<>();
        try (Stream<Path> files = Files.walk(CLASSES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                String name = CLASSES.relativize(file).toString().replace('\\', '/');
                if (name.startsWith(packagePrefix) && Stream.of(excludedPrefixes).noneMatch(name::startsWith)) {
                    scanClass(file, calls);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("compile first: " + CLASSES + " cannot be read", e);
        }
        return calls;
    }

    static Map<String, Set<String>> scanAll() {
        return scan("dev/ecrpush/");
    }

    /** The image bootstrap function's code: the same zip, its own handler and role. */
    static final String IMAGE_BOOTSTRAP = "dev/ecrpush/images/";
    /** The index writer, which the image bootstrap calls too (the kaniko-ecr image's index). */
    static final String IMAGE_INDEX_WRITER = "dev/ecrpush/registry/ImageIndexWriter";

    /** The build-push function's calls: every class but the image bootstrap's. */
    static Map<String, Set<String>> scanFunction() {
        return scan("dev/ecrpush/", IMAGE_BOOTSTRAP);
    }

    private static void scanClass(Path file, Map<String, Set<String>> calls) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            ClassReader reader = new ClassReader(in);
            String className = reader.getClassName().replace('/', '.');
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String method, String desc, boolean isInterface) {
                            if (opcode == Opcodes.INVOKEINTERFACE) {
                                record(owner, method, className, calls);
                            }
                        }

                        @Override
                        public void visitInvokeDynamicInsn(String method, String desc, Handle bootstrap, Object... arguments) {
                            // A method reference such as ecr::describeImages.
                            for (Object argument : arguments) {
                                if (argument instanceof Handle handle && handle.getTag() == Opcodes.H_INVOKEINTERFACE) {
                                    record(handle.getOwner(), handle.getName(), className, calls);
                                }
                            }
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
    }

    private static void record(String owner, String method, String caller, Map<String, Set<String>> calls) {
        Matcher client = CLIENT.matcher(owner);
        if (!client.matches() || NOT_OPERATIONS.contains(method)) {
            return;
        }
        String service = client.group(1);
        String prefix = IAM_PREFIX.get(service);
        if (prefix == null) {
            throw new AssertionError(caller + " calls " + owner.replace('/', '.') + "." + method + ": add the IAM prefix of"
                    + " the SDK service '" + service + "' to SdkCalls.IAM_PREFIX");
        }
        String operation = method.endsWith("Paginator") ? method.substring(0, method.length() - "Paginator".length()) : method;
        String action = prefix + ":" + Character.toUpperCase(operation.charAt(0)) + operation.substring(1);
        calls.computeIfAbsent(action, a -> new TreeSet<>()).add(caller.replaceAll("\\$.*", ""));
    }
}
