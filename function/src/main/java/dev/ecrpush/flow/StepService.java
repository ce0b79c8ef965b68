package dev.ecrpush.flow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.config.Settings;
import dev.ecrpush.error.RunInProgressException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.policy.PolicyCheck;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.TriggerType;

/** One step payload through the stages: parse and validate, hold to the policy, plan, then (by mode) check or run. */
@ApplicationScoped
public class StepService {
    private static final Logger LOG = Logger.getLogger(StepService.class);

    private final Settings settings;
    private final AwsStages aws;
    private final Runs runs;

    @Inject
    public StepService(Settings settings, AwsStages aws, Runs runs) {
        this.settings = settings;
        this.aws = aws;
        this.runs = runs;
    }

    /**
     * A direct invocation's answer: the result, or a repeated key's first result. A run still in progress under
     * the same key is a {@link RunInProgressException}: a later call gets the first result.
     */
    public Object handle(JsonNode payload, TriggerType triggerType) {
        StepOutcome outcome = submit(payload, triggerType);
        if (outcome instanceof StepOutcome.Finished finished) {
            return finished.result();
        }
        if (outcome instanceof StepOutcome.Duplicate duplicate) {
            return duplicate.firstResult();
        }
        StepOutcome.InProgress inProgress = (StepOutcome.InProgress) outcome;
        throw new RunInProgressException("idempotencyKey: a run with key \"" + inProgress.idempotencyKey()
                + "\" has been in progress since " + inProgress.since() + "; call again for its result");
    }

    /** Parses, plans and acts on one payload, with nothing decided for the caller about repeats. */
    public StepOutcome submit(JsonNode payload, TriggerType triggerType) {
        return submit(payload, triggerType, Narrowing.NONE);
    }

    /**
     * The same, for a trigger's payload: held to the deployer's policy and the trigger's narrowing of it. The policy
     * comes before anything that could call AWS or use what an earlier payload left in a cache.
     */
    public StepOutcome submit(JsonNode payload, TriggerType triggerType, Narrowing narrowing) {
        StepPayload parsed = StepParser.parse(payload, settings.parseSettings(triggerType));
        StepPayload step = PolicyCheck.apply(parsed, settings.policy().narrowedBy(narrowing),
                ref -> StepParser.connectorPath(payload, ref));
        Plan plan = Planner.plan(step, settings.planConfig());
        LOG.infof("step %s: %s plan, plugin %s, repository %s, %d tag(s), %d warning(s)", step.step().identifier(),
                step.mode().wire(), plan.pluginImage(), plan.repository(), plan.imageUris().size(), plan.warnings().size());
        return switch (step.mode()) {
            case PLAN -> new StepOutcome.Finished(StepResult.planned(plan));
            case PREFLIGHT -> new StepOutcome.Finished(aws.preflight(plan));
            case RUN -> runs.run(plan);
        };
    }
}
