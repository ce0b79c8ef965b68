package dev.ecrpush.priming;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.executor.ecs.EcsSettings;
import dev.ecrpush.flow.AwsStages;
import dev.ecrpush.flow.PlatformBuilds;
import dev.ecrpush.flow.Runs;
import dev.ecrpush.flow.StepOutcome;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.StashCleanup;
import dev.ecrpush.launch.SigningStatus;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.registry.ImageSigning;
import dev.ecrpush.registry.SigningProfile;
import dev.ecrpush.result.ResultJson;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.scan.ImageScans;
import dev.ecrpush.scan.ScanReading;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.TriggerType;

/**
 * Priming of the run and event paths: two built-in {@code mode: run} payloads, one on CodeBuild (keys from Secrets
 * Manager, a role in another account, a new repository) and one on ECS (an OIDC token for a web identity, stashed
 * for the build; a repository that exists; a task definition to register), go through the function's own
 * {@link Runs} and {@link AwsStages} (idempotency claim, credentials, repository, launch, task token), then their
 * builds' ends through {@link TaskCompletions} (the build read back, the Step Functions task completed) and
 * {@link StashCleanup} (the ECS task's stashed token deleted, the region's old stashes swept). With an idempotency
 * table, a third payload, the CodeBuild one of two platforms, starts a build per platform through {@link PlatformBuilds},
 * and its end writes the image index over both. The calls no payload reaches here (a key kept in SSM, stopping a build
 * or a task, and without a table an index's) and anything a configuration left out are then called directly, so that
 * every operation of {@link #OPERATIONS} has been marshalled, signed and parsed. A function without an idempotency
 * table never claims a key or keeps a task token: its priming runs the single-platform payloads without them, reads
 * the builds' ends as a status request does, and leaves out {@link #TABLE_OPERATIONS} and {@link #TABLE_STEP_OPERATIONS}.
 *
 * <p>Nothing here reaches AWS or the function's credentials, and nothing is left behind for real requests: every
 * object is made here, over a client factory of its own whose HTTP client is {@link CannedAws} (no connection is
 * ever opened) and whose own credentials are {@link #CREDENTIALS}, fixed keys that sign nothing AWS would take; its
 * credential cache, known repositories, task definitions, stash sweeps and clients are dropped with it. The real beans are not
 * touched: their caches stay empty, their clients unbuilt.
 */
