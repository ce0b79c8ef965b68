package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorTypes;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.step.TriggerType;
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

    private final TriggerSource triggers;
    private final TriggeredRuns runs;

    /**
     * What a schedule that built returns (one that failed throws). {@code status} is {@code ACCEPTED}, or
     * {@code NO_MATCH} with a {@code reason} when no trigger names the schedule.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Answer(Status status, String schedule, String event, String reason, List<TriggeredBuild> builds) {
    }

    public enum Status {
        ACCEPTED,
        NO_MATCH
    }

    @Inject
    public ScheduledRebuilds(TriggerSource triggers, TriggeredRuns runs) {
        this.triggers = triggers;
        this.runs = runs;
    }

    public Answer run(JsonNode event) {
        String rule = ruleName(event);
        String eventId = event.path("id").asText("");
        if (eventId.isBlank()) {
            throw new InvalidStepException("id: a Scheduled Event carries its event ID, which keys the rebuilds");
        }
        List<Trigger> scheduled = triggers.current().scheduledBy(rule);
        if (scheduled.isEmpty()) {
            LOG.warnf("schedule %s (event %s): no trigger names it in its schedules; nothing to build", rule, eventId);
            return new Answer(Status.NO_MATCH, rule, eventId, "no trigger names schedule " + rule, null);
        }
        List<TriggeredBuild> builds = new ArrayList<>();
        for (Trigger trigger : scheduled) {
            TriggeredBuild build = runs.submit(trigger.name(), null, TriggerPayloads.forSchedule(trigger, eventId), TriggerType.SCHEDULE,
                    trigger.policy());
            LOG.infof("schedule %s (event %s): trigger %s %s", rule, eventId, trigger.name(), build.status());
            builds.add(build);
        }
        BuildPushException failure = TriggeredBuild.worst(builds);
        if (failure != null) {
            long failed = builds.stream().filter(b -> b.failure() != null).count();
            // The invocation fails as the failure a retry may cure, when there is one: it names that trigger.
            String trigger = builds.stream().filter(b -> b.failure() == failure).findFirst().orElseThrow().trigger();
            throw ErrorTypes.fromWire(failure.errorType(), "schedule " + rule + ": " + failed + " of " + builds.size()
                    + " rebuild(s) failed; trigger " + trigger + ": " + failure.getMessage());
        }
        return new Answer(Status.ACCEPTED, rule, eventId, null, List.copyOf(builds));
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
