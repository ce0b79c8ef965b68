package dev.ecrpush.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.e2e.PackagedFunction;
import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;

/**
 * What SnapStart priming ({@code buildpush.priming.at-init}) costs at init and saves afterwards, measured on the
 * packaged zip under the runtime interface client against the tests' fakes.
 *
 * <p>Priming warms every path it covers, so its saving is counted on each of them: in one process, each path's first
 * invocation and then the same path to a target nothing is cached for (a new account, role and repository: new
 * credentials, clients and repository check). The difference is what the first invocation pays for loading that path.
 * The paths are every one priming covers, following one another as a function's first requests would: a CodeBuild
 * run, an ECS run, a run to a new repository, a run through an OIDC connector, a run whose key is kept in SSM (and,
 * as the stack runs, a run with a scan gate and a run of two platforms); then, as the stack runs, the CodeBuild
 * build's end and the ECS task's end completing their Step Functions tasks, a failed build's end failing its task, a
 * gated build's end passing its gate, a two-platform run's last end writing its index and another's failed platform
 * stopping the other, or without a table, a status request for each build that has no gate; then an OIDC run's build's end,
 * which deletes its stashed token, and a plan. Each one's saving is its first invocation without priming against
 * with it; a path that comes later in the sequence saves only what the paths before it have not loaded already.
 * Init is the JVM's start to the client's first poll for an event. Between invocations the function's process is
 * stopped, as Lambda freezes an idle execution environment ({@link LocalLambdaRuntime.Idle#FREEZE}); with
 * {@code FUNCTION_CPU_SHARE=memory}, its CPU is shared as Lambda shares it ({@link LocalLambdaRuntime.CpuShare#MEMORY}).
 */
