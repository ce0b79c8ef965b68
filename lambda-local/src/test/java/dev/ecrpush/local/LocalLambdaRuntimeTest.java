package dev.ecrpush.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

/** The Runtime API on its own, spoken to as the runtime interface client speaks to it. */
class LocalLambdaRuntimeTest {
    private static final String API = "/2018-06-01/runtime/";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anEvent_goesToTheNextPoll_andItsResponseComesBack() throws Exception {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            CompletableFuture<LocalLambdaRuntime.Invocation> answer = CompletableFuture.supplyAsync(
                    () -> runtime.invoke("{\"ping\":true}".getBytes(), Duration.ofSeconds(10)));
            HttpResponse<String> next = http.send(get(runtime, "invocation/next"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, next.statusCode());
            assertEquals("{\"ping\":true}", next.body());
            String requestId = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
            assertTrue(next.headers().firstValue("Lambda-Runtime-Invoked-Function-Arn").orElseThrow()
                    .endsWith(":function:" + LocalLambdaRuntime.FUNCTION_NAME));
            HttpResponse<String> posted = http.send(post(runtime, "invocation/" + requestId + "/response", "{\"pong\":true}"),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, posted.statusCode());
            LocalLambdaRuntime.Success success = answer.get().success();
            assertEquals(requestId, success.requestId());
            assertEquals("{\"pong\":true}", new String(success.payload()));
        }
    }

    @Test
    void anAnswerToNoPendingInvocation_andAnUnknownRoute_areRefused() throws Exception {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            assertEquals(400, http.send(post(runtime, "invocation/nobody/response", "{}"), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            assertEquals(404, http.send(get(runtime, "nothing/here"), HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void noAnswer_isATimeout_andAClosedRuntime_takesNoEvent() throws IOException {
        LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
        IllegalStateException timeout = assertThrows(IllegalStateException.class,
                () -> runtime.invoke(new byte[0], Duration.ofMillis(300)));
        assertTrue(timeout.getMessage().contains("within"), timeout.getMessage());
        assertTrue(timeout.getMessage().endsWith("the function never asked for an event"), timeout.getMessage());
        runtime.close();
        assertThrows(IllegalStateException.class, () -> runtime.invoke(new byte[0], Duration.ofSeconds(1)));
    }

    /**
     * A function stuck in one invocation leaves the next unanswered: the timeout says which one it is stuck in,
     * since that is the invocation to look at.
     */
    @Test
    void aTimeoutBehindAStuckInvocation_namesTheInvocationTheFunctionIsStuckIn() throws Exception {
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start()) {
            // given: the function takes one event and never answers it
            CompletableFuture.runAsync(() -> runtime.invoke("{\"slow\":true}".getBytes(), Duration.ofSeconds(2)));
            HttpResponse<String> next = http.send(get(runtime, "invocation/next"), HttpResponse.BodyHandlers.ofString());
            String stuck = next.headers().firstValue("Lambda-Runtime-Aws-Request-Id").orElseThrow();
            // when: the next event waits in vain
            IllegalStateException timeout = assertThrows(IllegalStateException.class,
                    () -> runtime.invoke("{}".getBytes(), Duration.ofMillis(300)));
            // then
            assertTrue(timeout.getMessage().contains("the function took invocation " + stuck + " (13 bytes)"),
                    timeout.getMessage());
            assertTrue(timeout.getMessage().endsWith("and has not answered it"), timeout.getMessage());
            // and: as on Lambda, the timeout ended the function; what comes next fails at once, saying why
            long start = System.nanoTime();
            IllegalStateException after = assertThrows(IllegalStateException.class,
                    () -> runtime.invoke("{}".getBytes(), Duration.ofSeconds(30)));
            assertEquals(timeout.getMessage(), after.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5, "waited for an abandoned function");
        }
    }

    private static HttpRequest get(LocalLambdaRuntime runtime, String path) {
        return HttpRequest.newBuilder(URI.create("http://" + runtime.address() + API + path)).GET().build();
    }

    @Test
    void theFunctionsShareOfTheCpu_isFullOrMemory_fromItsVariable() {
        assertEquals(LocalLambdaRuntime.CpuShare.MEMORY, LocalLambdaRuntime.CpuShare.of(" memory ", LocalLambdaRuntime.CpuShare.FULL));
        assertEquals(LocalLambdaRuntime.CpuShare.FULL, LocalLambdaRuntime.CpuShare.of("full", LocalLambdaRuntime.CpuShare.MEMORY));
        assertEquals(LocalLambdaRuntime.CpuShare.FULL, LocalLambdaRuntime.CpuShare.of(null, LocalLambdaRuntime.CpuShare.FULL));
        assertEquals(LocalLambdaRuntime.CpuShare.MEMORY, LocalLambdaRuntime.CpuShare.of(" ", LocalLambdaRuntime.CpuShare.MEMORY));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LocalLambdaRuntime.CpuShare.of("58%", LocalLambdaRuntime.CpuShare.FULL));
        assertEquals("FUNCTION_CPU_SHARE must be full or memory, not 58%", refused.getMessage());
    }

    @Test
    void whatBecomesOfAnIdleFunction_isFreezeOrRun_fromItsVariable() {
        assertEquals(LocalLambdaRuntime.Idle.FREEZE, LocalLambdaRuntime.Idle.of(" freeze", LocalLambdaRuntime.Idle.RUN));
        assertEquals(LocalLambdaRuntime.Idle.RUN, LocalLambdaRuntime.Idle.of("run", LocalLambdaRuntime.Idle.FREEZE));
        assertEquals(LocalLambdaRuntime.Idle.FREEZE, LocalLambdaRuntime.Idle.of(null, LocalLambdaRuntime.Idle.FREEZE));
        assertEquals(LocalLambdaRuntime.Idle.RUN, LocalLambdaRuntime.Idle.of("", LocalLambdaRuntime.Idle.RUN));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> LocalLambdaRuntime.Idle.of("stop", LocalLambdaRuntime.Idle.RUN));
        assertEquals("FUNCTION_IDLE must be run or freeze, not stop", refused.getMessage());
    }

    private static HttpRequest post(LocalLambdaRuntime runtime, String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://" + runtime.address() + API + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }
}
