package dev.ecrpush.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An in-process stand-in for the AWS Lambda Runtime API, listening on loopback only. It exists so that the
 * packaged {@code function.zip} can be run under the real runtime interface client, the same code path as
 * the managed Java runtime, with no container, no AWS account and no network: the tests and
 * {@code scripts/invoke-local} queue an event, the function's process polls for it like it would in Lambda,
 * and its answer (or the error it reports) comes back as an {@link Invocation}.
 *
 * <p>It serves what the client uses: {@code GET /2018-06-01/runtime/invocation/next},
 * {@code POST .../invocation/{id}/response}, {@code POST .../invocation/{id}/error} and
 * {@code POST .../init/error}. Every wait is bounded: {@link #invoke} by its timeout, a pending
 * {@code next} poll by {@link #close()}. An init error answers every pending and later invocation with that
 * error, as Lambda does when the function cannot start.
 *
 * <p>Started with {@link Idle#FREEZE}, it stops the function's process ({@code SIGSTOP}) whenever the function asks
 * for an event and none is waiting, and lets it go on ({@code SIGCONT}) when one comes, as Lambda freezes an
 * execution environment between invocations: what the function's threads leave to do after an answer (the JIT's
 * queue, for one) is then done in the next invocation, where Lambda has it done, and not for free while it waits.
 *
 * <p>Started with {@link CpuShare#MEMORY}, it shares the CPU as Lambda does for an on-demand function: the init
 * phase unthrottled, then, from the function's first request for an event, every invocation at the function's
 * memory's share of a vCPU ({@link CpuQuota}).
 *
 * <p>{@link InvokeLocal} is the local invoker behind {@code scripts/invoke-local}.
 */
public final class LocalLambdaRuntime implements AutoCloseable {
    /** The function name the process gets and the ARN it is invoked as. */
    public static final String FUNCTION_NAME = "ecr-build-push-local";
    /** The region the function is told it runs in, and the one in its ARN. */
    public static final String REGION = "us-east-1";

    private static final String API_PREFIX = "/2018-06-01/runtime/";
    private static final Pattern INVOCATION_ANSWER = Pattern.compile("invocation/([^/]+)/(response|error)");
    private static final String ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type";
    private static final long NEXT_POLL_MILLIS = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What becomes of the function's process while it waits for an event. */
    public enum Idle {
        /** It runs on: its threads finish what they left to do, off any invocation's clock. */
        RUN,
        /**
         * It is stopped, as Lambda freezes the execution environment once the runtime and every extension have
         * asked for their next event and none is pending (Lambda developer guide, "Understanding the Lambda execution
         * environment lifecycle"), the JVM's collector included (AWS Architecture Blog, "Field Notes: Monitoring the
         * Java Virtual Machine Garbage Collection on AWS Lambda").
         */
        FREEZE;

        /** The variable the benchmarks read it from: {@code freeze} or {@code run}. */
        public static final String VARIABLE = "FUNCTION_IDLE";

        /** {@code value} ({@code freeze} or {@code run}); {@code otherwise} when it is unset or blank. */
        public static Idle of(String value, Idle otherwise) {
            return fromVariable(Idle.class, VARIABLE, value, otherwise);
        }
    }

    /** How much of the CPU the function's process gets, in its init phase and in its invocations. */
    public enum CpuShare {
        /** Whatever it may run on ({@code FUNCTION_CPUS}), throughout. */
        FULL,
        /**
         * As Lambda shares it for an on-demand function: unthrottled in the init phase ("On-demand Lambda functions use
         * a full vCPU (non-throttled) but is limited to 10 seconds during its initialization phase", AWS,
         * "Effectively running Java on Serverless", "Utilize initialization phase"; "Lambda managed runtimes offer up to
         * 10 seconds for function initialization with burst CPU", AWS Lambda Web Adapter, "Async Initialization"),
         * then in proportion to its memory ("At 1,769 MB, a function has the equivalent of one vCPU", Lambda developer
         * guide, "Configure Lambda function memory"): a 1,024 MB function gets 58 % of a CPU for each invocation. With
         * {@code FUNCTION_CPUS} naming one core, init has that core: the full vCPU.
         */
        MEMORY;

        /** The variable the benchmarks and {@code scripts/invoke-local} read it from: {@code full} or {@code memory}. */
        public static final String VARIABLE = "FUNCTION_CPU_SHARE";

        /** {@code value} ({@code full} or {@code memory}); {@code otherwise} when it is unset or blank. */
        public static CpuShare of(String value, CpuShare otherwise) {
            return fromVariable(CpuShare.class, VARIABLE, value, otherwise);
        }
    }

    /**
     * The constant of {@code type} that {@code value} names in lower case; {@code otherwise} when it is unset or blank;
     * anything else refused, naming {@code variable} and the values it takes.
     */
    private static <E extends Enum<E>> E fromVariable(Class<E> type, String variable, String value, E otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        List<E> constants = List.of(type.getEnumConstants());
        return constants.stream().filter(constant -> constant.name().toLowerCase(Locale.ROOT).equals(value.strip())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(variable + " must be " + constants.stream()
                        .map(constant -> constant.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(" or "))
                        + ", not " + value));
    }

    private final HttpServer server;
    private final ExecutorService handlers;
    private final Idle idle;
    private final CpuShare cpuShare;
    /** What is done when the init phase ends: the CPU quota of an invocation put in force. */
    private volatile Runnable atInitEnd = () -> { };
    /** The function's process, once {@link FunctionProcess} has started it: what {@link Idle#FREEZE} stops. */
    private volatile ProcessHandle function;
    private volatile boolean frozen;
    private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger openPolls = new AtomicInteger();
    private volatile boolean closed;
    private volatile String abandonedBecause;
    private volatile ErrorReport initError;
    /** The invocation the function took last, and when: what it is busy with when an answer does not come. */
    private volatile Pending handedOut;
    private volatile long handedOutNanos;
    /** When the client first asked for an event: its init was over (0 until then). */
    private volatile long firstPollNanos;

    private LocalLambdaRuntime(HttpServer server, ExecutorService handlers, Idle idle, CpuShare cpuShare) {
        this.server = server;
        this.handlers = handlers;
        this.idle = idle;
        this.cpuShare = cpuShare;
    }

    /** Starts the API on an ephemeral loopback port; the function's process runs on while it waits for an event. */
    public static LocalLambdaRuntime start() throws IOException {
        return start(Idle.RUN);
    }

    /** Starts the API on an ephemeral loopback port, with what becomes of the function's process while it waits. */
    public static LocalLambdaRuntime start(Idle idle) throws IOException {
        return start(idle, CpuShare.FULL);
    }

    /**
     * Starts the API on an ephemeral loopback port, with what becomes of the function's process while it waits and how
     * much of the CPU it gets.
     */
    public static LocalLambdaRuntime start(Idle idle, CpuShare cpuShare) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // One thread holds the client's long poll; the others take its answers and init errors.
        ExecutorService handlers = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "local-lambda-runtime");
            thread.setDaemon(true);
            return thread;
        });
        LocalLambdaRuntime runtime = new LocalLambdaRuntime(server, handlers, idle, cpuShare);
        server.createContext(API_PREFIX, runtime::handle);
        server.setExecutor(handlers);
        server.start();
        return runtime;
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}: {@code 127.0.0.1:port}. */
    public String address() {
        InetSocketAddress bound = server.getAddress();
        return bound.getAddress().getHostAddress() + ":" + bound.getPort();
    }

    /** What became of one event. */
    public sealed interface Invocation permits Success, Failure {
        String requestId();

        /** From queueing the event to receiving the answer; for the first one, this includes the cold start. */
        Duration elapsed();

        /** This invocation as a success, or an {@link AssertionError} that says what went wrong instead. */
        default Success success() {
            if (this instanceof Success success) {
                return success;
            }
            Failure failure = (Failure) this;
            throw new AssertionError("expected a result but the function failed with "
                    + failure.errorType() + ": " + failure.errorMessage());
        }

        /** This invocation as a failure, or an {@link AssertionError} that shows the result instead. */
        default Failure failure() {
            if (this instanceof Failure failure) {
                return failure;
            }
            throw new AssertionError("expected a Lambda error but the function returned "
                    + new String(((Success) this).payload(), StandardCharsets.UTF_8));
        }
    }

    /** The function returned {@code payload}. */
    public record Success(String requestId, byte[] payload, Duration elapsed) implements Invocation {
    }

    /**
     * The function (or its init) reported an error: {@code errorType} and {@code errorMessage} as read from
     * the error document, {@code functionErrorType} from the {@code Lambda-Runtime-Function-Error-Type}
     * header, {@code body} the document as sent.
     */
    public record Failure(String requestId, String errorType, String errorMessage, String functionErrorType,
            byte[] body, Duration elapsed) implements Invocation {
    }

    /**
     * Queues {@code event} for the function and waits at most {@code timeout} for its answer.
     *
     * @throws IllegalStateException when there is no answer in time, or the runtime was closed or abandoned
     */
    public Invocation invoke(byte[] event, Duration timeout) {
        if (closed) {
            throw new IllegalStateException("the local Lambda runtime is closed");
        }
        Pending invocation = new Pending(UUID.randomUUID().toString(), event.clone(), System.nanoTime(),
                System.currentTimeMillis() + timeout.toMillis());
        pending.put(invocation.requestId, invocation);
        try {
            // Checked after registering, so that a concurrent abandon() or init error cannot miss this one.
            // An init error explains a dead process better than its exit does, so it wins.
            ErrorReport init = initError;
            if (init != null) {
                return init.toFailure(invocation);
            }
            String abandoned = abandonedBecause;
            if (abandoned != null) {
                throw new IllegalStateException(abandoned);
            }
            queue.add(invocation);
            return invocation.answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String reason = "no answer to invocation " + invocation.requestId + " within " + timeout + "; "
                    + busyWith(invocation);
            // As on Lambda, a timed-out invocation ends the function: what was queued behind it fails at once with
            // this reason instead of each waiting out its own timeout.
            abandon(reason);
            throw new IllegalStateException(reason);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for invocation " + invocation.requestId, e);
        } finally {
            queue.remove(invocation);
            pending.remove(invocation.requestId);
        }
    }

    /** What the function was doing while {@code waiting} went unanswered, for the timeout's message. */
    private String busyWith(Pending waiting) {
        Pending taken = handedOut;
        if (taken == null) {
            return "the function never asked for an event";
        }
        long seconds = Duration.ofNanos(System.nanoTime() - handedOutNanos).toSeconds();
        String which = taken == waiting ? "it" : "invocation " + taken.requestId + " (" + taken.event.length + " bytes)";
        return taken.answer.isDone() && taken != waiting
                ? "the function answered " + which + " and has not asked for the next event since"
                : "the function took " + which + " " + seconds + " s ago and has not answered it";
    }

    /**
     * Fails every pending and later invocation at once with {@code reason}: used when the function's process
     * is gone, so that callers do not sit out their timeouts.
     */
    public void abandon(String reason) {
        abandonedBecause = reason;
        pending.values().forEach(invocation -> invocation.answer.completeExceptionally(new IllegalStateException(reason)));
    }

    /**
     * Waits at most {@code timeout} until nothing is pending and the client polls for its next event (with
     * {@link Idle#FREEZE}, until its process is stopped). The client works one invocation at a time, so by then it
     * has finished everything it does after answering, such as logging the error it reported.
     */
    public void awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!closed && System.nanoTime() < deadline && (openPolls.get() == 0 || !pending.isEmpty()
                || idle == Idle.FREEZE && !frozen && function != null && function.isAlive())) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * When the client first polled for an event ({@link System#nanoTime()}), which is where Lambda ends the init
     * phase; 0 while it has not.
     */
    public long firstPollNanos() {
        return firstPollNanos;
    }

    /** How much of the CPU the function's process gets. */
    public CpuShare cpuShare() {
        return cpuShare;
    }

    /**
     * The process polling this runtime, which {@link Idle#FREEZE} stops while it waits, and what to do when its init
     * phase ends (its first request for an event).
     */
    void attach(ProcessHandle process, Runnable whenInitEnds) {
        atInitEnd = whenInitEnds;
        function = process;
    }

    /** Stops listening; a {@code next} poll that is still open is answered with an error. */
    @Override
    public void close() {
        closed = true;
        thaw();
        abandon("the local Lambda runtime is closed");
        server.stop(1);
        handlers.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath().substring(API_PREFIX.length());
            String method = exchange.getRequestMethod();
            Matcher answer = INVOCATION_ANSWER.matcher(path);
            if (path.equals("invocation/next") && method.equals("GET")) {
                next(exchange);
            } else if (answer.matches() && method.equals("POST")) {
                answer(exchange, answer.group(1), answer.group(2).equals("error"));
            } else if (path.equals("init/error") && method.equals("POST")) {
                initError(exchange);
            } else {
                reply(exchange, 404, errorDocument("NotFound", "no such runtime API route: " + method + " " + path));
            }
        }
    }

    private void next(HttpExchange exchange) throws IOException {
        if (firstPollNanos == 0) {
            firstPollNanos = System.nanoTime();
            atInitEnd.run();
        }
        openPolls.incrementAndGet();
        try {
            poll(exchange);
        } finally {
            openPolls.decrementAndGet();
        }
    }

    private void poll(HttpExchange exchange) throws IOException {
        Pending invocation = queue.poll();
        if (invocation == null) {
            freeze();
        }
        while (!closed) {
            if (invocation == null) {
                try {
                    invocation = queue.poll(NEXT_POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (invocation != null && !invocation.answer.isDone()) {
                thaw();
                var headers = exchange.getResponseHeaders();
                headers.set("Content-Type", "application/json");
                headers.set("Lambda-Runtime-Aws-Request-Id", invocation.requestId);
                headers.set("Lambda-Runtime-Deadline-Ms", Long.toString(invocation.deadlineEpochMillis));
                headers.set("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:" + REGION + ":000000000000:function:" + FUNCTION_NAME);
                headers.set("Lambda-Runtime-Trace-Id", traceId());
                handedOutNanos = System.nanoTime();
                handedOut = invocation;
                reply(exchange, 200, invocation.event);
                return;
            }
            invocation = null;
        }
        reply(exchange, 500, errorDocument("ServiceUnavailable", "the local Lambda runtime is closed"));
    }

    private void answer(HttpExchange exchange, String requestId, boolean isError) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Pending invocation = pending.get(requestId);
        if (invocation == null || invocation.answer.isDone()) {
            reply(exchange, 400, errorDocument("InvalidRequestID", "no pending invocation " + requestId));
            return;
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - invocation.enqueuedNanos);
        invocation.answer.complete(isError
                ? ErrorReport.parse(body, exchange.getRequestHeaders().getFirst(ERROR_TYPE_HEADER)).toFailure(requestId, elapsed)
                : new Success(requestId, body, elapsed));
        reply(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
    }

    private void initError(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        ErrorReport report = ErrorReport.parse(body, exchange.getRequestHeaders().getFirst(ERROR_TYPE_HEADER));
        initError = report;
        pending.values().forEach(invocation -> invocation.answer.complete(report.toFailure(invocation)));
        reply(exchange, 202, "{\"status\":\"OK\"}".getBytes(StandardCharsets.UTF_8));
    }

    /** With {@link Idle#FREEZE}: stops the function's process while it waits for an event. */
    private synchronized void freeze() {
        ProcessHandle process = function;
        if (idle == Idle.FREEZE && !frozen && !closed && process != null && process.isAlive()) {
            frozen = signal(process, "STOP");
        }
    }

    /** Lets a frozen process go on: an event came, or the runtime is closing. */
    private synchronized void thaw() {
        ProcessHandle process = function;
        if (frozen && process != null) {
            signal(process, "CONT");
            frozen = false;
        }
    }

    /** Sends {@code process} the signal, with the system's {@code kill}; false when it could not be sent. */
    private static boolean signal(ProcessHandle process, String signal) {
        try {
            return new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot send " + signal + " to the function's process", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void reply(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] errorDocument(String errorType, String errorMessage) {
        try {
            return JSON.writeValueAsBytes(Map.of("errorType", errorType, "errorMessage", errorMessage));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An X-Ray trace header of the shape Lambda sends; the function must not care what it says. */
    private static String traceId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                + hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextInt())
                + ";Parent=" + hex.toHexDigits(random.nextLong()) + ";Sampled=0";
    }

    private static final class Pending {
        final String requestId;
        final byte[] event;
        final long enqueuedNanos;
        final long deadlineEpochMillis;
        final CompletableFuture<Invocation> answer = new CompletableFuture<>();

        Pending(String requestId, byte[] event, long enqueuedNanos, long deadlineEpochMillis) {
            this.requestId = requestId;
            this.event = event;
            this.enqueuedNanos = enqueuedNanos;
            this.deadlineEpochMillis = deadlineEpochMillis;
        }
    }

    /** An error document as the client posts it; a body that is not one is kept raw with no type. */
    private record ErrorReport(String errorType, String errorMessage, String functionErrorType, byte[] body) {
        static ErrorReport parse(byte[] body, String functionErrorType) {
            try {
                JsonNode document = JSON.readTree(body);
                if (document != null && document.isObject()) {
                    return new ErrorReport(document.path("errorType").asText(null),
                            document.path("errorMessage").asText(null), functionErrorType, body);
                }
            } catch (IOException e) {
                // not JSON: reported raw below
            }
            return new ErrorReport(null, new String(body, StandardCharsets.UTF_8), functionErrorType, body);
        }

        Failure toFailure(String requestId, Duration elapsed) {
            return new Failure(requestId, errorType, errorMessage, functionErrorType, body, elapsed);
        }

        Failure toFailure(Pending invocation) {
            return toFailure(invocation.requestId, Duration.ofNanos(System.nanoTime() - invocation.enqueuedNanos));
        }
    }
}
