package dev.ecrpush.bench;

import java.io.IOException;
import java.io.OutputStream;
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
import dev.ecrpush.support.TriggerWorld;

/**
 * What a second platform costs at the start: a run of one platform and a run of two ({@code platforms: [linux/amd64,
 * linux/arm64]}), each on a cold start and then warm to the same target, against the tests' fakes (the AWS fake
 * behind {@code AWS_ENDPOINT_URL}, DynamoDB Local for the idempotency table). Reports the AWS calls the fake received
 * (DynamoDB Local keeps no log: its calls are listed from the code) and the invocation's time as the runtime API saw
 * it, median over rounds, the two kinds alternating.
 */
final class PlatformStartBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private record Figures(List<Double> coldMs, List<Double> warmMs, List<List<String>> coldCalls, List<List<String>> warmCalls) {
        static Figures empty() {
            return new Figures(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    private PlatformStartBenchmark() {
    }

    static void report(Path zip, int rounds) throws IOException {
        Figures one = Figures.empty();
        Figures two = Figures.empty();
        try (TriggerWorld world = TriggerWorld.start()) {
            world.aws().replyWhenBodyContains(AwsFake.CODEBUILD + "StartBuild", "linux-arm64",
                    AwsFake.json("{\"build\":{\"id\":\"ecr-build-push:0b6c5f1e-0000-4000-8000-0000000a0a64\"}}"));
            Map<String, String> env = new HashMap<>(PackagedFunction.TEST_POLICY);
            env.putAll(PackagedFunction.environment(world));
            for (int round = 0; round < rounds; round++) {
                boolean oneFirst = round % 2 == 0;
                measure(zip, env, world.aws(), oneFirst ? 1 : 2, oneFirst ? one : two);
                measure(zip, env, world.aws(), oneFirst ? 2 : 1, oneFirst ? two : one);
            }
        }
        System.out.printf(Locale.ROOT, "%nstart of a run, one platform against two (function's role, repository exists; AWS fake and"
                + " DynamoDB Local), median of %d rounds:%n", rounds);
        System.out.printf(Locale.ROOT, "  %-14s %16s %16s   %s%n", "", "cold invoke (ms)", "warm invoke (ms)", "AWS calls cold / warm");
        line("one platform", one);
        line("two platforms", two);
        System.out.printf(Locale.ROOT, "  DynamoDB (not in the fake's log): the key's claim and result as for any keyed run, plus one"
                + " PutItem per platform for two%n");
    }

    private static void line(String name, Figures figures) {
        System.out.printf(Locale.ROOT, "  %-14s %16.1f %16.1f   %s / %s%n", name, StartupBenchmark.percentile(figures.coldMs(), 50),
                StartupBenchmark.percentile(figures.warmMs(), 50), figures.coldCalls().get(0), figures.warmCalls().get(0));
    }

    private static void measure(Path zip, Map<String, String> env, AwsFake aws, int platforms, Figures figures) throws IOException {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess process = FunctionProcess.start(zip, PackagedFunction.CONFIG, runtime, env,
                        OutputStream.nullOutputStream())) {
            aws.resetRequests();
            LocalLambdaRuntime.Success cold = runtime.invoke(run(platforms), TIMEOUT).success();
            figures.coldMs().add(cold.elapsed().toNanos() / 1e6);
            figures.coldCalls().add(aws.calls());
            expectStarted(cold, platforms);
            aws.resetRequests();
            LocalLambdaRuntime.Success warm = runtime.invoke(run(platforms), TIMEOUT).success();
            figures.warmMs().add(warm.elapsed().toNanos() / 1e6);
            figures.warmCalls().add(aws.calls());
            expectStarted(warm, platforms);
        }
    }

    private static void expectStarted(LocalLambdaRuntime.Success answer, int platforms) throws IOException {
        JsonNode result = JSON.readTree(answer.payload());
        if (!"STARTED".equals(result.path("status").asText()) || (platforms > 1 && result.path("platforms").size() != platforms)) {
            throw new IllegalStateException("the run answered " + result);
        }
    }

    /** A run under a new key, to the same target each time. */
    private static byte[] run(int platforms) throws IOException {
        ObjectNode payload = (ObjectNode) JSON.readTree("""
                {"mode": "run", "infra": "VM",
                 "codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main",
                              "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"},
                 "step": {"type": "BuildAndPushECR", "identifier": "build_app",
                          "spec": {"connectorRef": "role", "region": "us-east-1", "account": "123456789012",
                                   "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>", "latest"]}},
                 "connectors": {"role": {"type": "Aws", "spec": {"credential": {"type": "InheritFromDelegate"},
                                                                 "delegateSelectors": ["codebuild"]}}}}""");
        payload.put("idempotencyKey", "benchmark-" + UUID.randomUUID());
        if (platforms > 1) {
            ((ObjectNode) payload.at("/step/spec")).putArray("platforms").add("linux/amd64").add("linux/arm64");
        }
        return JSON.writeValueAsBytes(payload);
    }
}
