package dev.ecrpush.local;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.api.client.AWSLambda;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;

/**
 * A packaged {@code function.zip} running as Lambda's managed Java runtime runs it, so that what the tests,
 * {@code scripts/invoke-local} and the benchmark exercise is the artifact we deploy, started the way Lambda
 * starts it: the zip is unpacked into a temporary task root, and a child {@code java} (the same
 * {@code java.home}) runs the real runtime interface client's {@code AWSLambda} main class with the handler
 * and the managed runtime's JVM flags for the memory size of its {@link Config} (usually read from
 * {@code template.yaml}), the classpath {@code <client jars>:<task root>:<task root>/lib/*} and the Lambda
 * environment pointing at a {@link LocalLambdaRuntime}.
 *
 * <p>The runtime interface client jars ({@code aws-lambda-java-runtime-interface-client},
 * {@code aws-lambda-java-core}, {@code aws-lambda-java-serialization}) are taken from wherever this JVM loaded
 * those classes, so the same code works under failsafe (whose {@code java.class.path} may be a manifest-only
 * jar) and from {@code scripts/invoke-local}.
 *
 * <p>The child gets no AWS credentials: its environment is this one without any {@code AWS_*} variable and
 * without JVM option variables, plus the Lambda variables, {@code AWS_EC2_METADATA_DISABLED=true} and shared
 * credentials/config files that do not exist. Callers may add variables. Its standard output and error are
 * kept in memory ({@link #output()}) so tests can check what the function logged.
 *
 * <p>How errors come back (checked with runtime interface client 2.6.0 by running handlers that throw): when
 * {@code handleRequest} throws, checked or not, the client posts
 * {@code {"errorMessage": getLocalizedMessage(), "errorType": getClass().getName(), "stackTrace": [...]}} for
 * the thrown exception itself (not its cause) to {@code /invocation/{id}/error}, with the header
 * {@code Lambda-Runtime-Function-Error-Type: Runtime.UserException}; a multi-line message keeps its line
 * breaks, and the stack trace stops at the handler's frame. So this function's {@code errorType} is the fully
 * qualified class name, for example {@code dev.ecrpush.error.InvalidStepException} (a nested class would
 * show as {@code Outer$Inner}). When the handler cannot be constructed, the client posts the same document
 * without {@code stackTrace} to {@code /init/error} with {@code Runtime.BadFunctionCode}.
 */
public final class FunctionProcess implements AutoCloseable {
    /**
     * How the function is configured in Lambda, as far as starting it goes: its handler
     * ({@code Class::method}) and its memory size, from which the heap flags follow.
     */
    public record Config(String handler, int memoryMb) {
        public Config {
            if (handler == null || handler.isBlank()) {
                throw new IllegalArgumentException("no handler");
            }
            if (memoryMb < 128) {
                throw new IllegalArgumentException("Lambda's smallest memory size is 128 MB, not " + memoryMb);
            }
        }

        /**
         * The first {@code Handler} and the first {@code MemorySize} in a SAM or CloudFormation template: the
         * function's configuration when it is the template's first function (or these are its Globals).
         */
        public static Config fromTemplate(Path template) {
            String text;
            try {
                text = Files.readString(template);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the function's template " + template, e);
            }
            return new Config(templateProperty(text, "Handler", template),
                    Integer.parseInt(templateProperty(text, "MemorySize", template)));
        }

        /** The same function with another handler: the bootstrap handler in the same zip, or a baseline. */
        public Config withHandler(String otherHandler) {
            return new Config(otherHandler, memoryMb);
        }

        private static String templateProperty(String text, String name, Path template) {
            Matcher m = Pattern.compile("(?m)^\\s+" + name + ":\\s*(\\S+)\\s*$").matcher(text);
            if (!m.find()) {
                throw new IllegalStateException(template + " has no " + name);
            }
            return m.group(1);
        }
    }

    private static final Duration IDLE_BEFORE_KILL = Duration.ofSeconds(5);
    /** The CPUs the function's process may use (Linux {@code taskset}): the benchmark's one-core figures. */
    public static final String CPUS_VARIABLE = "FUNCTION_CPUS";
    /**
     * JVM options for the function, given to it as {@code JAVA_TOOL_OPTIONS}, as a deployer sets that variable in the
     * function's configuration on Lambda (the benchmark's {@code FUNCTION_JAVA_TOOL_OPTIONS=-XX:MaxRAM=1024m}, for one).
     */
    public static final String JAVA_TOOL_OPTIONS_VARIABLE = "FUNCTION_JAVA_TOOL_OPTIONS";
    private static final Set<String> JVM_OPTION_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    private final Process process;
    /** The control group sharing its CPU as Lambda does ({@link LocalLambdaRuntime.CpuShare#MEMORY}); null otherwise. */
    private final CpuQuota cpuQuota;
    private final LocalLambdaRuntime runtime;
    private final Path workDir;
    private final Thread pump;
    private final ByteArrayOutputStream output;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final long startedAtNanos;