final class PrimingBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String LATER_BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000002";
    private static final String TASK_ARN = "arn:aws:ecs:us-east-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final String LATER_TASK_ARN = "arn:aws:ecs:us-east-1:111111111111:task/ci-builds/1a2b3c4d5e6f70818293a4b5c6d7e8f9";
    /** The builds of the runs to a new repository and through an OIDC connector, first and later, by image. */
    private static final Map<String, String> BUILDS_BY_IMAGE = Map.of(
            "fresh-app", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000003",
            "fresh-other", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000004",
            "oidc-app", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000005",
            "oidc-other", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000006",
            "gated-app", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000007",
            "gated-other", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000008",
            "ssm-app", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000009",
            "ssm-other", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000000a");
    /**
     * The two-platform runs' builds, by the tag each platform's build pushes: the runs whose index is written ({@code mp1},
     * {@code mp2}), and those whose arm64 build fails ({@code mf1}, {@code mf2}); each group is named by its amd64 build.
     */
    private static final Map<String, String> BUILDS_BY_PLATFORM_TAG = Map.of(
            "mp1-linux-amd64", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000000b",
            "mp1-linux-arm64", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000000c",
            "mp2-linux-amd64", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000000d",
            "mp2-linux-arm64", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000000e",
            "mf1-linux-amd64", "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000000f",
            "mf1-linux-arm64", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000010",
            "mf2-linux-amd64", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000011",
            "mf2-linux-arm64", "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000012");
    /** What each platform's build pushed, as ECR answers it back by digest when the index is written. */
    private static final String AMD_MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"" + ImageIndex.DOCKER_MANIFEST
            + "\",\"config\":{\"size\":1,\"digest\":\"sha256:" + "1".repeat(64) + "\"},\"layers\":[]}";
    private static final String ARM_MANIFEST = AMD_MANIFEST.replace("1", "2");
    /** Where the runs through an OIDC connector stashed their token, as their builds list it. */
    private static final String STASH = "/ecr-build-push/oidc-tokens/bench-";
    private static final String DIGEST = "sha256:" + "5e".repeat(32);

    /** The paths priming covers that a process meets first, in the order the benchmark invokes them. */
    enum Route {
        CODEBUILD_RUN("run, CodeBuild"),
        ECS_RUN("run, ECS"),
        NEW_REPOSITORY_RUN("run, new repository"),
        OIDC_RUN("run, OIDC connector"),
        SSM_KEY_RUN("run, key kept in SSM"),
        GATED_RUN("run, scan gate"),
        PLATFORMS_RUN("run, two platforms"),
        BUILD_END("build end, task completed"),
        ECS_END("ECS task end, completed"),
        BUILD_STATUS("status, CodeBuild build"),
        TASK_STATUS("status, ECS task"),
        FAILED_END("build end, failed"),
        GATE_END("build end, scan gate passed"),
        INDEX_END("build end, index written"),
        PLATFORM_FAILED_END("build end, a platform failed"),
        FAILED_STATUS("status, failed build"),
        OIDC_END("build end, OIDC stash deleted"),
        PLAN("plan");

        /** The paths of a function with an idempotency table, as the stack runs it, and of one without. */
        static List<Route> of(boolean stack) {
            // A scan gate and a multi-platform step's builds are kept in the table: without one, such a step is refused.
            return Stream.of(Stream.of(CODEBUILD_RUN, ECS_RUN, NEW_REPOSITORY_RUN, OIDC_RUN, SSM_KEY_RUN),
                    stack ? Stream.of(GATED_RUN, PLATFORMS_RUN) : Stream.<Route>of(),
                    stack ? Stream.of(BUILD_END, ECS_END, FAILED_END, GATE_END, INDEX_END, PLATFORM_FAILED_END)
                            : Stream.of(BUILD_STATUS, TASK_STATUS, FAILED_STATUS),
                    Stream.of(OIDC_END, PLAN)).flatMap(s -> s).toList();
        }

        final String label;

        Route(String label) {
            this.label = label;
        }
    }

    /** One invocation: its answer's wall time, and the CPU time the function's process used meanwhile (all its threads). */
    private record Sample(double ms, double cpuMs) {
    }

    /** An invocation that reports its own wall time. */
    @FunctionalInterface
    private interface Invocation {
        double ms() throws IOException;
    }

    /** One setting's figures per round: wall times, and CPU times (the work of every thread, which a small function pays in full). */
    record Figures(List<Double> initMs, Map<Route, List<Double>> firstMs, Map<Route, List<Double>> laterMs,
            List<Double> initCpuMs, Map<Route, List<Double>> firstCpuMs, List<Double> invocationsCpuMs) {
        Figures() {
            this(new ArrayList<>(), new EnumMap<>(Route.class), new EnumMap<>(Route.class), new ArrayList<>(), new EnumMap<>(Route.class),
                    new ArrayList<>());
        }

        void add(Route route, Sample first, Sample later) {
            firstMs.computeIfAbsent(route, r -> new ArrayList<>()).add(first.ms());
            laterMs.computeIfAbsent(route, r -> new ArrayList<>()).add(later.ms());
            firstCpuMs.computeIfAbsent(route, r -> new ArrayList<>()).add(first.cpuMs());
        }

        double first(Route route) {
            return StartupBenchmark.percentile(firstMs.get(route), 50);
        }

        double later(Route route) {
            return StartupBenchmark.percentile(laterMs.get(route), 50);
        }

        double firstCpu(Route route) {
            return StartupBenchmark.percentile(firstCpuMs.get(route), 50);
        }
    }

    private PrimingBenchmark() {
    }

    /**
     * @param stack also as the stack runs it: an idempotency table (DynamoDB Local) and a Step Functions task token on
     *              every run, so that the runs claim their key and keep their token, and the builds' ends complete them
     */
    static void report(Path zip, int rounds, boolean stack) throws IOException {
        Figures without = new Figures();
        Figures with = new Figures();
        try (AwsFake aws = new AwsFake(); DynamoDbLocal table = stack ? DynamoDbLocal.start() : null) {
            if (table != null) {
                table.createIdempotencyTable(TriggerWorld.TABLE);
            }
            // The fakes' own first answers are slow (their servers warm up): one round first, not counted, so that the
            // first invocations of every counted round measure the function and not the fakes.
            round(zip, aws, table, false, new Figures());
            for (int round = 0; round < rounds; round++) {
                boolean primedFirst = round % 2 == 1;
                round(zip, aws, table, primedFirst, primedFirst ? with : without);
                round(zip, aws, table, !primedFirst, primedFirst ? without : with);
            }
        }
        List<Route> routes = Route.of(stack);
        System.out.printf(Locale.ROOT, "%npriming: each path's first invocation after init against the same path later to a new target,"
                + " local fakes, %s, %d rounds (medians, ms):%n", stack
                ? "with an idempotency table and task tokens, as the stack runs it" : "no idempotency table", rounds);
        System.out.printf(Locale.ROOT, "  the function's CPU: %s%n", cpuShare() == LocalLambdaRuntime.CpuShare.MEMORY
                ? "shared as Lambda shares it (FUNCTION_CPU_SHARE=memory): init unthrottled, each invocation at "
                        + Math.round(PackagedFunction.CONFIG.memoryMb() * 1000.0 / 1769) / 10.0 + " % of a vCPU"
                : "the same in init and in the invocations (FUNCTION_CPU_SHARE=full)");
        System.out.printf(Locale.ROOT, "  %-30s %14s %14s %14s %14s %10s %10s%n", "path", "first", "first - later", "primed first",
                "first - later", "saved", "CPU saved");
        double savedTotal = 0;
        double cpuSavedTotal = 0;
        boolean everyPathMet = true;
        for (Route route : routes) {
            double saved = without.first(route) - with.first(route);
            double cpuSaved = without.firstCpu(route) - with.firstCpu(route);
            double extra = with.first(route) - with.later(route);
            savedTotal += saved;
            cpuSavedTotal += cpuSaved;
            everyPathMet &= extra <= 100;
            System.out.printf(Locale.ROOT, "  %-30s %14.1f %14.1f %14.1f %14.1f %10.1f %10.1f%n", route.label, without.first(route),
                    without.first(route) - without.later(route), with.first(route), extra, saved, cpuSaved);
        }
        double initWithout = StartupBenchmark.percentile(without.initMs(), 50);
        double initWith = StartupBenchmark.percentile(with.initMs(), 50);
        double initGrowth = initWith - initWithout;
        double firstRunSaved = without.first(Route.CODEBUILD_RUN) - with.first(Route.CODEBUILD_RUN);
        System.out.printf(Locale.ROOT, "  init: %.0f without priming, %.0f primed (%+.0f)%n", initWithout, initWith, initGrowth);
        System.out.printf(Locale.ROOT, "  primed: every path's first invocation at most 100 ms more than later (target) -> %s%n",
                everyPathMet ? "met" : "NOT met");
        System.out.printf(Locale.ROOT, "  primed: init %+.0f ms for %.0f ms saved on the first run alone -> %s; for %.0f ms saved"
                + " over the paths above (target: init grows by no more) -> %s%n", initGrowth, firstRunSaved,
                initGrowth <= firstRunSaved ? "met" : "NOT met", savedTotal, initGrowth <= savedTotal ? "met" : "NOT met");
        // Each round runs a process with priming and one without back to back: the difference of the two is nearer the
        // truth than the difference of the medians when the machine's speed drifts over the rounds.
        List<Double> excess = excessPerRound(without, with, routes);
        System.out.printf(Locale.ROOT, "  per round, init growth less the time saved over the paths (the round's two processes, back to"
                + " back): median %+.0f ms, from %+.0f to %+.0f; growth no more than the saving in %d of %d rounds%n",
                StartupBenchmark.percentile(excess, 50), excess.stream().mapToDouble(d -> d).min().orElseThrow(),
                excess.stream().mapToDouble(d -> d).max().orElseThrow(), excess.stream().filter(d -> d <= 0).count(), excess.size());
        // CPU time: what the function's threads used, whatever else the machine ran meanwhile. A function of less than
        // 1,769 MB has less than one vCPU, so there its init and its answers take at least their CPU time.
        double initCpuGrowth = StartupBenchmark.percentile(with.initCpuMs(), 50) - StartupBenchmark.percentile(without.initCpuMs(), 50);
        double everyInvocationCpuSaved = StartupBenchmark.percentile(without.invocationsCpuMs(), 50)
                - StartupBenchmark.percentile(with.invocationsCpuMs(), 50);
        System.out.printf(Locale.ROOT, "  CPU time of the function's process: init %.0f without priming, %.0f primed (%+.0f); saved on the"
                + " first invocations over the paths above %.0f -> %s; on every invocation, first and later (untimed ones too)"
                + " %.0f -> %s%n",
                StartupBenchmark.percentile(without.initCpuMs(), 50), StartupBenchmark.percentile(with.initCpuMs(), 50), initCpuGrowth,
                cpuSavedTotal, initCpuGrowth <= cpuSavedTotal ? "met" : "NOT met", everyInvocationCpuSaved,
                initCpuGrowth <= everyInvocationCpuSaved ? "met" : "NOT met");
        for (Object[] row : new Object[][] {{"without", without}, {"primed", with}}) {
            Figures f = (Figures) row[1];
            StringBuilder line = new StringBuilder("  per round, " + row[0] + ": init " + rounded(f.initMs()) + ", CPU "
                    + rounded(f.initCpuMs()) + "; every invocation's CPU " + rounded(f.invocationsCpuMs()));
            for (Route route : routes) {
                line.append("; ").append(route.label).append(' ').append(rounded(f.firstMs().get(route))).append(" / ")
                        .append(rounded(f.laterMs().get(route)));
            }
            System.out.println(line);
        }
    }

    /**
     * For each round, the primed process's init growth over the unprimed one's, less the time priming saved on the first
     * invocation of each of {@code routes} in that round: at most 0 where the target is met.
     */
    static List<Double> excessPerRound(Figures without, Figures with, List<Route> routes) {
        List<Double> excess = new ArrayList<>();
        for (int round = 0; round < without.initMs().size(); round++) {
            double saved = 0;
            for (Route route : routes) {
                saved += without.firstMs().get(route).get(round) - with.firstMs().get(route).get(round);
            }
            excess.add(with.initMs().get(round) - without.initMs().get(round) - saved);
        }
        return excess;
    }

    private static void round(Path zip, AwsFake aws, DynamoDbLocal table, boolean primed, Figures figures) throws IOException {
        stub(aws);
        Map<String, String> env = new HashMap<>(PackagedFunction.TEST_POLICY);
        env.putAll(PackagedFunction.environment(aws.endpoint()));
        env.put("BUILDPUSH_PRIMING_AT_INIT", Boolean.toString(primed));
        env.put("BUILDPUSH_ECS_REGION", "us-east-1");
        env.put("BUILDPUSH_ECS_CLUSTER", "ci-builds");
        env.put("BUILDPUSH_ECS_EXECUTION_ROLE_ARN", "arn:aws:iam::111111111111:role/ecr-build-push-execution");
        env.put("BUILDPUSH_ECS_TASK_ROLE_ARN", "arn:aws:iam::111111111111:role/ecr-build-push-task");
        ObjectNode[] codeBuild = codeBuildRuns("app", "other-app", "bench");
        ObjectNode ecsFirst = (ObjectNode) JSON.readTree(Files.readAllBytes(Repo.path("events/run-ecs.json")));
        ObjectNode ecsLater = ecsFirst.deepCopy();
        ((ObjectNode) ecsLater.at("/step/spec")).put("imageName", "acme/other-worker");
        otherAccount(ecsLater, "/connectors/aws_builds/spec/credential/crossAccountAccess", "ecs-later");
        // A repository the function has never seen and ECR creates; then one in another account.
        ObjectNode[] fresh = codeBuildRuns("fresh-app", "fresh-other", "bench-fresh");
        // A web identity's token exchanged for a role, and stashed for the build; then a role in another account.
        ObjectNode oidcFirst = oidc(KnownTargetScenario.payload("run", "oidc-app", "unused"), "123456789012", "bench-oidc");
        ObjectNode oidcLater = oidc(KnownTargetScenario.payload("run", "oidc-other", "unused"), "222222222222", "bench-oidc-later");
        // A plan: the edge primes one; then one for another account.
        ObjectNode planFirst = (ObjectNode) JSON.readTree(Files.readAllBytes(Repo.path("events/plan-k8.json")));
        ObjectNode planLater = planFirst.deepCopy();
        ((ObjectNode) planLater.at("/step/spec")).put("account", "222222222222").put("imageName", "acme/other-plan");
        // A connector whose secret key is an SSM parameter (read with the function's credentials); then another account.
        ObjectNode[] ssm = codeBuildRuns("ssm-app", "ssm-other", "bench-ssm");
        for (ObjectNode payload : ssm) {
            ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", "ssm:/ci/aws-push-key");
        }
        // A run whose build must pass a scan gate; then one in another account.
        ObjectNode[] gated = codeBuildRuns("gated-app", "gated-other", "bench-gated");
        for (ObjectNode payload : gated) {
            ((ObjectNode) payload.at("/step/spec")).putObject("scanGate").put("maxSeverity", "HIGH");
        }
        // Two platforms, each built natively, and the index over them; then another account. Two more such runs, not
        // timed, whose arm64 build fails: their ends stop the amd64 build.
        ObjectNode[] platforms = codeBuildRuns("multi-app", "multi-other", "bench-platforms");
        ObjectNode[] platformsFailing = codeBuildRuns("multi-fail-app", "multi-fail-other", "bench-platforms-failing");
        String[] firstTags = {"mp1", "mp2", "mf1", "mf2"};
        ObjectNode[] twoPlatformRuns = {platforms[0], platforms[1], platformsFailing[0], platformsFailing[1]};
        for (int i = 0; i < twoPlatformRuns.length; i++) {
            ObjectNode spec = (ObjectNode) twoPlatformRuns[i].at("/step/spec");
            spec.putArray("tags").add(firstTags[i]).add("latest");
            spec.putArray("platforms").add("linux/amd64").add("linux/arm64");
        }
        List<ObjectNode> payloads = Stream.of(codeBuild, fresh, ssm, gated, twoPlatformRuns,
                new ObjectNode[] {ecsFirst, ecsLater, oidcFirst, oidcLater}).flatMap(Stream::of).toList();
        for (ObjectNode payload : payloads) {
            payload.remove("idempotencyKey");
        }
        if (table != null) {
            // The fake starts the same builds every round: the tokens waiting for them are cleared, or they would pile up.
            for (String build : Stream.of(Stream.of(KnownTargetScenario.BUILD_ID, LATER_BUILD_ID, TASK_ARN, LATER_TASK_ARN),
                    BUILDS_BY_IMAGE.values().stream(), BUILDS_BY_PLATFORM_TAG.values().stream()).flatMap(s -> s).toList()) {
                table.client().deleteItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey",
                        AttributeValue.fromS("build#" + build))));
            }
            env.put("AWS_ENDPOINT_URL_DYNAMODB", table.endpoint().toString());
            env.put("BUILDPUSH_IDEMPOTENCY_TABLE", TriggerWorld.TABLE);
            for (ObjectNode payload : payloads) {
                payload.put("idempotencyKey", UUID.randomUUID().toString()).put("taskToken", "bench-" + UUID.randomUUID());
            }
        }
        // Frozen while it waits for an event, as on Lambda: what its threads leave to do after an answer is done in the next
        // invocation, not for free between two (FUNCTION_IDLE=run lets it run on, to compare). FUNCTION_CPU_SHARE=memory
        // shares the CPU as Lambda does: init unthrottled, each invocation at the function's memory's share of a vCPU.
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(
                LocalLambdaRuntime.Idle.of(System.getenv(LocalLambdaRuntime.Idle.VARIABLE), LocalLambdaRuntime.Idle.FREEZE),
                cpuShare());
                FunctionProcess process = FunctionProcess.start(zip, PackagedFunction.CONFIG, runtime, env,
                        OutputStream.nullOutputStream())) {
            runtime.awaitIdle(TIMEOUT);
            figures.initMs().add((runtime.firstPollNanos() - process.startedAtNanos()) / 1e6);
            double initCpuMs = cpuMs(process);
            figures.initCpuMs().add(initCpuMs);
            Meter meter = invocation -> {
                double before = cpuMs(process);
                double ms = invocation.ms();
                return new Sample(ms, cpuMs(process) - before);
            };
            figures.add(Route.CODEBUILD_RUN, meter.of(() -> startedRun(runtime, codeBuild[0])),
                    meter.of(() -> startedRun(runtime, codeBuild[1])));
            figures.add(Route.ECS_RUN, meter.of(() -> startedRun(runtime, ecsFirst)), meter.of(() -> startedRun(runtime, ecsLater)));
            figures.add(Route.NEW_REPOSITORY_RUN, meter.of(() -> startedRun(runtime, fresh[0])),
                    meter.of(() -> startedRun(runtime, fresh[1])));
            figures.add(Route.OIDC_RUN, meter.of(() -> startedRun(runtime, oidcFirst)), meter.of(() -> startedRun(runtime, oidcLater)));
            figures.add(Route.SSM_KEY_RUN, meter.of(() -> startedRun(runtime, ssm[0])), meter.of(() -> startedRun(runtime, ssm[1])));
            if (table != null) {
                figures.add(Route.GATED_RUN, meter.of(() -> startedRun(runtime, gated[0])), meter.of(() -> startedRun(runtime, gated[1])));
                figures.add(Route.PLATFORMS_RUN, meter.of(() -> startedRun(runtime, platforms[0])),
                        meter.of(() -> startedRun(runtime, platforms[1])));
                startedRun(runtime, platformsFailing[0]);
                startedRun(runtime, platformsFailing[1]);
            }
            String failedBuild = BUILDS_BY_IMAGE.get("fresh-app");
            String failedLater = BUILDS_BY_IMAGE.get("fresh-other");
            if (table != null) {
                figures.add(Route.BUILD_END, meter.of(() -> completed(runtime, KnownTargetScenario.BUILD_ID)),
                        meter.of(() -> completed(runtime, LATER_BUILD_ID)));
                figures.add(Route.ECS_END, meter.of(() -> taskCompleted(runtime, TASK_ARN)),
                        meter.of(() -> taskCompleted(runtime, LATER_TASK_ARN)));
                figures.add(Route.FAILED_END, meter.of(() -> ended(runtime, failedBuild, "FAILED", "TASK_FAILED")),
                        meter.of(() -> ended(runtime, failedLater, "FAILED", "TASK_FAILED")));
                // The gated builds' ends: the scan read and judged at once (it passes), and the task completed.
                figures.add(Route.GATE_END, meter.of(() -> ended(runtime, BUILDS_BY_IMAGE.get("gated-app"), "SUCCEEDED", "TASK_SUCCEEDED")),
                        meter.of(() -> ended(runtime, BUILDS_BY_IMAGE.get("gated-other"), "SUCCEEDED", "TASK_SUCCEEDED")));
                // The arm64 builds' ends: both platforms read back, and the index written over them (BatchGetImage, then
                // PutImage under each tag); or the arm64 build failed, and the amd64 one is stopped.
                figures.add(Route.INDEX_END, meter.of(() -> indexWritten(runtime, aws, "mp1")),
                        meter.of(() -> indexWritten(runtime, aws, "mp2")));
                figures.add(Route.PLATFORM_FAILED_END, meter.of(() -> platformFailed(runtime, aws, "mf1")),
                        meter.of(() -> platformFailed(runtime, aws, "mf2")));
            } else {
                figures.add(Route.BUILD_STATUS, meter.of(() -> status(runtime, KnownTargetScenario.BUILD_ID, "SUCCEEDED")),
                        meter.of(() -> status(runtime, LATER_BUILD_ID, "SUCCEEDED")));
                figures.add(Route.TASK_STATUS, meter.of(() -> status(runtime, TASK_ARN, "SUCCEEDED")),
                        meter.of(() -> status(runtime, LATER_TASK_ARN, "SUCCEEDED")));
                figures.add(Route.FAILED_STATUS, meter.of(() -> status(runtime, failedBuild, "FAILED")),
                        meter.of(() -> status(runtime, failedLater, "FAILED")));
            }
            // The OIDC runs' builds end: each one's stashed token is deleted; the first also sweeps the region's stashes.
            String oidcEnded = table != null ? "TASK_SUCCEEDED" : "IGNORED";
            figures.add(Route.OIDC_END, meter.of(() -> stashDeleted(runtime, aws, BUILDS_BY_IMAGE.get("oidc-app"), oidcEnded)),
                    meter.of(() -> stashDeleted(runtime, aws, BUILDS_BY_IMAGE.get("oidc-other"), oidcEnded)));
            figures.add(Route.PLAN, meter.of(() -> planned(runtime, planFirst)), meter.of(() -> planned(runtime, planLater)));
            figures.invocationsCpuMs().add(cpuMs(process) - initCpuMs);
        }
    }

    /** Times an invocation on the wall and in the function's CPU. */
    @FunctionalInterface
    private interface Meter {
        Sample of(Invocation invocation) throws IOException;
    }

    /** How much of the CPU the function gets: {@code FUNCTION_CPU_SHARE}, the whole of it throughout when unset. */
    private static LocalLambdaRuntime.CpuShare cpuShare() {
        return LocalLambdaRuntime.CpuShare.of(System.getenv(LocalLambdaRuntime.CpuShare.VARIABLE), LocalLambdaRuntime.CpuShare.FULL);
    }

    /** The CPU time the function's process has used so far, in ms (the kernel counts it in ticks: 10 ms steps). */
    private static double cpuMs(FunctionProcess process) {
        return process.cpuTime().toNanos() / 1e6;
    }

    /**
     * A CodeBuild run of {@code image} through the role {@code role} (manual keys, a role in the target account), then
     * one of {@code laterImage} in another account, through a role of its own there.
     */
    private static ObjectNode[] codeBuildRuns(String image, String laterImage, String role) {
        ObjectNode later = KnownTargetScenario.payload("run", laterImage, role + "-later");
        otherAccount(later, "/connectors/aws/spec/credential/crossAccountAccess", role + "-later");
        return new ObjectNode[] {KnownTargetScenario.payload("run", image, role), later};
    }

    /** The later target: another account, and a role of its own there. */
    private static void otherAccount(ObjectNode payload, String crossAccountAccess, String role) {
        ((ObjectNode) payload.at("/step/spec")).put("account", "222222222222");
        ((ObjectNode) payload.at(crossAccountAccess)).put("crossAccountRoleArn", "arn:aws:iam::222222222222:role/" + role);
    }

    /** The payload through an OIDC connector: {@code role} in {@code account}, assumed with the payload's token. */
    private static ObjectNode oidc(ObjectNode payload, String account, String role) {
        ((ObjectNode) payload.at("/step/spec")).put("account", account);
        ObjectNode credential = ((ObjectNode) payload.at("/connectors/aws/spec")).putObject("credential").put("type",
                "OidcAuthentication");
        credential.putObject("spec").put("iamRoleArn", "arn:aws:iam::" + account + ":role/" + role);
        return payload.put("oidcToken", "eyJhbGciOiJSUzI1NiJ9.e30.bench-" + role);
    }

    /** Every answer of the runs and the builds' ends; CodeBuild starts one build per target. */
    private static void stub(AwsFake aws) {
        KnownTargetScenario.stub(aws, true);
        aws.replyWhenBodyContains(AwsFake.CODEBUILD + "StartBuild", "other-app", AwsFake.json("{\"build\":{\"id\":\""
                + LATER_BUILD_ID + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + LATER_BUILD_ID + "\"}}"));
        // The runs' builds read back: they pushed the digest; the new repositories' builds failed; the OIDC runs' builds
        // list where their token was stashed.
        String pushed = ",\"exportedEnvironmentVariables\":[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + DIGEST + "\"}]";
        for (String build : List.of(KnownTargetScenario.BUILD_ID, LATER_BUILD_ID, BUILDS_BY_IMAGE.get("gated-app"),
                BUILDS_BY_IMAGE.get("gated-other"))) {
            readBack(aws, build, "SUCCEEDED", pushed);
        }
        for (String image : List.of("fresh-app", "fresh-other")) {
            readBack(aws, BUILDS_BY_IMAGE.get(image), "FAILED", ",\"phases\":[{\"phaseType\":\"BUILD\",\"phaseStatus\":\"FAILED\","
                    + "\"durationInSeconds\":41,\"contexts\":[{\"statusCode\":\"COMMAND_EXECUTION_ERROR\","
                    + "\"message\":\"exit status 1\"}]}]");
        }
        for (String image : List.of("oidc-app", "oidc-other")) {
            readBack(aws, BUILDS_BY_IMAGE.get(image), "SUCCEEDED", ",\"environment\":{\"environmentVariables\":[{\"name\":"
                    + "\"PLUGIN_OIDC_TOKEN_ID\",\"type\":\"PARAMETER_STORE\",\"value\":\"" + STASH + image + "\"}]}" + pushed);
        }
        // Basic scanning's answer for the gated images: complete, with findings below the gate's bar.
        try {
            aws.reply(AwsFake.ECR + "DescribeImageScanFindings", Files.readString(Repo.path(
                    "function/src/test/resources/scans/describe-basic-low-only.json")).replace("sha256:" + "d".repeat(64), DIGEST));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        aws.reply(AwsFake.SSM + "DeleteParameter", "{}");
        aws.reply(AwsFake.SSM + "DescribeParameters", "{\"Parameters\": []}");
        BUILDS_BY_IMAGE.forEach((image, build) -> aws.replyWhenBodyContains(AwsFake.CODEBUILD + "StartBuild", "\"" + image + "\"",
                AwsFake.json("{\"build\":{\"id\":\"" + build + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + build
                        + "\"}}")));
        for (String image : List.of("fresh-app", "fresh-other")) {
            aws.replyWhenBodyContains(AwsFake.ECR + "CreateRepository", "\"" + image + "\"", AwsFake.json("{\"repository\":"
                    + "{\"repositoryName\":\"" + image + "\",\"registryId\":\"123456789012\"}}"));
        }
        aws.stub("AssumeRoleWithWebIdentity", AwsFake.stsCredentials("AssumeRoleWithWebIdentity", "ASIAOIDCROLE00000001", "s", "t",
                Instant.parse("2099-01-01T00:00:00Z")));
        aws.stub(AwsFake.SSM + "GetParameter", AwsFake.parameter("/ci/aws-push-key", KnownTargetScenario.SECRET_KEY_VALUE));
        aws.reply(AwsFake.SSM + "PutParameter", "{\"Version\": 1, \"Tier\": \"Standard\"}");
        aws.fail(AwsFake.ECS + "DescribeTaskDefinition", 400, "ClientException", "Unable to describe task definition.");
        aws.reply(AwsFake.ECS + "RegisterTaskDefinition", "{\"taskDefinition\": {\"taskDefinitionArn\":"
                + " \"arn:aws:ecs:us-east-1:111111111111:task-definition/ecr-build-push-0000000000000000:1\", \"status\": \"ACTIVE\"}}");
        aws.reply(AwsFake.ECS + "RunTask", "{\"tasks\": [{\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"PROVISIONING\"}],"
                + " \"failures\": []}");
        aws.replyWhenBodyContains(AwsFake.ECS + "RunTask", "acme/other-worker", AwsFake.json("{\"tasks\": [{\"taskArn\": \""
                + LATER_TASK_ARN + "\", \"lastStatus\": \"PROVISIONING\"}], \"failures\": []}"));
        // Each task read back stopped, its plugin container done, and the digest it printed last in its log.
        for (String task : List.of(TASK_ARN, LATER_TASK_ARN)) {
            TriggerWorld.describeTasksAnswers(aws, task, "STOPPED", "STOPPED", 0, Instant.now().minusSeconds(600), 2400,
                    "ecr-build-push", "ecr-build-push-0f1e2d3c4b5a6978");
        }
        aws.reply(AwsFake.LOGS + "GetLogEvents", "{\"events\": [{\"timestamp\": 1, \"message\": \"ecr-build-push: pushed "
                + DIGEST + "\"}]}");
        // The two-platform runs: each platform's build started by its own tag; the index's builds pushed the manifests ECR
        // answers back by digest; the failing runs' arm64 builds failed while their amd64 builds still run.
        BUILDS_BY_PLATFORM_TAG.forEach((tag, build) -> aws.replyWhenBodyContains(AwsFake.CODEBUILD + "StartBuild", tag,
                AwsFake.json("{\"build\":{\"id\":\"" + build + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + build
                        + "\"}}")));
        for (String tag : List.of("mp1", "mp2")) {
            for (String[] platform : new String[][] {{"amd64", AMD_MANIFEST}, {"arm64", ARM_MANIFEST}}) {
                readBack(aws, BUILDS_BY_PLATFORM_TAG.get(tag + "-linux-" + platform[0]), "SUCCEEDED",
                        ",\"exportedEnvironmentVariables\":[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\""
                                + ImageIndex.digestOf(platform[1]) + "\"}]");
            }
        }
        for (String tag : List.of("mf1", "mf2")) {
            aws.replyWhenBodyContains(AwsFake.CODEBUILD + "BatchGetBuilds", BUILDS_BY_PLATFORM_TAG.get(tag + "-linux-amd64"),
                    AwsFake.json("{\"builds\":[{\"id\":\"" + BUILDS_BY_PLATFORM_TAG.get(tag + "-linux-amd64")
                            + "\",\"buildStatus\":\"IN_PROGRESS\",\"currentPhase\":\"BUILD\"}],\"buildsNotFound\":[]}"));
            readBack(aws, BUILDS_BY_PLATFORM_TAG.get(tag + "-linux-arm64"), "FAILED", ",\"phases\":[{\"phaseType\":\"BUILD\","
                    + "\"phaseStatus\":\"FAILED\",\"durationInSeconds\":41}]");
        }
        ObjectNode images = JSON.createObjectNode();
        for (String manifest : List.of(AMD_MANIFEST, ARM_MANIFEST)) {
            images.withArray("images").addObject().put("imageManifest", manifest)
                    .put("imageManifestMediaType", ImageIndex.DOCKER_MANIFEST).putObject("imageId")
                    .put("imageDigest", ImageIndex.digestOf(manifest));
        }
        aws.replyWhenBodyContains(AwsFake.ECR + "BatchGetImage", ImageIndex.digestOf(AMD_MANIFEST), AwsFake.json(images.toString()));
        aws.reply(AwsFake.ECR + "PutImage", "{\"image\": {}}");
        aws.reply(AwsFake.CODEBUILD + "StopBuild", "{\"build\": {\"buildStatus\": \"STOPPED\"}}");
        aws.reply(AwsFake.STEP_FUNCTIONS + "SendTaskSuccess", "{}");
        aws.reply(AwsFake.STEP_FUNCTIONS + "SendTaskFailure", "{}");
    }

    /** CodeBuild's answer when {@code build} is read back: ended with {@code status}, and {@code more} of the build. */
    private static void readBack(AwsFake aws, String build, String status, String more) {
        aws.replyWhenBodyContains(AwsFake.CODEBUILD + "BatchGetBuilds", build, AwsFake.json("{\"builds\":[{\"id\":\"" + build
                + "\",\"buildStatus\":\"" + status + "\",\"currentPhase\":\"COMPLETED\"" + more + "}],\"buildsNotFound\":[]}"));
    }

    /** A run's invocation time, once it has started a build; anything else stops the benchmark. */
    private static double startedRun(LocalLambdaRuntime runtime, ObjectNode payload) throws IOException {
        LocalLambdaRuntime.Success answer = runtime.invoke(JSON.writeValueAsBytes(payload), TIMEOUT).success();
        JsonNode result = JSON.readTree(answer.payload());
        if (!result.path("buildId").isTextual()) {
            throw new IllegalStateException("the run started no build: " + result);
        }
        return answer.elapsed().toNanos() / 1e6;
    }

    /** The time of a build's SUCCEEDED state change, once it has completed the task that waited for the build. */
    private static double completed(LocalLambdaRuntime runtime, String buildId) throws IOException {
        return ended(runtime, buildId, "SUCCEEDED", "TASK_SUCCEEDED");
    }

    /** The time of a build's state change to {@code buildStatus}, once the function has answered {@code expected}. */
    private static double ended(LocalLambdaRuntime runtime, String buildId, String buildStatus, String expected) throws IOException {
        return ended(runtime, stateChange(buildId, buildStatus), expected);
    }

    private static double ended(LocalLambdaRuntime runtime, ObjectNode event, String expected) throws IOException {
        LocalLambdaRuntime.Success answer = runtime.invoke(JSON.writeValueAsBytes(event), TIMEOUT).success();
        JsonNode result = JSON.readTree(answer.payload());
        if (!expected.equals(result.path("status").asText())) {
            throw new IllegalStateException("the build's end was not taken: " + result);
        }
        return answer.elapsed().toNanos() / 1e6;
    }

    /** CodeBuild's state-change event of {@code buildId}, as EventBridge delivers it. */
    private static ObjectNode stateChange(String buildId, String buildStatus) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(
                Repo.path("function/src/test/resources/state-changes/codebuild-failed.json")));
        String arn = "arn:aws:codebuild:us-east-1:111111111111:build/" + buildId;
        event.putArray("resources").add(arn);
        ((ObjectNode) event.get("detail")).put("build-status", buildStatus).put("build-id", arn);
        return event;
    }

    /** The time of the arm64 build's end of the two-platform run tagged {@code tag}, once its index is put under each tag. */
    private static double indexWritten(LocalLambdaRuntime runtime, AwsFake aws, String tag) throws IOException {
        int puts = aws.bodies(AwsFake.ECR + "PutImage").size();
        double elapsed = ended(runtime, BUILDS_BY_PLATFORM_TAG.get(tag + "-linux-arm64"), "SUCCEEDED", "TASK_SUCCEEDED");
        if (aws.bodies(AwsFake.ECR + "PutImage").size() != puts + 2) {
            throw new IllegalStateException("the index of the run tagged " + tag + " was not put under its two tags");
        }
        return elapsed;
    }

    /** The time of the failed arm64 build's end of the run tagged {@code tag}, once its amd64 build is stopped. */
    private static double platformFailed(LocalLambdaRuntime runtime, AwsFake aws, String tag) throws IOException {
        int stops = aws.bodies(AwsFake.CODEBUILD + "StopBuild").size();
        double elapsed = ended(runtime, BUILDS_BY_PLATFORM_TAG.get(tag + "-linux-arm64"), "FAILED", "TASK_FAILED");
        if (aws.bodies(AwsFake.CODEBUILD + "StopBuild").size() != stops + 1) {
            throw new IllegalStateException("the amd64 build of the run tagged " + tag + " was not stopped");
        }
        return elapsed;
    }

    /** The time of an OIDC run's build's end, once the function has deleted the token stashed for it. */
    private static double stashDeleted(LocalLambdaRuntime runtime, AwsFake aws, String buildId, String expected) throws IOException {
        ObjectNode event = stateChange(buildId, "SUCCEEDED");
        String image = BUILDS_BY_IMAGE.entrySet().stream().filter(e -> e.getValue().equals(buildId)).findFirst().orElseThrow().getKey();
        ((ArrayNode) event.at("/detail/additional-information/environment/environment-variables")).addObject()
                .put("name", "PLUGIN_OIDC_TOKEN_ID").put("type", "PARAMETER_STORE").put("value", STASH + image);
        int deleted = aws.bodies(AwsFake.SSM + "DeleteParameter").size();
        double elapsed = ended(runtime, event, expected);
        if (aws.bodies(AwsFake.SSM + "DeleteParameter").size() != deleted + 1) {
            throw new IllegalStateException("the stash of build " + buildId + " was not deleted");
        }
        return elapsed;
    }

    /** The time of a plan, once it has answered with the plan. */
    private static double planned(LocalLambdaRuntime runtime, ObjectNode payload) throws IOException {
        LocalLambdaRuntime.Success answer = runtime.invoke(JSON.writeValueAsBytes(payload), TIMEOUT).success();
        JsonNode result = JSON.readTree(answer.payload());
        if (!"PLANNED".equals(result.path("status").asText())) {
            throw new IllegalStateException("the plan was not answered: " + result);
        }
        return answer.elapsed().toNanos() / 1e6;
    }

    /** The time of a status request for a build or a task, once it has answered {@code expected}. */
    private static double status(LocalLambdaRuntime runtime, String buildId, String expected) throws IOException {
        LocalLambdaRuntime.Success answer = runtime.invoke(JSON.writeValueAsBytes(JSON.createObjectNode().put("buildId", buildId)),
                TIMEOUT).success();
        JsonNode result = JSON.readTree(answer.payload());
        if (!expected.equals(result.path("status").asText())) {
            throw new IllegalStateException("the status request was not answered: " + result);
        }
        return answer.elapsed().toNanos() / 1e6;
    }

    /** The time of a task's STOPPED state change, once it has completed the task that waited for it. */
    private static double taskCompleted(LocalLambdaRuntime runtime, String taskArn) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(Repo.path("events/ecs-task-state-change.json")));
        event.putArray("resources").add(taskArn);
        ((ObjectNode) event.get("detail")).put("taskArn", taskArn)
                .put("clusterArn", taskArn.substring(0, taskArn.indexOf(":task/")) + ":cluster/ci-builds");
        LocalLambdaRuntime.Success answer = runtime.invoke(JSON.writeValueAsBytes(event), TIMEOUT).success();
        JsonNode result = JSON.readTree(answer.payload());
        if (!"TASK_SUCCEEDED".equals(result.path("status").asText())) {
            throw new IllegalStateException("the task's end was not taken: " + result);
        }
        return answer.elapsed().toNanos() / 1e6;
    }

    private static List<Long> rounded(List<Double> values) {
        return values == null ? List.of() : values.stream().map(Math::round).toList();
    }
}
