package dev.ecrpush.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import dev.ecrpush.local.LocalLambdaRuntime.Failure;
import dev.ecrpush.local.LocalLambdaRuntime.Invocation;
import dev.ecrpush.local.LocalLambdaRuntime.Success;

/**
 * The local invoker behind {@code scripts/invoke-local}: runs a packaged function on each event file given,
 * under the runtime interface client and a {@link LocalLambdaRuntime}, and prints what it returned: the
 * result as pretty JSON on standard output, a Lambda error as {@code errorType: errorMessage} on standard
 * error (exit status 1 if any event failed). {@code --verbose} also copies the function's own log to
 * standard error.
 *
 * <p>The zip is {@code -Dfunction.zip} (default {@code function/target/function.zip}); the handler and
 * memory size come from the first function of {@code -Dfunction.template} (default {@code template.yaml}).
 */
public final class InvokeLocal {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private InvokeLocal() {
    }

    public static void main(String[] args) throws IOException {
        boolean verbose = false;
        List<Path> events = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--verbose")) {
                verbose = true;
            } else {
                events.add(Path.of(arg));
            }
        }
        if (events.isEmpty()) {
            System.err.println("usage: invoke-local [--verbose] EVENT.json...");
            System.exit(2);
        }
        for (Path event : events) {
            if (!Files.isRegularFile(event)) {
                System.err.println("invoke-local: no such event file: " + event);
                System.exit(2);
            }
        }
        Path zip = Path.of(System.getProperty("function.zip", "function/target/function.zip"));
        FunctionProcess.Config config = FunctionProcess.Config.fromTemplate(
                Path.of(System.getProperty("function.template", "template.yaml")));
        PrintStream err = System.err;
        int status = 0;
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start(LocalLambdaRuntime.Idle.RUN,
                LocalLambdaRuntime.CpuShare.of(System.getenv(LocalLambdaRuntime.CpuShare.VARIABLE), LocalLambdaRuntime.CpuShare.FULL));
                FunctionProcess function = FunctionProcess.start(zip, config, runtime, Map.of(),
                        verbose ? err : OutputStream.nullOutputStream())) {
            for (Path event : events) {
                Invocation invocation;
                try {
                    invocation = runtime.invoke(Files.readAllBytes(event), TIMEOUT);
                } catch (IllegalStateException e) {
                    err.println(event + ": " + e.getMessage());
                    status = 1;
                    break;
                }
                if (invocation instanceof Success success) {
                    System.out.println(pretty(success.payload()));
                } else if (invocation instanceof Failure failure) {
                    err.println(failure.errorType() + ": " + failure.errorMessage());
                    status = 1;
                }
            }
        }
        System.out.flush();
        System.exit(status);
    }

    private static String pretty(byte[] payload) {
        try {
            return JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(JSON.readTree(payload));
        } catch (IOException e) {
            return new String(payload, java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
