package dev.ecrpush.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ecrpush.local.LocalLambdaRuntime.Failure;
import dev.ecrpush.local.fixture.EchoHandler;

/**
 * Small handlers of this module's tests, packaged as a function zip and run the way the function's zip is run:
 * under the runtime interface client, against a {@link LocalLambdaRuntime}, with Lambda's environment.
 */
class FunctionProcessTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String FIXTURE = "dev.ecrpush.local.fixture.";

    @TempDir
    static Path dir;
    private static Path zip;

    @BeforeAll
    static void packageTheHandlers() throws IOException, URISyntaxException {
        Path classes = Path.of(EchoHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        zip = dir.resolve("function.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip));
                Stream<Path> files = Files.walk(classes.resolve("dev/ecrpush/local/fixture"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new ZipEntry(classes.relativize(file).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }
    }

    @Test
    void theHandlerAnswers_inLambdasEnvironment_withoutTheCallersCredentials() throws IOException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "EchoHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(zip, config, runtime, Map.of("EXTRA", "given"),
                        OutputStream.nullOutputStream())) {
            // when
            LocalLambdaRuntime.Success first = runtime.invoke("{\"n\":1}".getBytes(StandardCharsets.UTF_8), TIMEOUT).success();
            LocalLambdaRuntime.Success second = runtime.invoke("{\"n\":2}".getBytes(StandardCharsets.UTF_8), TIMEOUT).success();
            // then
            Map<String, String> answer = lines(first.payload());
            assertEquals("{\"n\":1}", answer.get("event"));
            assertEquals("{\"n\":2}", lines(second.payload()).get("event"));
            assertEquals(first.requestId(), answer.get("requestId"));
            assertEquals(LocalLambdaRuntime.FUNCTION_NAME, answer.get("functionName"));
            assertEquals("256", answer.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE"));
            assertEquals(LocalLambdaRuntime.REGION, answer.get("AWS_REGION"));
            assertEquals("true", answer.get("AWS_EC2_METADATA_DISABLED"));
            assertEquals(config.handler(), answer.get("_HANDLER"));
            assertEquals("given", answer.get("EXTRA"));
            assertEquals("null", answer.get("AWS_ACCESS_KEY_ID"));
            assertEquals("null", answer.get("AWS_SECRET_ACCESS_KEY"));
            assertTrue(Files.isRegularFile(Path.of(answer.get("LAMBDA_TASK_ROOT"), "dev/ecrpush/local/fixture/EchoHandler.class")));
            long heap = Long.parseLong(answer.get("maxHeapBytes"));
            assertTrue(heap > 0.75 * 256 * 1024 * 1024 && heap <= 0.85 * 256 * 1024 * 1024 + 1024, "85 % of 256 MB as heap, got " + heap);
        }
    }

    @Test
    void jvmOptions_reachTheFunctionsJvmAsJavaToolOptions_asOnLambda() throws IOException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "EchoHandler::handleRequest", 256);
        // The JVM told that its memory is the function's sizes its first heap from that: 1/64 of 256 MB, at least 8 MB.
        Map<String, String> told = FunctionProcess.javaToolOptions(" -XX:MaxRAM=256m ");
        assertEquals(Map.of("JAVA_TOOL_OPTIONS", "-XX:MaxRAM=256m"), told);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(zip, config, runtime, told, OutputStream.nullOutputStream())) {
            Map<String, String> answer = lines(runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).success().payload());
            long initial = Long.parseLong(answer.get("initialHeapBytes"));
            assertTrue(initial <= 8 * 1024 * 1024, "a first heap sized from 256 MB, got " + initial);
        }
        assertEquals(Map.of(), FunctionProcess.javaToolOptions(null));
        assertEquals(Map.of(), FunctionProcess.javaToolOptions(" "));
    }

    @Test
    void frozenWhileIdle_theFunctionsThreadsDoNothingBetweenInvocations_andItAnswersWhenAnEventComes() throws IOException,
            InterruptedException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "SpinningHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(LocalLambdaRuntime.Idle.FREEZE);
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            // after init, waiting for its first event
            runtime.awaitIdle(TIMEOUT);
            assertEquals(0, cpuWhileIdle(function).toMillis(), "the process used CPU while frozen after init");
            // an event thaws it, and it answers
            runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).success();
            runtime.awaitIdle(TIMEOUT);
            assertEquals(0, cpuWhileIdle(function).toMillis(), "the process used CPU while frozen after an answer");
            runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).success();
        }
    }

    @Test
    void runningWhileIdle_theFunctionsThreadsGoOnBetweenInvocations() throws IOException, InterruptedException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "SpinningHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).success();
            runtime.awaitIdle(TIMEOUT);
            // the spinning thread has a core at least part of the time, even on a loaded machine
            Duration used = cpuWhileIdle(function);
            assertTrue(used.toMillis() >= 100, "the process should work on while idle, used " + used);
        }
    }

    @Test
    void memoryShare_leavesInitUnthrottled_andHoldsEachInvocationToTheMemorysShareOfACpu() throws IOException {
        Optional<String> unavailable = CpuQuota.unavailableBecause();
        Assumptions.assumeTrue(unavailable.isEmpty(), () -> "the kernel's CPU controller cannot be used here: " + unavailable.get());
        // 1,024 MB: 57.9 % of a CPU, as a deployed function of that size gets
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "BusyHandler::handleRequest", 1024);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(LocalLambdaRuntime.Idle.FREEZE,
                        LocalLambdaRuntime.CpuShare.MEMORY);
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            Map<String, String> answer = lines(runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).success().payload());
            double init = share(answer, "init");
            double invocation = share(answer, "");
            assertTrue(init >= 0.8, "init is not throttled: its busy thread had " + init + " of its wall time, " + answer);
            assertTrue(invocation >= 0.3 && invocation <= 0.7,
                    "an invocation has 58 % of a CPU: its busy thread had " + invocation + " of its wall time, " + answer);
            assertEquals(Optional.of(57_886L), function.cpuQuotaMicros());
        }
    }

    @Test
    void fullShare_leavesInvocationsUnthrottled() throws IOException {
        // the same handler, without the quota: what the test above would see if the quota were not put in force
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "BusyHandler::handleRequest", 1024);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(LocalLambdaRuntime.Idle.FREEZE);
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            Map<String, String> answer = lines(runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).success().payload());
            assertEquals(Optional.empty(), function.cpuQuotaMicros());
            assertTrue(share(answer, "") >= 0.8, "an unthrottled invocation: " + answer);
        }
    }

    @Test
    void theQuota_isTheMemorysShareOfOneVcpuPerPeriod() {
        assertEquals(57_886, CpuQuota.quotaMicros(1024));
        assertEquals(100_000, CpuQuota.quotaMicros(1769));
        assertEquals(7_236, CpuQuota.quotaMicros(128));
        // 10,240 MB: "up to six vCPUs"
        assertEquals(578_858, CpuQuota.quotaMicros(10_240));
    }

    @Test
    void whereNoCpuControllerCanBeUsed_theQuotaSaysWhy() throws IOException {
        Path none = Files.writeString(dir.resolve("mounts-none"),
                "proc /proc proc rw 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n");
        IOException absent = assertThrows(IOException.class, () -> CpuQuota.create(ProcessHandle.current().pid(), none));
        assertTrue(absent.getMessage().startsWith("no CPU controller of the kernel's control groups is mounted"), absent.getMessage());
        Path gone = dir.resolve("no-such-hierarchy");
        Path unusable = Files.writeString(dir.resolve("mounts-gone"), "cgroup " + gone + " cgroup rw,nosuid,cpu,cpuacct 0 0\n");
        IOException refused = assertThrows(IOException.class, () -> CpuQuota.create(ProcessHandle.current().pid(), unusable));
        assertTrue(refused.getMessage().startsWith("cannot make a control group under " + gone), refused.getMessage());
    }

    @Test
    void onControlGroupsVersion2_theQuotaIsWrittenToCpuMax() throws IOException {
        // A hierarchy laid out as version 2's root is, in plain files: what is written is what the kernel would read.
        Path root = Files.createDirectories(dir.resolve("cgroup2"));
        Files.writeString(root.resolve("cgroup.subtree_control"), "cpuset cpu io memory pids\n");
        Path mounts = Files.writeString(dir.resolve("mounts-v2"), "cgroup2 " + root + " cgroup2 rw,nosuid,nodev 0 0\n");
        CpuQuota quota = CpuQuota.create(4242, mounts);
        Path group;
        try (Stream<Path> groups = Files.list(root).filter(Files::isDirectory)) {
            group = groups.findFirst().orElseThrow();
        }
        assertEquals("4242", Files.readString(group.resolve("cgroup.procs")));
        assertEquals("max 100000", Files.readString(group.resolve("cpu.max")));
        assertEquals(Optional.empty(), quota.limitMicros());
        quota.limit(CpuQuota.quotaMicros(1024));
        assertEquals("57886 100000", Files.readString(group.resolve("cpu.max")));
        assertEquals(Optional.of(57_886L), quota.limitMicros());
    }

    /** The CPU time the handler's busy thread had over its wall time, in its init ({@code prefix} "init") or invocation. */
    private static double share(Map<String, String> answer, String prefix) {
        String cpu = prefix.isEmpty() ? "cpuMs" : prefix + "CpuMs";
        String wall = prefix.isEmpty() ? "wallMs" : prefix + "WallMs";
        return Double.parseDouble(answer.get(cpu)) / Double.parseDouble(answer.get(wall));
    }

    /** The CPU time the function's process uses over 500 ms in which it is given no event. */
    private static Duration cpuWhileIdle(FunctionProcess function) throws InterruptedException {
        Duration before = function.cpuTime();
        Thread.sleep(500);
        return function.cpuTime().minus(before);
    }

    @Test
    void aThrowingHandler_isAFailureWithItsClassAndMessage_andTheProcessGoesOn() throws IOException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "FailingHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            for (int i = 0; i < 2; i++) {
                Failure failure = runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).failure();
                assertEquals("java.lang.IllegalStateException", failure.errorType());
                assertEquals("bad input\nsecond line", failure.errorMessage());
                assertEquals("Runtime.UserException", failure.functionErrorType());
            }
        }
    }

    @Test
    void aHandlerThatCannotBeConstructed_failsEveryInvocationWithTheInitError() throws IOException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "BrokenHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            Failure first = runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).failure();
            Failure again = runtime.invoke(new byte[] {'{', '}'}, TIMEOUT).failure();
            assertEquals("Runtime.BadFunctionCode", first.functionErrorType());
            assertTrue(String.valueOf(first.errorMessage()).contains("cannot start"), first.toString());
            assertEquals(first.errorType(), again.errorType());
        }
    }

    @Test
    void whenTheProcessEnds_theInvocationFailsAtOnce_withTheEndOfItsOutput() throws IOException {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "ExitingHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = FunctionProcess.start(zip, config, runtime)) {
            long start = System.nanoTime();
            IllegalStateException gone = assertThrows(IllegalStateException.class, () -> runtime.invoke(new byte[] {'{', '}'}, TIMEOUT));
            assertTrue(gone.getMessage().contains("exited with status 3"), gone.getMessage());
            assertTrue(gone.getMessage().contains("goodbye from the handler"), gone.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(TIMEOUT) < 0);
        }
    }

    @Test
    void aZipThatIsNotThere_isSaidSo() {
        FunctionProcess.Config config = new FunctionProcess.Config(FIXTURE + "EchoHandler::handleRequest", 256);
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            IOException missing = assertThrows(IOException.class, () -> FunctionProcess.start(dir.resolve("none.zip"), config, runtime));
            assertTrue(missing.getMessage().contains("none.zip does not exist"), missing.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theConfig_isTheTemplatesFirstHandlerAndMemorySize() throws IOException {
        Path template = Files.writeString(dir.resolve("template.yaml"), """
                Resources:
                  Function:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: com.example.Edge::handleRequest
                      MemorySize: 1024
                  Other:
                    Type: AWS::Serverless::Function
                    Properties:
                      Handler: com.example.Other::handleRequest
                      MemorySize: 512
                """);
        FunctionProcess.Config config = FunctionProcess.Config.fromTemplate(template);
        assertEquals(new FunctionProcess.Config("com.example.Edge::handleRequest", 1024), config);
        assertEquals(new FunctionProcess.Config("x.Y::z", 1024), config.withHandler("x.Y::z"));
        Path noMemory = Files.writeString(dir.resolve("no-memory.yaml"), "Resources:\n  F:\n    Properties:\n      Handler: a.B::c\n");
        assertThrows(IllegalStateException.class, () -> FunctionProcess.Config.fromTemplate(noMemory));
        assertThrows(IllegalArgumentException.class, () -> new FunctionProcess.Config("a.B::c", 64));
    }

    private static Map<String, String> lines(byte[] payload) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : List.of(new String(payload, StandardCharsets.UTF_8).split("\n"))) {
            int eq = line.indexOf('=');
            values.put(line.substring(0, eq), line.substring(eq + 1));
        }
        assertFalse(values.isEmpty());
        return values;
    }

    @Test
    void cpuPinning_runsTheFunctionUnderTaskset_onlyWhenCpusAreNamed() {
        assertEquals(List.of("taskset", "-c", "0"), FunctionProcess.cpuPinning("0"));
        assertEquals(List.of("taskset", "-c", "0-1"), FunctionProcess.cpuPinning(" 0-1 "));
        assertEquals(List.of(), FunctionProcess.cpuPinning(null));
        assertEquals(List.of(), FunctionProcess.cpuPinning(""));
        // what would reach a command line is a CPU list, nothing else
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> FunctionProcess.cpuPinning("0; rm -rf x"));
        assertTrue(refused.getMessage().contains(FunctionProcess.CPUS_VARIABLE), refused.getMessage());
    }
}
