package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorTypes;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.support.Repo;

/**
 * The example workflow ({@code infra/state-machine.asl.json}): a well-formed state graph whose calls to the function
 * retry exactly the error types the function marks retryable, and whose polling loop ends on every final status.
 */
class StateMachineTest {
    static final Path ASL = Repo.path("infra/state-machine.asl.json");
    private static final String FUNCTION = "${BuildPushFunctionArn}";

    private static JsonNode machine;

    @BeforeAll
    static void load() throws IOException {
        machine = new ObjectMapper().readTree(ASL.toFile());
    }

    @Test
    void everyTransition_leadsToAState_andEveryStateIsReached() {
        JsonNode states = machine.path("States");
        Set<String> names = new HashSet<>();
        states.fieldNames().forEachRemaining(names::add);
        Set<String> reached = new TreeSet<>(List.of(machine.path("StartAt").asText()));
        states.forEach(state -> reached.addAll(targets(state)));
        assertTrue(names.containsAll(reached), "transitions to missing states: " + reached);
        assertEquals(new TreeSet<>(names), reached, "unreachable states");
        states.fields().forEachRemaining(e -> {
            JsonNode state = e.getValue();
            boolean terminal = Set.of("Succeed", "Fail").contains(state.path("Type").asText()) || state.path("End").asBoolean();
            assertTrue(terminal || state.has("Next") || state.has("Choices"), e.getKey() + " leads nowhere");
        });
    }

    @Test
    void functionTasks_retryExactlyTheRetryableErrorTypes_andCatchTheRest() {
        // given: the retryable error types, as the function itself marks them
        Set<String> retryable = new TreeSet<>();
        Set<String> all = new TreeSet<>();
        for (Class<?> type : BuildPushException.class.getPermittedSubclasses()) {
            all.add(type.getName());
            if (ErrorTypes.fromWire(type.getSimpleName(), "x").retryable()) {
                retryable.add(type.getName());
            }
        }
        assertEquals(2, retryable.size(), "retryable types: " + retryable);
        // when / then: each task that invokes the function
        List<String> tasks = new ArrayList<>();
        machine.path("States").fields().forEachRemaining(e -> {
            JsonNode state = e.getValue();
            if (!FUNCTION.equals(state.at("/Arguments/FunctionName").asText())) {
                return;
            }
            tasks.add(e.getKey());
            Set<String> retried = new TreeSet<>();
            state.path("Retry").forEach(r -> r.path("ErrorEquals").forEach(t -> retried.add(t.asText())));
            Set<String> ours = new TreeSet<>(retried);
            ours.removeIf(t -> !t.startsWith("dev.ecrpush."));
            assertEquals(retryable, ours, e.getKey() + " must retry the retryable types, and only them");
            assertTrue(all.containsAll(ours), e.getKey() + " names an error type the function does not have: " + ours);
            assertTrue(retried.contains("Lambda.TooManyRequestsException"), e.getKey() + " retries Lambda's throttling");
            assertEquals("States.ALL", state.at("/Catch/0/ErrorEquals/0").asText(), e.getKey() + " catches the rest");
        });
        assertEquals(List.of("BuildAndWaitForTaskToken", "StartBuild", "GetStatus"), tasks);
    }

    @Test
    void callbackTask_handsTheTaskTokenToTheFunction() {
        JsonNode task = machine.at("/States/BuildAndWaitForTaskToken");
        assertTrue(task.path("Resource").asText().endsWith(".waitForTaskToken"));
        String payload = task.at("/Arguments/Payload").asText();
        assertTrue(payload.contains("'taskToken': $states.context.Task.Token"), payload);
        assertTrue(payload.contains("'idempotencyKey'"), "a retry must not start a second build: " + payload);
    }

    @Test
    void pollingLoop_endsOnEveryFinalStatus_andWaitsOnTheOthers() {
        // given: the statuses a status request answers with
        Set<String> finals = new TreeSet<>();
        for (Status status : EnumSet.complementOf(EnumSet.of(Status.QUEUED, Status.IN_PROGRESS))) {
            finals.add(status.name());
        }
        // when
        JsonNode choice = machine.at("/States/IsBuildDone");
        Set<String> handled = new TreeSet<>();
        Pattern quoted = Pattern.compile("'([A-Z_]+)'");
        choice.path("Choices").forEach(c -> {
            Matcher m = quoted.matcher(c.path("Condition").asText());
            while (m.find()) {
                handled.add(m.group(1));
            }
        });
        // then
        assertEquals(finals, handled);
        assertEquals("WaitBeforePolling", choice.path("Default").asText());
        assertEquals("{\"buildId\":\"{% $buildId %}\"}", machine.at("/States/GetStatus/Arguments/Payload").toString());
        assertFalse(machine.at("/States/StartBuild/Assign/buildId").isMissingNode(), "the loop needs the build ID");
    }

    @Test
    void pollingLoop_failsAGatedBuildWhoseScanFailed_asScanGateFailed_beforeTheGenericFailure() {
        // given
        JsonNode choices = machine.at("/States/IsBuildDone/Choices");
        // when
        List<String> order = new ArrayList<>();
        choices.forEach(c -> order.add(c.path("Next").asText()));
        // then: checked before BuildFailed, which a FAILED status would match too
        assertTrue(order.indexOf("ScanGateFailed") >= 0 && order.indexOf("ScanGateFailed") < order.indexOf("BuildFailed"),
                order.toString());
        assertTrue(choices.get(order.indexOf("ScanGateFailed")).path("Condition").asText().contains("$states.input.scan.state = 'FAILED'"));
        assertEquals("Fail", machine.at("/States/ScanGateFailed/Type").asText());
        assertEquals("ScanGateFailed", machine.at("/States/ScanGateFailed/Error").asText());
    }

    @Test
    void aRunAlreadyBuilt_endsWithoutPollingForABuild() {
        // a run that started nothing (onExistingTag: skip) has no build ID to poll: it goes straight to Built
        assertEquals("StartedOrAlreadyBuilt", machine.at("/States/StartBuild/Next").asText());
        JsonNode choice = machine.at("/States/StartedOrAlreadyBuilt");
        assertEquals("{% $states.input.status = '" + dev.ecrpush.result.StepResult.ALREADY_BUILT + "' %}",
                choice.at("/Choices/0/Condition").asText());
        assertEquals("Built", choice.at("/Choices/0/Next").asText());
        assertEquals("WaitBeforePolling", choice.path("Default").asText());
    }

    private static Set<String> targets(JsonNode state) {
        Set<String> targets = new TreeSet<>();
        for (String field : List.of("Next", "Default")) {
            if (state.has(field)) {
                targets.add(state.path(field).asText());
            }
        }
        for (String list : List.of("Choices", "Catch")) {
            state.path(list).forEach(c -> targets.add(c.path("Next").asText()));
        }
        return targets;
    }
}
