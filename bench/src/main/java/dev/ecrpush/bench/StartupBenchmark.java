package dev.ecrpush.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;


import dev.ecrpush.e2e.PackagedFunction;
import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;

/**
 * Cold start and warm latency of the packaged function, beside an empty Quarkus lambda-http function with
 * the same two extensions and one route (bench/empty-function), both run as Lambda runs them. Rounds
 * alternate which function starts first, so drift on the machine hits both alike. Run it with
 * {@code scripts/benchmark}; the figures are medians over rounds and percentiles over warm invocations.
 *
 * <p>The zip is {@code -Dfunction.zip}, started as {@code template.yaml} deploys it, by the {@code lambda-local}
 * module. The run and webhook figures use the function's own test fakes and scenarios (its test jar), so the
 * benchmark counts the same calls as the tests.
 */
public final class StartupBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASELINE_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private record Subject(String name, Path zip, FunctionProcess.Config config, byte[] event) {
    }

    /** One function's figures per round: cold start (JVM start to first response), unpacking before it, CPU; warm latencies. */
    private record Figures(List<Double> coldMs, List<Double> unpackMs, List<Double> coldCpuMs, List<Double> warmMs) {
    }

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("priming")) {
            // scripts/benchmark priming [ROUNDS]: the priming figures alone
            int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
            PrimingBenchmark.report(PackagedFunction.ZIP, rounds, false);
            PrimingBenchmark.report(PackagedFunction.ZIP, rounds, true);
            System.exit(0);
        }
        if (args.length > 0 && args[0].equals("platforms")) {
            // scripts/benchmark platforms [ROUNDS]: the start of a run of one platform against two, alone
            PlatformStartBenchmark.report(PackagedFunction.ZIP, args.length > 1 ? Integer.parseInt(args[1]) : 5);
            System.exit(0);
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        byte[] payload = Files.readAllBytes(Repo.path("events/plan-k8.json"));
        Subject function = new Subject("ecr-build-push (plan, events/plan-k8.json)", PackagedFunction.ZIP,
                PackagedFunction.CONFIG, payload);
        Subject baseline = new Subject("empty lambda-http (POST /hello, same body)",
                Repo.path("bench/empty-function/target/function.zip"), PackagedFunction.CONFIG.withHandler(BASELINE_HANDLER),
                httpEvent(payload));

        Figures ours = new Figures(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Figures base = new Figures(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            boolean oursFirst = round % 2 == 0;
            measure(oursFirst ? function : baseline, oursFirst ? ours : base, warm);
            measure(oursFirst ? baseline : function, oursFirst ? base : ours, warm);
        }
        report(function, ours, baseline, base, rounds, warm);
        reportRunCalls(function.zip());
        reportWebhook(function.zip(), rounds);
        PlatformStartBenchmark.report(function.zip(), rounds);
        PrimingBenchmark.report(function.zip(), rounds, false);
        PrimingBenchmark.report(function.zip(), rounds, true);
        // The fakes' server threads are not daemons.
        System.exit(0);
    }

    /**
     * A signed GitHub push answered from a cold start, on the whole run path (webhook secret, trigger set,
     * idempotency claim, repository, StartBuild) against the tests' in-process fakes (WireMock, DynamoDB
     * Local): GitHub gives up after 10 s.
     */
    private static void reportWebhook(Path zip, int rounds) throws IOException {
        List<Double> fromJvmStart = new ArrayList<>();
        List<Double> withUnpacking = new ArrayList<>();
        try (TriggerWorld world = TriggerWorld.start()) {
            Map<String, String> env = withTestPolicy(webhookEnv(world));
            for (int round = 0; round < rounds; round++) {
                try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
                    long start = System.nanoTime();
                    try (FunctionProcess process = FunctionProcess.start(zip, PackagedFunction.CONFIG, runtime, env,
                            OutputStream.nullOutputStream())) {
                        JsonNode answer = JSON.readTree(runtime.invoke(webhookDelivery(), TIMEOUT).success().payload());
                        if (answer.path("statusCode").asInt() != 202) {
                            throw new IllegalStateException("the webhook delivery answered " + answer);
                        }
                        long answered = System.nanoTime();
                        fromJvmStart.add((answered - process.startedAtNanos()) / 1e6);
                        withUnpacking.add((answered - start) / 1e6);
                    }
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nsigned GitHub push, cold, whole run path against local fakes (GitHub waits 10000 ms):%n");
        System.out.printf(Locale.ROOT, "  answered after p50 %.0f ms, max %.0f ms from the JVM's start;"
                + " p50 %.0f ms, max %.0f ms with unpacking%n",
                percentile(fromJvmStart, 50), percentile(fromJvmStart, 100), percentile(withUnpacking, 50),
                percentile(withUnpacking, 100));
    }

    /** The fakes' endpoints and the function's configuration as Lambda would pass them: environment variables. */
    /**
     * {@code env} with the zip tests' policy, as {@link PackagedFunction#start} gives it: the runs measured here target
     * the tests' accounts and secrets, which the function's default policy refuses.
     */
    private static Map<String, String> withTestPolicy(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(PackagedFunction.TEST_POLICY);
        all.putAll(env);
        return all;
    }

    private static Map<String, String> webhookEnv(TriggerWorld world) {
        Map<String, String> env = new HashMap<>();
        world.config().forEach((key, value) -> {
            if (!key.contains("\"")) {
                env.put(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value);
            }
        });
        env.put("AWS_ENDPOINT_URL", world.aws().endpoint().toString());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", world.dynamoDbEndpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", AwsFake.FUNCTION_ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", "function-role-secret");
        // run mode refuses the unbuilt default kaniko image: the stack gives the one it built, as in the zip's tests
        env.put("BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE", PackagedFunction.STACK_KANIKO_IMAGE);
        return env;
    }

    /** The signed push from events/, as a new delivery: the delivery ID is not signed, the body is. */
    private static byte[] webhookDelivery() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Repo.path("events/webhook-github-push.json").toFile());
        ((ObjectNode) event.get("headers")).put("x-github-delivery", UUID.randomUUID().toString());
        return JSON.writeValueAsBytes(event);
    }

    /**
     * The call budget of a run (manual keys in Secrets Manager, a role in another account, a repository that
     * exists) against a local fake of every AWS API behind {@code AWS_ENDPOINT_URL}: cold start, then warm
     * to the same target.
     */
    private static void reportRunCalls(Path zip) throws IOException {
        try (AwsFake aws = new AwsFake(); LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            KnownTargetScenario.stub(aws, true);
            byte[] run = JSON.writeValueAsBytes(KnownTargetScenario.payload("run", "app", "benchmark"));
            long start = System.nanoTime();
            try (FunctionProcess process = FunctionProcess.start(zip, PackagedFunction.CONFIG, runtime,
                    withTestPolicy(PackagedFunction.environment(aws.endpoint())), OutputStream.nullOutputStream())) {
                runtime.invoke(run, TIMEOUT).success();
                double coldMs = (System.nanoTime() - start) / 1e6;
                List<String> cold = aws.calls();
                aws.resetRequests();
                LocalLambdaRuntime.Success again = runtime.invoke(run, TIMEOUT).success();
                List<String> warm = aws.calls();
                System.out.printf(Locale.ROOT, "%nAWS calls of a run (manual keys, cross-account, repository exists), local fake:%n");
                // The budget: 4 calls to start a build, plus the lookup of the tags it would push (onExistingTag).
                System.out.printf(Locale.ROOT, "  cold start: %d %s (target: at most 5) -> %s; first response after %.0f ms%n",
                        cold.size(), cold, cold.size() <= 5 ? "met" : "NOT met", coldMs);
                System.out.printf(Locale.ROOT, "  warm, same target: %d %s (target: exactly 2, BatchGetImage and StartBuild) -> %s;"
                        + " %.1f ms%n", warm.size(), warm, warm.size() == 2 && warm.get(0).startsWith("BatchGetImage ")
                        && warm.get(1).startsWith("StartBuild ") ? "met" : "NOT met", again.elapsed().toNanos() / 1e6);
            }
        }
    }

    private static void measure(Subject subject, Figures figures, int warm) throws IOException {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            long start = System.nanoTime();
            try (FunctionProcess process = FunctionProcess.start(subject.zip(), subject.config(), runtime, Map.of(),
                    OutputStream.nullOutputStream())) {
                expectSuccess(subject, runtime.invoke(subject.event(), TIMEOUT));
                long answered = System.nanoTime();
                // From the JVM's start, as Lambda's init duration counts; unpacking the zip is reported apart.
                figures.coldMs().add((answered - process.startedAtNanos()) / 1e6);
                figures.unpackMs().add((process.startedAtNanos() - start) / 1e6);
                figures.coldCpuMs().add(process.cpuTime().toNanos() / 1e6);
                for (int i = 0; i < warm; i++) {
                    LocalLambdaRuntime.Invocation invocation = runtime.invoke(subject.event(), TIMEOUT);
                    expectSuccess(subject, invocation);
                    figures.warmMs().add(((LocalLambdaRuntime.Success) invocation).elapsed().toNanos() / 1e6);
                }
            }
        }
    }

    private static void expectSuccess(Subject subject, LocalLambdaRuntime.Invocation invocation) {
        if (!(invocation instanceof LocalLambdaRuntime.Success)) {
            throw new IllegalStateException(subject.name() + " failed: " + invocation);
        }
    }

    /** The baseline gets the same bytes as an HTTP API request body, which is what our edge turns them into. */
    static byte[] httpEvent(byte[] body) throws IOException {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0").put("routeKey", "$default").put("rawPath", "/hello").put("rawQueryString", "");
        event.putObject("headers").put("content-type", "application/json");
        ObjectNode http = event.putObject("requestContext").put("requestId", "bench").putObject("http");
        http.put("method", "POST").put("path", "/hello").put("protocol", "HTTP/1.1").put("sourceIp", "127.0.0.1");
        event.put("body", new String(body, StandardCharsets.UTF_8)).put("isBase64Encoded", false);
        return JSON.writeValueAsBytes(event);
    }

    private static void report(Subject a, Figures fa, Subject b, Figures fb, int rounds, int warm) throws IOException {
        double coldA = percentile(fa.coldMs(), 50);
        double coldB = percentile(fb.coldMs(), 50);
        double warmA = percentile(fa.warmMs(), 50);
        double warmB = percentile(fb.warmMs(), 50);
        System.out.printf(Locale.ROOT, "rounds: %d (alternating), warm invocations per round: %d, memory: %d MB%n%n",
                rounds, warm, PackagedFunction.CONFIG.memoryMb());
        System.out.printf(Locale.ROOT, "%-46s %14s %12s %12s %12s%n", "function", "cold p50 (ms)", "warm p50", "warm p99", "zip (MB)");
        for (Object[] row : new Object[][] {{a, fa}, {b, fb}}) {
            Subject s = (Subject) row[0];
            Figures f = (Figures) row[1];
            System.out.printf(Locale.ROOT, "%-46s %14.0f %12.2f %12.2f %12.1f%n", s.name(), percentile(f.coldMs(), 50),
                    percentile(f.warmMs(), 50), percentile(f.warmMs(), 99), Files.size(s.zip()) / 1e6);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "cold start: %+.1f%% against the empty function (target: within +15%%) -> %s%n",
                (coldA / coldB - 1) * 100, coldA <= coldB * 1.15 ? "met" : "NOT met");
        double cpuA = percentile(fa.coldCpuMs(), 50);
        double cpuB = percentile(fb.coldCpuMs(), 50);
        System.out.printf(Locale.ROOT, "cold start CPU (user+system until the first response): %.0f ms against %.0f ms, %+.1f%%%n",
                cpuA, cpuB, (cpuA / cpuB - 1) * 100);
        System.out.printf(Locale.ROOT, "warm p50: %.2fx the empty function (target: within 1.5x) -> %s%n", warmA / warmB,
                warmA <= warmB * 1.5 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "zip: %.1f MB (target: at most 25 MB) -> %s%n", Files.size(a.zip()) / 1e6,
                Files.size(a.zip()) <= 25_000_000 ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "cold starts, ms: ours %s / empty %s%n", rounded(fa.coldMs()), rounded(fb.coldMs()));
        System.out.printf(Locale.ROOT, "unpacking the zip before the start (not counted above), ms: ours %s / empty %s%n",
                rounded(fa.unpackMs()), rounded(fb.unpackMs()));
        System.out.printf(Locale.ROOT, "cold start CPU, ms: ours %s / empty %s%n", rounded(fa.coldCpuMs()), rounded(fb.coldCpuMs()));
    }

    static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static List<Long> rounded(List<Double> values) {
        return values.stream().map(Math::round).toList();
    }
}