public final class RunPathPriming {
    /** The operations only a function with an idempotency table calls: its claims, and the task tokens it keeps. */
    public static final List<String> TABLE_OPERATIONS = List.of("PutItem", "UpdateItem", "GetItem", "SendTaskSuccess",
            "SendTaskFailure");
    /**
     * The operations only a function with an idempotency table reaches, outside the table itself: a scan gate's reading,
     * and stopping a build (another platform's, a superseded one). Without a table, a gated step and a step of two platforms
     * are refused, and no superseded build is stopped.
     */
    public static final List<String> TABLE_STEP_OPERATIONS = List.of("DescribeImageScanFindings", "StopBuild");
    /** Every operation of the run and event paths, by service; priming answers each at least once. */
    public static final List<String> OPERATIONS = Stream.concat(Stream.of(
            "AssumeRole", "AssumeRoleWithWebIdentity",
            "GetSecretValue", "GetParameter",
            "CreateRepository", "PutLifecyclePolicy", "SetRepositoryPolicy", "DescribeRepositories", "BatchGetImage", "PutImage",
            "DescribeImageScanFindings",
            "StartBuild", "BatchGetBuilds", "StopBuild",
            "DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask", "DescribeTasks", "StopTask",
            "GetLogEvents",
            "PutParameter", "DeleteParameter", "DescribeParameters"), TABLE_OPERATIONS.stream()).toList();
    /** The function's own credentials while priming: not a key of any account, never resolved from the environment. */
    static final AwsCredentialsProvider CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create("AKIAPRIMINGNOTAKEY00", "priming-signs-nothing-aws-would-take"));
    static final String CODEBUILD_PAYLOAD = "/priming/plan-payload.json";
    static final String ECS_PAYLOAD = "/priming/run-ecs-payload.json";
    private static final String ACCOUNT = "123456789012";
    private static final String REPOSITORY = "priming/app";
    private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
    private static final String TASK_TOKEN = "snapstart-priming-task-token";
    private static final String BUILD_UUID = "01234567-89ab-4def-8123-456789abcdef";
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + DIGEST + "\",\"size\":2},"
            + "\"layers\":[]}";
    private static final String AMD64 = "linux/amd64";
    private static final String ARM64 = "linux/arm64";
    /** What each platform's build pushed in the two-platform run, by platform: ECR answers it back by its digest. */
    private static final Map<String, String> PLATFORM_MANIFESTS = Map.of(AMD64, MANIFEST,
            ARM64, MANIFEST.replace("\"size\":2", "\"size\":3"));

    private final ServiceConfig config;
    private final GitHostRegistry hosts;
    private final PlanConfig planConfig;
    private final ObjectMapper json;

    /**
     * @param planConfig the function's plan configuration: its images and prefixes (its planners are not used)
     */
    public RunPathPriming(ServiceConfig config, GitHostRegistry hosts, PlanConfig planConfig, ObjectMapper json) {
        this.config = config;
        this.hosts = hosts;
        this.planConfig = planConfig;
        this.json = json;
    }

    /**
     * What priming went through: the builds it started (on the canned answers), the operations answered and the requests
     * as the canned answers received them (left out of {@link #toString()}, which the function logs).
     */
    public record Outcome(List<String> buildIds, List<String> operations, List<String> calledDirectly, Map<String, Long> millis,
            List<CannedAws.Request> requests) {
        @Override
        public String toString() {
            return "Outcome[buildIds=" + buildIds + ", operations=" + operations + ", calledDirectly=" + calledDirectly + ", millis="
                    + millis + "]";
        }
    }

    /**
     * Primes everything, before a snapshot: never throws for a refusal of the payloads by the function (it is logged by
     * the caller); the clients are closed before it returns.
     */
    public Outcome prime() {
        return prime(true);
    }

    /**
     * Primes at init, where its cost counts against the first request's: the same, but for the two-platform run. Every
     * operation it makes is primed already by the other payloads and the direct calls, and running it measured about
     * 70 ms at init for at most 25 ms saved on a function's first two-platform run and its end (docs/contributing.md,
     * "Priming").
     */
    public Outcome primeAtInit() {
        return prime(false);
    }

    private Outcome prime(boolean twoPlatforms) {
        Map<String, Long> millis = new LinkedHashMap<>();
        long start = System.nanoTime();
        EcsSettings ecsSettings = runnable(EcsSettings.from(config.ecs()));
        CannedAws[] canned = new CannedAws[1];
        CannedAws aws = new CannedAws(answers(ecsSettings, () -> canned[0]));
        canned[0] = aws;
        AwsClients clients = new AwsClients(AwsClients.Options.defaults().withFunctionCredentials(CREDENTIALS), aws);
        try {
            CodeBuildExecutor codeBuild = new CodeBuildExecutor(CodeBuildSettings.from(config.codebuild(), hosts), clients);
            EcsExecutor ecs = new EcsExecutor(ecsSettings, clients, Clock.systemUTC());
            // Without a table a run keeps no task token and claims no key: DynamoDB and Step Functions are never called, and a
            // step of two or more platforms is refused.
            boolean table = config.idempotency().table().isPresent();
            IdempotencyTables tables = new IdempotencyTables(clients, table ? new Table(config.idempotency()) : config.idempotency());
            CredentialsResolver credentials = new CredentialsResolver(clients, Clock.systemUTC(), config.credentials().staticKeysTtl());
            Executors executors = new Executors(List.of(codeBuild, ecs));
            AwsStages stages = table
                    ? new AwsStages(clients, credentials, executors, config, new PlatformBuilds(tables, clients, credentials))
                    : new AwsStages(clients, credentials, executors, config);
            TaskCompletions completions = new TaskCompletions(clients, tables, json);
            Runs runs = new Runs(stages, tables, completions, json);
            // The ECS run's token is stashed for its task: the task's end deletes it and sweeps the region's old stashes.
            StashCleanup stashes = new StashCleanup(clients, config.oidc().parameterPrefix(), config.oidc().stashMaxAge(),
                    Clock.systemUTC());
            ParseSettings parse = ParseSettings.of(TriggerType.MANUAL, Map.of(), List.of(codeBuild, ecs));
            PlanConfig plans = new PlanConfig(runnable(planConfig.images()), planConfig.buildkitImage(),
                    planConfig.oidcParameterPrefix(), Map.of(codeBuild.type(), codeBuild, ecs.type(), ecs));
            List<String> buildIds = new ArrayList<>();
            start = lap(millis, "set-up", start);
            List<JsonNode> payloads = new ArrayList<>(List.of(codeBuildPayload(table), withTable(payload(ECS_PAYLOAD), table)));
            if (table && twoPlatforms) {
                payloads.add(twoPlatformPayload());
            }
            for (JsonNode payload : payloads) {
                Plan plan = Planner.plan(StepParser.parse(payload, parse), plans);
                StepResult result = ((StepOutcome.Finished) runs.run(plan)).result();
                json.writeValueAsBytes(ResultJson.tree(result, json));
                String executor = plan.multiPlatform() ? "two-platform" : plan.payload().executor().type();
                start = lap(millis, executor + " run", start);
                // The build's state-change event: read back, and its waiting task completed; without a table, its
                // status request.
                BuildStatusResult[] status = new BuildStatusResult[1];
                if (table) {
                    completions.onBuildEvent(result.buildId(), () -> status[0] = stages.status(result.buildId()));
                } else {
                    status[0] = stages.status(result.buildId());
                }
                if (status[0] != null) {
                    json.writeValueAsBytes(ResultJson.tree(status[0], json));
                    stashes.buildEnded(status[0]);
                }
                buildIds.add(result.buildId());
                start = lap(millis, executor + " end", start);
            }
            List<String> direct = new ArrayList<>();
            directCalls(clients, config.repository().signing()).forEach((operation, call) -> {
                if (!aws.operations().contains(operation) && (table || !TABLE_OPERATIONS.contains(operation)
                        && !TABLE_STEP_OPERATIONS.contains(operation))) {
                    call.accept(clients);
                    direct.add(operation);
                }
            });
            lap(millis, "direct calls", start);
            return new Outcome(buildIds, aws.operations(), direct, millis, aws.requests());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            clients.close();
        }
    }

    private static long lap(Map<String, Long> millis, String step, long start) {
        long now = System.nanoTime();
        millis.put(step, (now - start) / 1_000_000);
        return now;
    }

    /** The ECS settings with what a run needs and the configuration may leave out (a cluster, an execution role). */
    private static EcsSettings runnable(EcsSettings settings) {
        EcsSettings runnable = settings.cluster() == null ? settings.withCluster("priming") : settings;
        return runnable.executionRoleArn() != null ? runnable
                : runnable.withRoles("arn:aws:iam::" + ACCOUNT + ":role/priming-execution", runnable.taskRoleArn());
    }

    /** The images, with a built kaniko image: run mode refuses the unbuilt default, which would end priming early. */
    private static PlanConfig.PluginImages runnable(PlanConfig.PluginImages images) {
        return images.kanikoEcr().equals(BuildImage.KANIKO_ECR.defaultReference())
                ? new PlanConfig.PluginImages(ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com/priming/kaniko-ecr:priming", images.ecr(),
                        images.buildxEcr(), images.registryPrefix())
                : images;
    }

    /** The plan priming's payload, run: manual keys, cross-account access, a base image connector and a cache, on VM. */
    private JsonNode codeBuildPayload(boolean table) {
        ObjectNode payload = (ObjectNode) payload(CODEBUILD_PAYLOAD);
        payload.put("mode", "run").put("taskToken", TASK_TOKEN);
        return withTable(payload, table);
    }

    /**
     * The CodeBuild payload, of two platforms: a build each, then, when both have pushed, the index written over them by
     * the function's own {@link PlatformBuilds}. Only with a table, which keeps the builds until the last one ends.
     */
    private JsonNode twoPlatformPayload() {
        ObjectNode payload = (ObjectNode) codeBuildPayload(true);
        payload.put("idempotencyKey", "snapstart-priming-platforms");
        ((ObjectNode) payload.at("/step/spec")).putArray("platforms").add(AMD64).add(ARM64);
        return payload;
    }

    /** The payload as it is with a table; without one, as a run there must be: no task token, no idempotency key. */
    private static JsonNode withTable(JsonNode payload, boolean table) {
        if (!table) {
            ((ObjectNode) payload).remove(List.of("taskToken", "idempotencyKey"));
        }
        return payload;
    }

    private JsonNode payload(String resource) {
        try (InputStream in = RunPathPriming.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the function");
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The calls no built-in payload reaches, by operation: made directly, with what a real call would send; a gated
     * build's scan and, with a signing profile, a signed image's status are read by the function's own readers.
     */
    private static Map<String, Consumer<AwsClients>> directCalls(AwsClients clients, Optional<String> signing) {
        Region region = Region.US_EAST_1;
        EcrClient ecr = clients.ecr(region, CREDENTIALS);
        Map<String, Consumer<AwsClients>> calls = new LinkedHashMap<>();
        // Read as the gate and the signing report read them; an answer they could not use would prime the wrong path.
        calls.put("DescribeImageScanFindings", c -> expect(new ImageScans(ecr).read(ACCOUNT, REPOSITORY, DIGEST, true),
                ScanReading.Findings.class::isInstance));
        signing.map(SigningProfile::parse).ifPresent(profile -> calls.put("DescribeImageSigningStatus",
                c -> expect(new ImageSigning(ecr, profile).status(ACCOUNT, REPOSITORY, DIGEST),
                        status -> status.status() == SigningStatus.State.COMPLETE)));
        calls.put("DescribeRepositories", c -> ecr.describeRepositories(r -> r.registryId(ACCOUNT).repositoryNames(REPOSITORY)));
        calls.put("SetRepositoryPolicy", c -> ecr.setRepositoryPolicy(r -> r.registryId(ACCOUNT).repositoryName(REPOSITORY)
                .policyText("{\"Version\":\"2012-10-17\",\"Statement\":[]}")));
        calls.put("BatchGetImage", c -> ecr.batchGetImage(r -> r.registryId(ACCOUNT).repositoryName(REPOSITORY)
                .imageIds(ImageIdentifier.builder().imageTag("latest").build())
                .acceptedMediaTypes("application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json")));
        calls.put("PutImage", c -> ecr.putImage(r -> r.registryId(ACCOUNT).repositoryName(REPOSITORY).imageTag("latest")
                .imageManifest(MANIFEST).imageManifestMediaType("application/vnd.oci.image.manifest.v1+json")
                .imageDigest(DIGEST)));
        calls.put("PutParameter", c -> c.ssm(region, CREDENTIALS).putParameter(r -> r.name("/priming/parameter")
                .value("priming").type(ParameterType.SECURE_STRING).overwrite(true)));
        calls.put("DeleteParameter", c -> c.ssm(region, CREDENTIALS).deleteParameter(r -> r.name("/priming/parameter")));
        calls.put("AssumeRoleWithWebIdentity", c -> c.sts(region, CREDENTIALS).assumeRoleWithWebIdentity(r -> r
                .roleArn("arn:aws:iam::" + ACCOUNT + ":role/priming").roleSessionName("priming").webIdentityToken("priming")));
        calls.put("GetLogEvents", c -> c.logs(region, CREDENTIALS).getLogEvents(r -> r.logGroupName("/priming")
                .logStreamName("priming").startFromHead(false).limit(1)));
        calls.put("SendTaskSuccess", c -> c.sfn(region, CREDENTIALS).sendTaskSuccess(r -> r.taskToken(TASK_TOKEN).output("{}")));
        calls.put("SendTaskFailure", c -> c.sfn(region, CREDENTIALS).sendTaskFailure(r -> r.taskToken(TASK_TOKEN)
                .error("priming").cause("priming")));
        // A connector's key kept in SSM (a secret reference "ssm:/path"), read as the credentials stage reads it.
        calls.put("GetParameter", c -> c.ssm(region, CREDENTIALS).getParameter(r -> r.name("/priming/parameter").withDecryption(true)));
        // Stopping a build: a platform's build when another failed, a superseded build, an ECS task past its timeout.
        calls.put("StopBuild", c -> c.codeBuild(region, CREDENTIALS).stopBuild(r -> r.id("ecr-build-push:" + BUILD_UUID)));
        calls.put("StopTask", c -> c.ecs(region, CREDENTIALS).stopTask(r -> r.cluster("priming")
                .task("0123456789abcdef0123456789abcdef").reason("priming")));
        return calls;
    }

    private static <T> void expect(T reading, Predicate<T> usable) {
        if (!usable.test(reading)) {
            throw new IllegalStateException("priming's canned answer was read as " + reading);
        }
    }

    /** The canned answers: what AWS would answer the two runs and their ends, in AWS's own formats. */
    private Map<String, CannedAws.Answer> answers(EcsSettings ecs, Supplier<CannedAws> aws) {
        Map<String, CannedAws.Answer> answers = new LinkedHashMap<>();
        answers.put("AssumeRole", (request, n) -> CannedAws.Reply.xml(stsCredentials("AssumeRole")));
        answers.put("AssumeRoleWithWebIdentity", (request, n) -> CannedAws.Reply.xml(stsCredentials("AssumeRoleWithWebIdentity")));
        answers.put("GetSecretValue", (request, n) -> CannedAws.Reply.json("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:" + ACCOUNT
                + ":secret:priming\",\"Name\":\"priming\",\"SecretString\":\"priming-not-a-secret\"}"));
        // The first run creates its repository, the second finds it: both answers are parsed, the error too.
        answers.put("CreateRepository", (request, n) -> n == 0
                ? CannedAws.Reply.json("{\"repository\":" + repository() + "}")
                : CannedAws.Reply.jsonError("RepositoryAlreadyExistsException", "The repository already exists"));
        answers.put("DescribeRepositories", (request, n) -> CannedAws.Reply.json("{\"repositories\":[" + repository() + "]}"));
        // With a signing profile configured, the registry already signs every repository with it: one read, no write.
        config.repository().signing().ifPresent(profile -> answers.put("GetSigningConfiguration", (request, n) -> CannedAws.Reply.json(
                "{\"registryId\":\"" + ACCOUNT + "\",\"signingConfiguration\":{\"rules\":[{\"signingProfileArn\":"
                        + json.valueToTree(profile.strip()) + "}]}}")));
        // A run's tags exist (one is "latest"); an index's children are read by the digests their builds pushed.
        answers.put("BatchGetImage", (request, n) -> CannedAws.Reply.json(read(request).path("imageIds").findValue("imageDigest") != null
                ? "{\"images\":[" + String.join(",", PLATFORM_MANIFESTS.values().stream().map(this::image).toList()) + "],\"failures\":[]}"
                : "{\"images\":[{\"registryId\":\"" + ACCOUNT
                + "\",\"repositoryName\":\"" + REPOSITORY + "\",\"imageId\":{\"imageDigest\":\"" + DIGEST + "\",\"imageTag\":\"latest\"},"
                + "\"imageManifest\":" + json.valueToTree(MANIFEST) + ",\"imageManifestMediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\"}],\"failures\":[]}"));
        answers.put("PutImage", (request, n) -> CannedAws.Reply.json("{\"image\":{\"registryId\":\"" + ACCOUNT + "\",\"repositoryName\":\""
                + REPOSITORY + "\",\"imageId\":{\"imageDigest\":\"" + DIGEST + "\",\"imageTag\":\"latest\"}}}"));
        // A gated build's scan, as Inspector reports it: a finding to count, one without a fix, and one closed.
        answers.put("DescribeImageScanFindings", (request, n) -> CannedAws.Reply.json("{\"registryId\":\"" + ACCOUNT
                + "\",\"repositoryName\":\"" + REPOSITORY + "\",\"imageId\":{\"imageDigest\":\"" + DIGEST + "\"},"
                + "\"imageScanStatus\":{\"status\":\"ACTIVE\",\"description\":\"priming\"},\"imageScanFindings\":{"
                + "\"findingSeverityCounts\":{\"HIGH\":1,\"LOW\":1},\"enhancedFindings\":["
                + "{\"severity\":\"HIGH\",\"status\":\"ACTIVE\",\"fixAvailable\":\"YES\",\"findingArn\":\"priming-1\"},"
                + "{\"severity\":\"LOW\",\"status\":\"ACTIVE\",\"fixAvailable\":\"NO\",\"findingArn\":\"priming-2\"},"
                + "{\"severity\":\"CRITICAL\",\"status\":\"CLOSED\",\"fixAvailable\":\"YES\",\"findingArn\":\"priming-3\"}]}}"));
        config.repository().signing().ifPresent(profile -> answers.put("DescribeImageSigningStatus", (request, n) -> CannedAws.Reply.json(
                "{\"registryId\":\"" + ACCOUNT + "\",\"repositoryName\":\"" + REPOSITORY + "\",\"imageId\":{\"imageDigest\":\""
                        + DIGEST + "\"},\"signingStatuses\":[{\"signingProfileArn\":" + json.valueToTree(profile.strip())
                        + ",\"status\":\"COMPLETE\"}]}")));
        answers.put("StartBuild", (request, n) -> CannedAws.Reply.json("{\"build\":" + build(read(request), "IN_PROGRESS", n) + "}"));
        // The CodeBuild run's build fails, so that a failure is read back and sent as well as the ECS task's success; each
        // platform's build of the two-platform run has pushed its image, and the index is written over them.
        answers.put("BatchGetBuilds", (request, n) -> CannedAws.Reply.json("{\"builds\":[" + readBack(aws.get(), read(request))
                + "],\"buildsNotFound\":[]}"));
        // What was put under the key is read back (a multi-platform step's builds); else a build with a task waiting for it.
        answers.put("GetItem", (request, n) -> CannedAws.Reply.json(put(aws.get(), read(request).path("Key"))
                .map(item -> json.createObjectNode().set("Item", item).toString()).orElseGet(() -> waitingTask(read(request)))));
        answers.put("DescribeTaskDefinition", (request, n) -> CannedAws.Reply.jsonError("ClientException",
                "Unable to describe task definition."));
        answers.put("RegisterTaskDefinition", (request, n) -> CannedAws.Reply.json("{\"taskDefinition\":{\"taskDefinitionArn\":\""
                + ecsArn(ecs, "task-definition/" + read(request).path("family").asText() + ":1") + "\",\"revision\":1,"
                + "\"status\":\"ACTIVE\"}}"));
        answers.put("RunTask", (request, n) -> CannedAws.Reply.json("{\"tasks\":[" + task(ecs, read(request), false)
                + "],\"failures\":[]}"));
        answers.put("DescribeTasks", (request, n) -> CannedAws.Reply.json("{\"tasks\":[" + task(ecs, last(aws.get(), "RunTask"), true)
                + "],\"failures\":[]}"));
        // A stash older than any build may wait, left by a lost event: the sweep deletes it too.
        answers.put("DescribeParameters", (request, n) -> CannedAws.Reply.json("{\"Parameters\":[{\"Name\":"
                + json.valueToTree(config.oidc().parameterPrefix() + "priming-lost") + ",\"Type\":\"SecureString\","
                + "\"LastModifiedDate\":1.0,\"Version\":1}]}"));
        answers.put("GetParameter", (request, n) -> CannedAws.Reply.json("{\"Parameter\":{\"Name\":\"/priming/parameter\","
                + "\"Type\":\"SecureString\",\"Value\":\"priming-not-a-secret\",\"Version\":1,\"ARN\":\"arn:aws:ssm:us-east-1:"
                + ACCOUNT + ":parameter/priming/parameter\"}}"));
        answers.put("StopBuild", (request, n) -> CannedAws.Reply.json("{\"build\":" + build(last(aws.get(), "StartBuild"), "STOPPED", 0)
                + "}"));
        answers.put("StopTask", (request, n) -> CannedAws.Reply.json("{\"task\":" + task(ecs, last(aws.get(), "RunTask"), true) + "}"));
        answers.put("GetLogEvents", (request, n) -> CannedAws.Reply.json("{\"events\":[{\"timestamp\":1,\"ingestionTime\":1,"
                + "\"message\":\"ecr-build-push: pushed " + DIGEST + "\"}]}"));
        return answers;
    }

    /**
     * The build BatchGetBuilds asks for, as StartBuild answered it: a platform's build of the two-platform run (its tag
     * ends with the platform) succeeded and reports the digest it pushed; any other failed.
     */
    private String readBack(CannedAws aws, JsonNode batchGetBuilds) {
        String id = batchGetBuilds.path("ids").path(0).asText();
        List<CannedAws.Request> starts = aws.requests().stream().filter(r -> r.operation().equals("StartBuild")).toList();
        int n = id.length() > 2 && HexFormat.isHexDigit(id.charAt(id.length() - 2)) && HexFormat.isHexDigit(id.charAt(id.length() - 1))
                ? HexFormat.fromHexDigits(id, id.length() - 2, id.length()) : -1;
        JsonNode started = n >= 0 && n < starts.size() ? read(starts.get(n)) : json.createObjectNode();
        String platform = PLATFORM_MANIFESTS.keySet().stream().filter(p -> started.toString().contains(p.replace('/', '-')))
                .findFirst().orElse(null);
        if (platform == null) {
            return build(started, "FAILED", n);
        }
        ObjectNode build = (ObjectNode) read(build(started, "SUCCEEDED", n));
        build.putArray("exportedEnvironmentVariables").addObject().put("name", "BUILDPUSH_IMAGE_DIGEST")
                .put("value", ImageIndex.digestOf(PLATFORM_MANIFESTS.get(platform)));
        return build.toString();
    }

    /** The item last put under {@code key}, if any. */
    private Optional<JsonNode> put(CannedAws aws, JsonNode key) {
        List<CannedAws.Request> requests = aws.requests();
        for (int i = requests.size() - 1; i >= 0; i--) {
            if (requests.get(i).operation().equals("PutItem")) {
                JsonNode item = read(requests.get(i)).path("Item");
                if (key.size() > 0 && key.properties().stream().allMatch(e -> e.getValue().equals(item.get(e.getKey())))) {
                    return Optional.of(item);
                }
            }
        }
        return Optional.empty();
    }

    /** ECR's image of {@code manifest}, as BatchGetImage answers it. */
    private String image(String manifest) {
        return "{\"registryId\":\"" + ACCOUNT + "\",\"repositoryName\":\"" + REPOSITORY + "\",\"imageId\":{\"imageDigest\":\""
                + ImageIndex.digestOf(manifest) + "\"},\"imageManifest\":" + json.valueToTree(manifest)
                + ",\"imageManifestMediaType\":\"application/vnd.oci.image.manifest.v1+json\"}";
    }

    /** The body of the last request of {@code operation} (StartBuild, RunTask), which the answers read back echo. */
    private JsonNode last(CannedAws aws, String operation) {
        CannedAws.Request request = aws.last(operation);
        return request == null ? json.createObjectNode() : read(request);
    }

    private JsonNode read(CannedAws.Request request) {
        return read(request.body());
    }

    private JsonNode read(String body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stsCredentials(String action) {
        return "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action + "Result><Credentials>"
                + "<AccessKeyId>ASIAPRIMINGNOTAKEY00</AccessKeyId><SecretAccessKey>priming-not-a-secret</SecretAccessKey>"
                + "<SessionToken>priming-not-a-session</SessionToken><Expiration>2100-01-01T00:00:00Z</Expiration></Credentials>"
                + "<AssumedRoleUser><Arn>arn:aws:sts::" + ACCOUNT + ":assumed-role/priming/priming</Arn>"
                + "<AssumedRoleId>AROAPRIMING:priming</AssumedRoleId></AssumedRoleUser></" + action + "Result>"
                + "<ResponseMetadata><RequestId>priming</RequestId></ResponseMetadata></" + action + "Response>";
    }

    private static String repository() {
        return "{\"repositoryName\":\"" + REPOSITORY + "\",\"registryId\":\"" + ACCOUNT + "\",\"repositoryArn\":\"arn:aws:ecr:us-east-1:"
                + ACCOUNT + ":repository/" + REPOSITORY + "\",\"repositoryUri\":\"" + ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com/"
                + REPOSITORY + "\"}";
    }

    /** The {@code n}th build (from 0) of the project StartBuild named, with the environment it was started with. */
    private String build(JsonNode startBuild, String status, int n) {
        String project = startBuild.path("projectName").asText("ecr-build-push");
        String id = project + ":" + BUILD_UUID.substring(0, BUILD_UUID.length() - 2) + String.format(Locale.ROOT, "%02x", n);
        ObjectNode build = json.createObjectNode().put("id", id).put("arn", "arn:aws:codebuild:us-east-1:" + ACCOUNT + ":build/" + id)
                .put("projectName", project).put("buildStatus", status)
                .put("currentPhase", status.equals("IN_PROGRESS") ? "QUEUED" : "COMPLETED").put("startTime", 1.0);
        build.putObject("environment").set("environmentVariables",
                startBuild.path("environmentVariablesOverride").isArray() ? startBuild.get("environmentVariablesOverride")
                        : json.createArrayNode());
        if (!status.equals("IN_PROGRESS")) {
            ArrayNode phases = build.putArray("phases");
            phases.addObject().put("phaseType", "SUBMITTED").put("phaseStatus", "SUCCEEDED").put("durationInSeconds", 0);
            ObjectNode built = phases.addObject().put("phaseType", "BUILD").put("phaseStatus", status).put("durationInSeconds", 1);
            if (!status.equals("SUCCEEDED")) {
                built.putArray("contexts").addObject().put("statusCode", "COMMAND_EXECUTION_ERROR").put("message", "priming");
            }
        }
        return build.toString();
    }

    /** A task of the configured cluster, as RunTask started it; stopped with its plugin container's success. */
    private String task(EcsSettings ecs, JsonNode runTask, boolean stopped) {
        String cluster = ecs.cluster().startsWith("arn:") ? ecs.cluster() : ecsArn(ecs, "cluster/" + ecs.cluster());
        String clusterName = cluster.substring(cluster.lastIndexOf('/') + 1);
        ObjectNode task = json.createObjectNode()
                .put("taskArn", cluster.substring(0, cluster.lastIndexOf(":cluster/")) + ":task/" + clusterName
                        + "/0123456789abcdef0123456789abcdef")
                .put("clusterArn", cluster)
                .put("taskDefinitionArn", runTask.path("taskDefinition").asText())
                .put("startedBy", runTask.path("startedBy").asText())
                .put("lastStatus", stopped ? "STOPPED" : "PROVISIONING")
                .put("desiredStatus", stopped ? "STOPPED" : "RUNNING")
                .put("createdAt", 1.0);
        if (runTask.has("overrides")) {
            task.set("overrides", runTask.get("overrides"));
        }
        if (stopped) {
            task.put("stopCode", "EssentialContainerExited").put("stoppedReason", "Essential container in task exited")
                    .put("stoppedAt", 2.0);
            task.putArray("containers").addObject().put("name", "plugin").put("exitCode", 0).put("lastStatus", "STOPPED");
        }
        return task.toString();
    }

    private static String ecsArn(EcsSettings ecs, String resource) {
        if (ecs.cluster() != null && ecs.cluster().startsWith("arn:")) {
            return ecs.cluster().substring(0, ecs.cluster().lastIndexOf(":cluster/")) + ":" + resource;
        }
        return "arn:aws:ecs:" + ecs.region() + ":" + ACCOUNT + ":" + resource;
    }

    /** The idempotency table's item of a build with a task waiting for it. */
    private String waitingTask(JsonNode getItem) {
        ObjectNode item = json.createObjectNode();
        item.set("idempotencyKey", getItem.path("Key").path("idempotencyKey"));
        item.putObject("status").put("S", "IN_PROGRESS");
        item.putObject("taskTokens").putArray("SS").add(TASK_TOKEN);
        item.putObject("imageUris").putArray("L").addObject().put("S", ACCOUNT + ".dkr.ecr.us-east-1.amazonaws.com/" + REPOSITORY
                + ":latest");
        return json.createObjectNode().set("Item", item).toString();
    }

    /** The function's idempotency settings, with a table: priming's, answered by {@link CannedAws}. */
    private record Table(ServiceConfig.Idempotency config) implements ServiceConfig.Idempotency {
        @Override
        public Optional<String> table() {
            return Optional.of("snapstart-priming");
        }

        @Override
        public Duration ttl() {
            return config.ttl();
        }

        @Override
        public Duration inProgressExpiry() {
            return config.inProgressExpiry();
        }
    }
}
