package dev.ecrpush.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;

/**
 * This function's packaged zip ({@code -Dfunction.zip}, which the build sets to {@code target/function.zip}) as
 * {@code template.yaml} deploys it: its handler and memory size, started under the runtime interface client
 * by the {@code lambda-local} module.
 */
public final class PackagedFunction {
    public static final Path ZIP = Path.of(System.getProperty("function.zip", "target/function.zip"));
    /** The first function of {@code template.yaml}: the handler the function is deployed with, and its memory. */
    public static final FunctionProcess.Config CONFIG = FunctionProcess.Config.fromTemplate(Repo.path("template.yaml"));

    /** The access key of the role Lambda gives the function, in the environment below. */
    public static final String FUNCTION_ACCESS_KEY = AwsFake.FUNCTION_ACCESS_KEY;
    /** The kaniko image as the stack's bootstrap outputs it: in the build account's registry, by digest. */
    public static final String STACK_KANIKO_IMAGE = "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr@sha256:"
            + "5f0d2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e";

    /**
     * The tests' policy ({@code %test.buildpush.policy.*} of the function's application.properties, which the zip does
     * not apply outside the test profile) as the environment variables the stack would set: one policy for the
     * application's tests and the zip's, so the recorded payloads run the same in both.
     */
    public static final Map<String, String> TEST_POLICY = testPolicy(Repo.path("function/src/main/resources/application.properties"));

    private PackagedFunction() {
    }

    private static Map<String, String> testPolicy(Path properties) {
        String prefix = "%test.buildpush.policy.";
        Map<String, String> env = new HashMap<>();
        try {
            for (String line : Files.readAllLines(properties)) {
                int equals = line.indexOf('=');
                if (line.startsWith(prefix) && equals > 0) {
                    String key = line.substring("%test.".length(), equals);
                    env.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), line.substring(equals + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (env.isEmpty()) {
            throw new IllegalStateException(properties + " sets no " + prefix + "* key");
        }
        return Map.copyOf(env);
    }

    /**
     * What Lambda gives the function (its role's keys and the stack's pinned kaniko image), with every AWS API
     * at {@code awsEndpoint} (the SDK's {@code AWS_ENDPOINT_URL}): a fake of them.
     */
    public static Map<String, String> environment(URI awsEndpoint) {
        return Map.of("AWS_ENDPOINT_URL", awsEndpoint.toString(), "AWS_ACCESS_KEY_ID", FUNCTION_ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", "function-role-secret", "AWS_SESSION_TOKEN", "function-role-session",
                "BUILDPUSH_CODEBUILD_REGION", "us-east-1", "BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE", STACK_KANIKO_IMAGE);
    }

    /**
     * What Lambda gives the function in {@code world}: {@link #environment(URI)} with the world's AWS fake, DynamoDB
     * Local for the idempotency table, and the world's configuration as the environment variables Lambda would set
     * from the template. Modifiable, for a test's own additions.
     */
    public static Map<String, String> environment(TriggerWorld world) {
        Map<String, String> environment = new HashMap<>(environment(world.aws().endpoint()));
        environment.put("AWS_ENDPOINT_URL_DYNAMODB", world.dynamoDbEndpoint().toString());
        world.config().forEach((key, value) -> environment.put(key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'), value));
        return environment;
    }

    /**
     * Starts the zip as deployed against {@code runtime}, with the {@link #TEST_POLICY} and {@code env} (which wins)
     * added to Lambda's environment.
     */
    public static FunctionProcess start(LocalLambdaRuntime runtime, Map<String, String> env, OutputStream echo) throws IOException {
        Map<String, String> all = new HashMap<>(TEST_POLICY);
        all.putAll(env);
        return FunctionProcess.start(ZIP, CONFIG, runtime, all, echo);
    }

    /**
     * The packaged zip started under a local Lambda runtime, its log kept: what every zip test sets up and tears
     * down. Closing stops the function, then the runtime.
     */
    public static final class Running implements AutoCloseable {
        private final LocalLambdaRuntime runtime;
        private final FunctionProcess function;
        private final ByteArrayOutputStream log;

        private Running(LocalLambdaRuntime runtime, FunctionProcess function, ByteArrayOutputStream log) {
            this.runtime = runtime;
            this.function = function;
            this.log = log;
        }

        /** Starts the zip as {@link PackagedFunction#start} does, with a runtime of its own. */
        public static Running start(Map<String, String> env) throws IOException {
            LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            try {
                return new Running(runtime, PackagedFunction.start(runtime, env, log), log);
            } catch (IOException | RuntimeException e) {
                runtime.close();
                throw e;
            }
        }

        /** The runtime the function polls: invoke it through this. */
        public LocalLambdaRuntime runtime() {
            return runtime;
        }

        /** What the function has logged so far. */
        public String log() {
            return log.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            try {
                function.close();
            } finally {
                runtime.close();
            }
        }
    }
}
