package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * Priming at init ({@code buildpush.priming.at-init}) in the packaged zip under the runtime interface client: the run
 * path and the edge primed, with every SDK endpoint at a live fake of AWS that hears nothing from them; the first real
 * run after it then makes exactly a cold start's calls, signed with the function's own and the target's keys, never
 * priming's.
 */
class PrimedZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void primingAtInit_reachesNoAws_andTheFirstRunIsAColdStartsCalls() throws IOException {
        try (AwsFake aws = new AwsFake()) {
            KnownTargetScenario.stub(aws, true);
            Map<String, String> env = new HashMap<>(PackagedFunction.environment(aws.endpoint()));
            env.put("BUILDPUSH_PRIMING_AT_INIT", "true");
            try (PackagedFunction.Running function = PackagedFunction.Running.start(env)) {
                // when: the init phase, primed
                function.runtime().awaitIdle(TIMEOUT);
                // then: every part primed, and not one request reached the fake
                String log = function.log();
                assertTrue(log.contains("primed the run path at init"), log);
                assertTrue(log.contains("primed the edge at init"), log);
                // and no part failed (each failure is logged "priming ... failed", and never thrown)
                assertFalse(Pattern.compile("priming [^\\n]*failed").matcher(log).find(), log);
                assertEquals(List.of(), aws.calls(), "requests made while priming");

                // when: the first real run
                byte[] payload = JSON.writeValueAsBytes(KnownTargetScenario.payload("run", "app", "primed-zip"));
                JsonNode cold = JSON.readTree(function.runtime().invoke(payload, TIMEOUT).success().payload());
                // then: a cold start's calls, each signed with real keys: nothing primed was reused
                assertEquals("STARTED", cold.path("status").asText(), cold::toString);
                assertEquals(List.of("GetSecretValue by " + PackagedFunction.FUNCTION_ACCESS_KEY,
                        "AssumeRole by " + KnownTargetScenario.CONNECTOR_KEY, "CreateRepository by " + KnownTargetScenario.TARGET_KEY,
                        "BatchGetImage by " + KnownTargetScenario.TARGET_KEY, "StartBuild by " + PackagedFunction.FUNCTION_ACCESS_KEY),
                        aws.calls());
            }
        }
    }
}
