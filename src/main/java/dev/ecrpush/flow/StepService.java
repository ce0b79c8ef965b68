package dev.ecrpush.flow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.config.Settings;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;

/** One step payload through the stages: parse and validate, plan, then (by mode) check or run. */
@ApplicationScoped
public class StepService {
    private static final Logger LOG = Logger.getLogger(StepService.class);

    @Inject
    Settings settings;

    @Inject
    AwsStages aws;

    public StepResult handle(JsonNode payload, String triggerType) {
        StepPayload step = StepParser.parse(payload, settings.parseSettings(triggerType));
        Plan plan = Planner.plan(step, settings.planConfig());
        LOG.infof("step %s: %s plan, plugin %s, repository %s, %d tag(s), %d warning(s)", step.step().identifier(),
                step.mode().wire(), plan.pluginImage(), plan.repository(), plan.imageUris().size(), plan.warnings().size());
        return switch (step.mode()) {
            case PLAN -> StepResult.planned(plan);
            case PREFLIGHT -> aws.preflight(plan);
            case RUN -> aws.run(plan);
        };
    }
}
