package dev.ecrpush.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import com.amazonaws.services.lambda.runtime.Context;

import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.ecr.EcrClient;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.step.Platform;

/**
 * The handler of the image bootstrap function ({@code dev.ecrpush.images.ImageBootstrap::handleRequest}), behind
 * the stack's {@code Custom::PluginImages} resource: on {@code Create} and {@code Update} it runs the bootstrap
 * builds ({@code infra/buildspec-images.yml}, one per platform, see {@link BootstrapBuild}), writes the index of the
 * kaniko-ecr image over them ({@link KanikoIndex}) and answers CloudFormation with the images pinned; on
 * {@code Delete} it answers at once, since there is nothing to undo (the repository's images go with the repository).
 *
 * <p>A plain class, not the Quarkus application: it shares the zip with the build-push function but boots nothing,
 * and touches no CDI. The SDK clients come from {@link AwsClients} (the shared URL-connection HTTP client, the
 * function's region and credentials, {@code AWS_ENDPOINT_URL} honoured).
 *
 * <p>CloudFormation waits for the answer at the request's presigned URL, for an hour if none comes: so every
 * failure, an exception included, is answered {@code FAILED} with its reason. Only an event without a response URL
 * and a response URL that takes no answer end in an error of the invocation.
 */
public final class ImageBootstrap {
    /** How often the build is looked at: it takes minutes, and a look costs one API call. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(10);
    /** Kept back from the function's timeout for writing the index, answering CloudFormation and logging. */
    static final Duration RESERVE = Duration.ofSeconds(30);
    /**
     * A tag as Docker's reference grammar allows it ({@code [\w][\w.-]{0,127}}), short enough that the longest
     * platform's tag ({@code -linux-arm64}, twelve characters more) is one too.
     */
    /** The custom resource's attribute with the platforms the kaniko-ecr image exists for, comma-separated. */
    static final String PLATFORMS_ATTRIBUTE = "KanikoEcrPlatforms";
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,115}");
    /** When there is no Lambda context (a local call), the most a Lambda function may run. */
    private static final long NO_CONTEXT_BUDGET_MILLIS = Duration.ofMinutes(15).toMillis();

    private final BootstrapBuild build;
    private final KanikoIndex index;
    private final ResponseUrl responses;

    /** What Lambda constructs, at init: builds the CodeBuild and ECR clients, calls nothing. */
    public ImageBootstrap() {
        this(new AwsClients(), POLL_INTERVAL, RESERVE, Sleeper.REAL);
    }

    private ImageBootstrap(AwsClients clients, Duration pollInterval, Duration reserve, Sleeper sleeper) {
        this(clients.codeBuild(clients.functionRegion(), clients.functionCredentials()),
                clients.ecr(clients.functionRegion(), clients.functionCredentials()), pollInterval, reserve, sleeper);
    }

    ImageBootstrap(CodeBuildClient codeBuild, EcrClient ecr, Duration pollInterval, Duration reserve, Sleeper sleeper) {
        this.build = new BootstrapBuild(codeBuild, pollInterval, reserve, sleeper);
        this.index = new KanikoIndex(ecr);
        this.responses = new ResponseUrl(sleeper);
    }

    /**
     * Answers one custom resource request at its response URL, and writes the same answer as the result.
     *
     * @throws IllegalArgumentException when the event has no response URL to answer at
     * @throws IOException              when the response URL does not take the answer
     */
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Consumer<String> log = logger(context);
        CustomResourceRequest request;
        try {
            request = CustomResourceRequest.parse(input.readAllBytes());
        } catch (IllegalArgumentException e) {
            log.accept("cannot answer: " + e.getMessage());
            throw e;
        }
        log.accept(request.requestType() + " " + request.logicalResourceId() + " (request " + request.requestId() + ")");
        CustomResourceResponse response;
        try {
            response = answer(request, remainingMillis(context), log);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = CustomResourceResponse.failed(request, physicalResourceId(request), "the wait for the builds was interrupted");
        } catch (Throwable failure) {
            // Anything at all: CloudFormation must hear of it now rather than after its hour-long wait.
            response = CustomResourceResponse.failed(request, physicalResourceId(request),
                    "the image bootstrap failed: " + failure);
        }
        log.accept(response.status() + ": " + response.reason() + (response.data().isEmpty() ? "" : " " + response.data()));
        byte[] body = response.toJson();
        responses.put(request.responseUrl(), body);
        output.write(body);
    }

    private CustomResourceResponse answer(CustomResourceRequest request, LongSupplier remainingMillis, Consumer<String> log)
            throws InterruptedException {
        String type = request.requestType();
        if ("Delete".equals(type)) {
            return CustomResourceResponse.success(request, physicalResourceId(request), "nothing to delete: the images"
                    + " go with their repository", Map.of());
        }
        if (!"Create".equals(type) && !"Update".equals(type)) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), "unknown RequestType " + type);
        }
        String project = request.property("ProjectName");
        if (project == null) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), "the resource has no ProjectName property");
        }
        String tag = request.property("KanikoEcrTag");
        if (tag == null || !TAG.matcher(tag).matches()) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), "the KanikoEcrTag property " + tag
                    + " is no image tag of at most 116 characters ([A-Za-z0-9_][A-Za-z0-9_.-]*)");
        }
        KanikoRepository repository;
        try {
            repository = KanikoRepository.parse(request.property("Repository"));
        } catch (IllegalArgumentException e) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), e.getMessage());
        }
        List<Platform> platforms = platforms(request.property("Platforms"));
        if (platforms == null) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), "the Platforms property "
                    + request.property("Platforms") + " is neither linux/amd64,linux/arm64 nor linux/amd64");
        }
        if (request.requestId() == null) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), "the request has no RequestId");
        }
        BootstrapBuild.Outcome outcome = build.run(project, tag, request.requestId(), platforms, remainingMillis, log);
        if (outcome instanceof BootstrapBuild.Failed failed) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), failed.reason());
        }
        Map<Platform, BootstrapBuild.Pinned> builds = ((BootstrapBuild.Built) outcome).builds();
        KanikoIndex.Outcome written = index.write(repository, tag, builds);
        if (written instanceof KanikoIndex.Failed failed) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), failed.reason());
        }
        KanikoIndex.Written pinned = (KanikoIndex.Written) written;
        List<String> names = new ArrayList<>();
        builds.forEach((platform, pinnedBuild) -> names.add(pinnedBuild.buildId() + " (" + platform + ")"));
        Map<String, String> data = new LinkedHashMap<>(pinned.images().data());
        data.put(PLATFORMS_ATTRIBUTE, String.join(",", platforms.stream().map(Platform::wire).toList()));
        return CustomResourceResponse.success(request, project, (names.size() == 1 ? "build " : "builds ")
                + String.join(" and ", names) + " pinned the plugin images; the kaniko-ecr image's index "
                + pinned.indexDigest() + " is " + repository.uri() + ":" + tag, data);
    }

    /**
     * The platforms the {@code Platforms} property asks for, in {@link BootstrapBuild#LAUNCHES} order: both when it is
     * absent, {@code linux/amd64} alone for a region without ARM builds. Null for anything else: the other images are
     * pinned by the amd64 build, so it is always built.
     */
    static List<Platform> platforms(String property) {
        List<Platform> all = BootstrapBuild.LAUNCHES.stream().map(BootstrapBuild.Launch::platform).toList();
        if (property == null) {
            return all;
        }
        List<Platform> named = new ArrayList<>();
        for (String entry : property.split(",", -1)) {
            Platform platform = Platform.parse(entry);
            if (platform == null || !all.contains(platform) || named.contains(platform)) {
                return null;
            }
            named.add(platform);
        }
        if (!named.contains(Platform.LINUX_AMD64)) {
            return null;
        }
        return all.stream().filter(named::contains).toList();
    }

    /**
     * Stable across updates: the project's name, which changes only when the project is replaced. Without one (a
     * request this function cannot serve) the ID CloudFormation already has, or the logical ID.
     */
    private static String physicalResourceId(CustomResourceRequest request) {
        if (!"Delete".equals(request.requestType()) && request.property("ProjectName") != null) {
            return request.property("ProjectName");
        }
        return request.physicalResourceId() != null ? request.physicalResourceId() : request.logicalResourceId();
    }

    private static LongSupplier remainingMillis(Context context) {
        if (context != null) {
            return () -> context.getRemainingTimeInMillis();
        }
        long deadline = System.currentTimeMillis() + NO_CONTEXT_BUDGET_MILLIS;
        return () -> deadline - System.currentTimeMillis();
    }

    private static Consumer<String> logger(Context context) {
        if (context != null && context.getLogger() != null) {
            return line -> context.getLogger().log(line + "\n");
        }
        return line -> {
            System.out.println(line);
            System.out.flush();
        };
    }
}