    private FunctionProcess(Process process, CpuQuota cpuQuota, long startedAtNanos, LocalLambdaRuntime runtime, Path workDir,
            Thread pump, ByteArrayOutputStream output) {
        this.process = process;
        this.cpuQuota = cpuQuota;
        this.startedAtNanos = startedAtNanos;
        this.runtime = runtime;
        this.workDir = workDir;
        this.pump = pump;
        this.output = output;
    }

    /** Starts the function with no extra environment and without echoing its log. */
    public static FunctionProcess start(Path functionZip, Config config, LocalLambdaRuntime runtime) throws IOException {
        return start(functionZip, config, runtime, Map.of(), OutputStream.nullOutputStream());
    }

    /**
     * Unpacks {@code functionZip} and starts it as {@code config} says, against {@code runtime}.
     *
     * @param extraEnv variables added to (and overriding) the Lambda environment, as function configuration would
     * @param echo     also receives the function's output as it is written, for example standard error
     */
    public static FunctionProcess start(Path functionZip, Config config, LocalLambdaRuntime runtime,
            Map<String, String> extraEnv, OutputStream echo) throws IOException {
        if (!Files.isRegularFile(functionZip)) {
            throw new IOException(functionZip + " does not exist: package the function first (./mvnw package)");
        }
        Path workDir = Files.createTempDirectory("function-process-");
        try {
            return launch(functionZip, config, workDir, runtime, extraEnv, echo);
        } catch (IOException | RuntimeException e) {
            deleteRecursively(workDir);
            throw e;
        }
    }

    private static FunctionProcess launch(Path functionZip, Config config, Path workDir, LocalLambdaRuntime runtime,
            Map<String, String> extraEnv, OutputStream echo) throws IOException {
        String handler = config.handler();
        Path taskRoot = workDir.resolve("task");
        unzip(functionZip, taskRoot);

        List<String> command = new ArrayList<>(cpuPinning(System.getenv(CPUS_VARIABLE)));
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(managedRuntimeJvmFlags(config.memoryMb()));
        command.add("-cp");
        command.add(Stream.concat(runtimeInterfaceClientJars().stream(),
                        Stream.of(taskRoot.toString(), taskRoot.resolve("lib") + File.separator + "*"))
                .collect(Collectors.joining(File.pathSeparator)));
        command.add(AWSLambda.class.getName());
        command.add(handler);

        ProcessBuilder builder = new ProcessBuilder(command).directory(taskRoot.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("AWS_") || JVM_OPTION_VARIABLES.contains(name));
        env.put("AWS_LAMBDA_RUNTIME_API", runtime.address());
        env.put("AWS_LAMBDA_FUNCTION_NAME", LocalLambdaRuntime.FUNCTION_NAME);
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(config.memoryMb()));
        env.put("AWS_REGION", LocalLambdaRuntime.REGION);
        env.put("AWS_DEFAULT_REGION", LocalLambdaRuntime.REGION);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("AWS_SHARED_CREDENTIALS_FILE", workDir.resolve("no-credentials").toString());
        env.put("AWS_CONFIG_FILE", workDir.resolve("no-config").toString());
        env.put("_HANDLER", handler);
        env.put("LAMBDA_TASK_ROOT", taskRoot.toString());
        env.putAll(javaToolOptions(System.getenv(JAVA_TOOL_OPTIONS_VARIABLE)));
        env.putAll(extraEnv);

