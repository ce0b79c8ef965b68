package dev.ecrpush.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.support.Repo;

/**
 * This function's packaged zip ({@code -Dfunction.zip}, which the build sets to {@code target/function.zip}) as
 * {@code template.yaml} deploys it: its handler and memory size, started under the runtime interface client
 * by the {@code lambda-local} module.
 */
public final class PackagedFunction {
    public static final Path ZIP = Path.of(System.getProperty("function.zip", "target/function.zip"));
    /** The first function of {@code template.yaml}: the handler the function is deployed with, and its memory. */
    public static final FunctionProcess.Config CONFIG = FunctionProcess.Config.fromTemplate(Repo.path("template.yaml"));

    private PackagedFunction() {
    }

    /** Starts the zip as deployed against {@code runtime}, with {@code env} added to Lambda's environment. */
    public static FunctionProcess start(LocalLambdaRuntime runtime, Map<String, String> env, OutputStream echo) throws IOException {
        return FunctionProcess.start(ZIP, CONFIG, runtime, env, echo);
    }
}
