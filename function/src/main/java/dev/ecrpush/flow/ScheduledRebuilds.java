package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorTypes;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerPayloads;
import dev.ecrpush.trigger.TriggerSource;

/**
 * A bare EventBridge "Scheduled Event": rebuilds every trigger whose {@code schedules} name the rule (or
 * EventBridge Scheduler schedule) that fired, each keyed by the event's ID so that a retried event builds nothing
 * twice. A failed build fails the invocation with its error type, so EventBridge retries it (and it shows in the
 * function's errors); the builds that started are listed in the log.
 */
@ApplicationScoped
public class ScheduledRebuilds {
    private static final Logger LOG = Logger.getLogger(ScheduledRebuilds.class);

    @Inject
    TriggerSource triggers;

    @Inject
    TriggeredRuns runs;

    public Map<String, Object> run(JsonNode event) {
        String rule = ruleName(event);
        String eventId = event.path("id").asText("");
        if (eventId.isBlank()) {
            throw new InvalidStepException("id: a Scheduled Event carries its event ID, which keys the rebuilds");
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("schedule", rule);
        answer.put("event", eventId);
        List<Trigger> scheduled = triggers.current().scheduledBy(rule);
        if (scheduled.isEmpty()) {
            LOG.warnf("schedule %s (event %s): no trigger names it in its schedules; nothing to build", rule, eventId);
            answer.put("status", "NO_MATCH");
            answer.put("reason", "no trigger names schedule " + rule);
            return answer;
        }
        List<TriggeredBuild> builds = new ArrayList<>();
        for (Trigger trigger : scheduled) {
            TriggeredBuild build = runs.submit(trigger.name(), null, TriggerPayloads.forSchedule(trigger, eventId), "schedule");
            LOG.infof("schedule %s (event %s): trigger %s %s", rule, eventId, trigger.name(), build.status());
            builds.add(build);
        }
        BuildPushException failure = TriggeredBuild.worst(builds);
        if (failure != null) {
            long failed = builds.stream().filter(b -> b.failure() != null).count();
            throw ErrorTypes.fromWire(failure.errorType(), "schedule " + rule + ": " + failed + " of " + builds.size()
                    + " rebuild(s) failed; first: " + failure.getMessage());
        }
        answer.put("status", "ACCEPTED");
        answer.put("builds", builds);
        return answer;
    }

    /** The last path segment of the first resource: {@code rule/[bus/]NAME} or {@code schedule/GROUP/NAME}. */
    private static String ruleName(JsonNode event) {
        String arn = event.path("resources").path(0).asText("");
        int slash = arn.lastIndexOf('/');
        if (!arn.startsWith("arn:") || slash < 0 || slash == arn.length() - 1) {
            throw new InvalidStepException("resources[0]: a Scheduled Event names the rule that fired (its ARN)");
        }
        return arn.substring(slash + 1);
    }
}