        long startedAtNanos = System.nanoTime();
        Process process = builder.start();
        // Init is not throttled, so the few milliseconds the JVM runs before it is in its group change nothing.
        CpuQuota cpuQuota = null;
        if (runtime.cpuShare() == LocalLambdaRuntime.CpuShare.MEMORY) {
            try {
                cpuQuota = CpuQuota.create(process.pid());
            } catch (IOException e) {
                process.destroyForcibly();
                throw new IOException(LocalLambdaRuntime.CpuShare.VARIABLE + "=memory cannot be had here: " + e.getMessage(), e);
            }
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(process.getInputStream(), output, echo), "function-output");
        pump.setDaemon(true);
        pump.start();
        CpuQuota quota = cpuQuota;
        long invocationMicros = CpuQuota.quotaMicros(config.memoryMb());
        runtime.attach(process.toHandle(), quota == null ? () -> { } : () -> quota.limit(invocationMicros));
        FunctionProcess function = new FunctionProcess(process, quota, startedAtNanos, runtime, workDir, pump, output);
        process.onExit().thenRun(() -> {
            if (!function.closed.get()) {
                function.awaitOutputDrained();
                runtime.abandon("the function process exited with status " + process.exitValue()
                        + "; its output ends with:\n" + tail(function.output(), 4000));
            }
        });
        return function;
    }

    /** {@code JAVA_TOOL_OPTIONS} for the function when {@value #JAVA_TOOL_OPTIONS_VARIABLE} names options; nothing otherwise. */
    static Map<String, String> javaToolOptions(String options) {
        return options == null || options.isBlank() ? Map.of() : Map.of("JAVA_TOOL_OPTIONS", options.strip());
    }

    /**
     * {@code taskset -c CPUS} when {@value #CPUS_VARIABLE} names the CPUs the function may run on (for example {@code 0}:
     * one core, nearer a small function's share of a CPU than the whole machine); nothing when it is unset.
     */
    static List<String> cpuPinning(String cpus) {
        if (cpus == null || cpus.isBlank()) {
            return List.of();
        }
        if (!cpus.strip().matches("[0-9]+([,-][0-9]+)*")) {
            throw new IllegalArgumentException(CPUS_VARIABLE + " must be a CPU list such as 0 or 0-1, not " + cpus);
        }
        return List.of("taskset", "-c", cpus.strip());
    }

    /**
     * What the managed Java 17+ runtime passes to the JVM: 85 % of the memory as heap, 10 % metaspace, 5 % code
     * cache, the serial collector and C1-only tiered compilation.
     */
    private static List<String> managedRuntimeJvmFlags(int memoryMb) {
        long kib = memoryMb * 1024L;
        return List.of(
                "-XX:MaxHeapSize=" + Math.round(kib * 0.85) + "k",
                "-XX:MaxMetaspaceSize=" + Math.round(kib * 0.10) + "k",
                "-XX:ReservedCodeCacheSize=" + Math.round(kib * 0.05) + "k",
                "-XX:+UseSerialGC",
                "-Xshare:auto",
                "-XX:+TieredCompilation",
                "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true");
    }

    /** When the JVM was started ({@link System#nanoTime()}), after the zip was unpacked: where Lambda's init duration starts. */
    public long startedAtNanos() {
        return startedAtNanos;
    }

    /** CPU time (user and system) the function's JVM has used so far: unlike wall time, other load on the machine hardly moves it. */
    public Duration cpuTime() {
        return process.info().totalCpuDuration().orElseThrow(() -> new IllegalStateException("no CPU time for the function's process"));
    }

    /** Everything the function wrote to standard output and standard error so far. */
    public String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Lets the function finish what it does after its last answer (bounded), then kills its process tree,
     * waits for its output to be drained and removes the task root. {@link #output()} is complete after this.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (process.isAlive()) {
            runtime.awaitIdle(IDLE_BEFORE_KILL);
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        awaitOutputDrained();
        if (cpuQuota != null) {
            cpuQuota.close();
        }
        deleteRecursively(workDir);
    }

    /**
     * The CPU time the function's process may use in each period of {@link CpuQuota#PERIOD_MICROS} µs, as the kernel
     * has it now: empty when nothing limits it (no {@link LocalLambdaRuntime.CpuShare#MEMORY}, or still in its init).
     */
    public Optional<Long> cpuQuotaMicros() {
        return cpuQuota == null ? Optional.empty() : cpuQuota.limitMicros();
    }

    private void awaitOutputDrained() {
        try {
            pump.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> runtimeInterfaceClientJars() {
        return Stream.of(AWSLambda.class, Context.class, PojoSerializer.class)
                .map(FunctionProcess::jarOf)
                .distinct()
                .toList();
    }

    private static String jarOf(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null) {
            throw new IllegalStateException("cannot tell which jar " + type.getName() + " was loaded from");
        }
        try {
            return Path.of(source.getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void unzip(Path zip, Path target) throws IOException {
        Files.createDirectories(target);
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path file = target.resolve(entry.getName()).normalize();
                if (!file.startsWith(target)) {
                    throw new IOException("zip entry outside the task root: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(file);
                } else {
                    Files.createDirectories(file.getParent());
                    Files.copy(in, file);
                }
            }
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream output, OutputStream echo) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (output) {
                    output.write(buffer, 0, n);
                }
                echo.write(buffer, 0, n);
                echo.flush();
            }
        } catch (IOException e) {
            // The pipe broke because the process was killed: what was read so far is kept.
        }
    }

    private static String tail(String text, int chars) {
        return text.length() <= chars ? text : "..." + text.substring(text.length() - chars);
    }
}
