package dev.ecrpush.e2e;

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
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.TriggerFakes;

/**
 * Cold start and warm latency of the packaged function, beside an empty Quarkus lambda-http function with
 * the same two extensions and one route (bench/empty-function), both run as Lambda runs them. Rounds
 * alternate which function starts first, so drift on the machine hits both alike. Run it with
 * {@code scripts/benchmark}; the figures are medians over rounds and percentiles over warm invocations.
 *
 * <p>A third subject is a webhook delivery on the whole run path, cold: a signed GitHub push
 * ({@code events/webhook-github-push.json}, a new delivery ID each time) through signature verification, the
 * webhook secret from Secrets Manager, the trigger set from SSM, the idempotency claim in DynamoDB, the
 * repository, {@code StartBuild} and the recorded result. AWS is played by the in-process fakes of the tests
 * (WireMock, DynamoDB Local) on loopback, so the figure includes every SDK client's first-use cost and no
 * network latency; GitHub gives up on a delivery after 10 s.
 */
public final class StartupBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASELINE_HANDLER = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** @param event a fresh event per invocation */
    private record Subject(String name, Path zip, String handler, Map<String, String> env, Supplier<byte[]> event, int expectedStatus) {
    }

    /** One function's figures: cold start (process start to first response) per round, warm latencies. */
    private record Figures(List<Double> coldMs, List<Double> warmMs) {
    }

    private StartupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int warm = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        byte[] payload = Files.readAllBytes(Path.of("events/plan-k8.json"));
        Subject function = new Subject("ecr-build-push (plan, events/plan-k8.json)", Path.of("target/function.zip"),
                FunctionProcess.HANDLER, Map.of(), () -> payload, 0);
        Subject baseline = new Subject("empty lambda-http (POST /hello, same body)",
                Path.of("bench/empty-function/target/function.zip"), BASELINE_HANDLER, Map.of(), () -> httpEvent(payload), 200);
        Figures ours = new Figures(new ArrayList<>(), new ArrayList<>());
        Figures base = new Figures(new ArrayList<>(), new ArrayList<>());
        Figures hook = new Figures(new ArrayList<>(), new ArrayList<>());
        TriggerFakes fakes = new TriggerFakes();
        try {
            Subject webhook = new Subject("ecr-build-push (webhook push, run path, fakes)", Path.of("target/function.zip"),
                    FunctionProcess.HANDLER, webhookEnv(fakes.start()), StartupBenchmark::webhookDelivery, 202);
            for (int round = 0; round < rounds; round++) {
                boolean oursFirst = round % 2 == 0;
                measure(oursFirst ? function : baseline, oursFirst ? ours : base, warm);
                measure(oursFirst ? baseline : function, oursFirst ? base : ours, warm);
                measure(webhook, hook, Math.max(1, warm / 4));
            }
            report(function, ours, baseline, base, webhook, hook, rounds, warm);
        } finally {
            fakes.stop();
        }
        // The fakes' server threads are not daemons.
        System.exit(0);
    }

    /** The fakes' endpoints and the function's configuration as Lambda would pass them: environment variables. */
    private static Map<String, String> webhookEnv(Map<String, String> config) {
        Map<String, String> env = new HashMap<>();
        config.forEach((key, value) -> {
            if (!key.contains("\"")) {
                env.put(key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"), value);
            }
        });
        env.put("AWS_ENDPOINT_URL", TriggerFakes.aws.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", TriggerFakes.dynamoDb.endpoint().toString());
        env.put("AWS_ACCESS_KEY_ID", TriggerFakes.FUNCTION_ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", "function-role-secret");
        return env;
    }

    /** The signed push from events/, as a new delivery: the delivery ID is not signed, the body is. */
    private static byte[] webhookDelivery() {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(Path.of("events/webhook-github-push.json").toFile());
            ((ObjectNode) event.get("headers")).put("x-github-delivery", UUID.randomUUID().toString());
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void measure(Subject subject, Figures figures, int warm) throws IOException {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            long start = System.nanoTime();
            try (FunctionProcess process = FunctionProcess.start(subject.zip(), subject.handler(), runtime, subject.env(),
                    OutputStream.nullOutputStream())) {
                expectSuccess(subject, runtime.invoke(subject.event().get(), TIMEOUT));
                figures.coldMs().add((System.nanoTime() - start) / 1e6);
                for (int i = 0; i < warm; i++) {
                    LocalLambdaRuntime.Invocation invocation = runtime.invoke(subject.event().get(), TIMEOUT);
                    expectSuccess(subject, invocation);
                    figures.warmMs().add(((LocalLambdaRuntime.Success) invocation).elapsed().toNanos() / 1e6);
                }
            }
        }
    }

    private static void expectSuccess(Subject subject, LocalLambdaRuntime.Invocation invocation) throws IOException {
        if (!(invocation instanceof LocalLambdaRuntime.Success success)) {
            throw new IllegalStateException(subject.name() + " failed: " + invocation);
        }
        if (subject.expectedStatus() != 0) {
            JsonNode response = JSON.readTree(success.payload());
            if (response.path("statusCode").asInt() != subject.expectedStatus()) {
                throw new IllegalStateException(subject.name() + " answered " + response);
            }
        }
    }

    /** The baseline gets the same bytes as an HTTP API request body, which is what our edge turns them into. */
    private static byte[] httpEvent(byte[] body) {
        ObjectNode event = JSON.createObjectNode();
        event.put("version", "2.0").put("routeKey", "$default").put("rawPath", "/hello").put("rawQueryString", "");
        event.putObject("headers").put("content-type", "application/json");
        ObjectNode http = event.putObject("requestContext").put("requestId", "bench").putObject("http");
        http.put("method", "POST").put("path", "/hello").put("protocol", "HTTP/1.1").put("sourceIp", "127.0.0.1");
        event.put("body", new String(body, StandardCharsets.UTF_8)).put("isBase64Encoded", false);
        try {
            return JSON.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void report(Subject a, Figures fa, Subject b, Figures fb, Subject c, Figures fc, int rounds, int warm)
            throws IOException {
        double coldA = percentile(fa.coldMs(), 50);
        double coldB = percentile(fb.coldMs(), 50);
        double warmA = percentile(fa.warmMs(), 50);
        double warmB = percentile(fb.warmMs(), 50);
        System.out.printf(Locale.ROOT, "rounds: %d (alternating), warm invocations per round: %d (webhook: %d), memory: %d MB%n%n",
                rounds, warm, Math.max(1, warm / 4), FunctionProcess.MEMORY_MB);
        System.out.printf(Locale.ROOT, "%-48s %14s %12s %12s %12s%n", "function", "cold p50 (ms)", "warm p50", "warm p99", "zip (MB)");
        for (Object[] row : new Object[][] {{a, fa}, {b, fb}, {c, fc}}) {
            Subject s = (Subject) row[0];
            Figures f = (Figures) row[1];
            System.out.printf(Locale.ROOT, "%-48s %14.0f %12.2f %12.2f %12.1f%n", s.name(), percentile(f.coldMs(), 50),
                    percentile(f.warmMs(), 50), percentile(f.warmMs(), 99), Files.size(s.zip()) / 1e6);
        }
        System.out.printf(Locale.ROOT, "%ncold start: %+.1f%% against the empty function (target: within +15%%)%n",
                (coldA / coldB - 1) * 100);
        System.out.printf(Locale.ROOT, "warm p50: %.2fx the empty function (target: within 1.5x)%n", warmA / warmB);
        System.out.printf(Locale.ROOT, "webhook delivery answered cold in p50 %.0f ms, max %.0f ms (GitHub waits 10000 ms)%n",
                percentile(fc.coldMs(), 50), percentile(fc.coldMs(), 100));
        System.out.printf(Locale.ROOT, "cold starts, ms: ours %s / empty %s / webhook %s%n", rounded(fa.coldMs()),
                rounded(fb.coldMs()), rounded(fc.coldMs()));
    }

    private static double percentile(List<Double> values, int p) {
        List<Double> sorted = values.stream().sorted().toList();
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static List<Long> rounded(List<Double> values) {
        return values.stream().map(Math::round).toList();
    }
}
