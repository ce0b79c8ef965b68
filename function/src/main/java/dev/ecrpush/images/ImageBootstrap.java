package dev.ecrpush.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

import com.amazonaws.services.lambda.runtime.Context;

import software.amazon.awssdk.services.codebuild.CodeBuildClient;

import dev.ecrpush.aws.AwsClients;

/**
 * The handler of the image bootstrap function ({@code dev.ecrpush.images.ImageBootstrap::handleRequest}), behind
 * the stack's {@code Custom::PluginImages} resource: on {@code Create} and {@code Update} it runs the bootstrap build
 * ({@code infra/buildspec-images.yml}) and answers CloudFormation with the images it pinned; on {@code Delete} it
 * answers at once, since there is nothing to undo (the repository's images go with the repository).
 *
 * <p>A plain class, not the Quarkus application: it shares the zip with the build-push function but boots nothing,
 * and touches no CDI. The SDK client comes from {@link AwsClients} (the shared URL-connection HTTP client, the
 * function's region and credentials, {@code AWS_ENDPOINT_URL} honoured).
 *
 * <p>CloudFormation waits for the answer at the request's presigned URL, for an hour if none comes: so every
 * failure, an exception included, is answered {@code FAILED} with its reason. Only an event without a response URL
 * and a response URL that takes no answer end in an error of the invocation.
 */
public final class ImageBootstrap {
    /** How often the build is looked at: it takes minutes, and a look costs one API call. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(10);
    /** Kept back from the function's timeout for answering CloudFormation and logging. */
    static final Duration RESERVE = Duration.ofSeconds(30);
    /** When there is no Lambda context (a local call), the most a Lambda function may run. */
    private static final long NO_CONTEXT_BUDGET_MILLIS = Duration.ofMinutes(15).toMillis();

    private final BootstrapBuild build;
    private final ResponseUrl responses;

    /** What Lambda constructs, at init: builds the CodeBuild client, calls nothing. */
    public ImageBootstrap() {
        this(codeBuildClient(), POLL_INTERVAL, RESERVE, Sleeper.REAL);
    }

    ImageBootstrap(CodeBuildClient codeBuild, Duration pollInterval, Duration reserve, Sleeper sleeper) {
        this.build = new BootstrapBuild(codeBuild, pollInterval, reserve, sleeper);
        this.responses = new ResponseUrl(sleeper);
    }

    private static CodeBuildClient codeBuildClient() {
        AwsClients clients = new AwsClients();
        return clients.codeBuild(clients.functionRegion(), clients.functionCredentials());
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
            response = CustomResourceResponse.failed(request, physicalResourceId(request), "the wait for the build was interrupted");
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
        if (request.requestId() == null) {
            return CustomResourceResponse.failed(request, physicalResourceId(request), "the request has no RequestId");
        }
        BootstrapBuild.Outcome outcome = build.run(project, request.requestId(), remainingMillis, log);
        if (outcome instanceof BootstrapBuild.Pinned pinned) {
            return CustomResourceResponse.success(request, project, "build " + pinned.buildId() + " pinned the plugin images",
                    pinned.images().data());
        }
        return CustomResourceResponse.failed(request, physicalResourceId(request), ((BootstrapBuild.Failed) outcome).reason());
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
