package dev.ecrpush.flow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.step.TriggerType;

/**
 * Runs the payload a trigger built, and reports how it went without throwing: one delivery or schedule may
 * start several builds, and one failing must not hide the others.
 */
@ApplicationScoped
public class TriggeredRuns {
    private static final Logger LOG = Logger.getLogger(TriggeredRuns.class);

    private final StepService steps;

    @Inject
    public TriggeredRuns(StepService steps) {
        this.steps = steps;
    }

    /**
     * @param ref         the pushed ref, for the answer; null for a schedule
     * @param triggerType what {@code <+trigger.type>} resolves to
     * @param policy      the trigger's narrowing of the deployer's policy
     */
    public TriggeredBuild submit(String trigger, String ref, ObjectNode payload, TriggerType triggerType, Narrowing policy) {
        return submit(trigger, ref, payload, triggerType, policy, null);
    }

    /** The same, for a push's run of a trigger with {@code monotonicTags} ({@code monotonic} not null). */
    public TriggeredBuild submit(String trigger, String ref, ObjectNode payload, TriggerType triggerType, Narrowing policy,
            MonotonicRun monotonic) {
        try {
            StepOutcome outcome = monotonic == null ? steps.submit(payload, triggerType, policy)
                    : steps.submit(payload, triggerType, policy, monotonic);
            if (outcome instanceof StepOutcome.Finished finished) {
                return new TriggeredBuild(trigger, ref, finished.result().status(), finished.result(), null, null);
            }
            if (outcome instanceof StepOutcome.Duplicate duplicate) {
                return new TriggeredBuild(trigger, ref, "DUPLICATE", duplicate.firstResult(), null, null);
            }
            return new TriggeredBuild(trigger, ref, "IN_PROGRESS", null, null, null);
        } catch (BuildPushException e) {
            LOG.infof("trigger %s: %s: %s", trigger, e.errorType(), e.getMessage());
            return TriggeredBuild.failed(trigger, ref, e);
        } catch (RuntimeException e) {
            LOG.error("trigger " + trigger + ": unexpected failure", e);
            return TriggeredBuild.failed(trigger, ref,
                    new InternalErrorException("internal error (" + e.getClass().getSimpleName() + "); see the function's log"));
        }
    }
}
