package dev.ecrpush.flow;

import java.util.List;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.config.Settings;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.RunInProgressException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.policy.PolicyCheck;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.MonotonicTags;

/** One step payload through the stages: parse and validate, hold to the policy, plan, then (by mode) check or run. */
@ApplicationScoped
public class StepService {
    private static final Logger LOG = Logger.getLogger(StepService.class);

    private final Settings settings;
    private final AwsStages aws;
    private final Runs runs;
    private final LongSupplier nanos;

    @Inject
    public StepService(Settings settings, AwsStages aws, Runs runs) {
        this(settings, aws, runs, System::nanoTime);
    }

    /** @param nanos the monotonic clock the function's own time is measured on ({@link Stopwatch}) */
    StepService(Settings settings, AwsStages aws, Runs runs, LongSupplier nanos) {
        this.settings = settings;
        this.aws = aws;
        this.runs = runs;
        this.nanos = nanos;
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
        return submit(payload, triggerType, narrowing, null);
    }

    /**
     * The same, for a push's run of a trigger with {@code monotonicTags} ({@code monotonic} not null): the build
     * pushes the tags that name the commit, and the others are left for the function to move when it succeeds.
     */
    public StepOutcome submit(JsonNode payload, TriggerType triggerType, Narrowing narrowing, MonotonicRun monotonic) {
        // The function's own time (the run's timings.functionMillis) starts here, where every entry point meets.
        Stopwatch stopwatch = Stopwatch.start(nanos);
        Planned planned = plan(payload, triggerType, narrowing, monotonic != null);
        Plan plan = planned.plan();
        StepPayload step = plan.payload();
        LOG.infof("step %s: %s plan, plugin %s, repository %s, %d tag(s), %d to move after, %d warning(s)",
                step.step().identifier(), step.mode().wire(), plan.pluginImage(), plan.repository(), plan.imageUris().size(),
                planned.moving().size(), plan.warnings().size());
        return switch (step.mode()) {
            case PLAN -> new StepOutcome.Finished(StepResult.planned(plan));
            case PREFLIGHT -> new StepOutcome.Finished(aws.preflight(plan));
            case RUN -> {
                // Before the run's first call, its idempotency claim: what no AWS call can change fails first.
                aws.requireRunnable(plan);
                yield runs.run(plan, monotonic == null || planned.moving().isEmpty() ? null
                        : new MonotonicRun.Moving(monotonic, planned.moving(), payload.toString()), stopwatch);
            }
        };
    }

    /** A plan, and the moving tags it leaves out (none unless monotonic). */
    public record Planned(Plan plan, List<String> moving) {
        public Planned {
            moving = List.copyOf(moving);
        }
    }

    /**
     * Parses the payload, holds it to the policy and plans it; with {@code monotonic}, the plan pushes only the
     * tags that name the payload's commit, and the others are returned beside it. Used for the run, and again
     * when a monotonic run's build has succeeded, to move its tags with the credentials it was run with.
     */
    public Planned plan(JsonNode payload, TriggerType triggerType, Narrowing narrowing, boolean monotonic) {
        StepPayload parsed = StepParser.parse(payload, settings.parseSettings(triggerType));
        StepPayload step = PolicyCheck.apply(parsed, settings.policy().narrowedBy(narrowing),
                ref -> StepParser.connectorPath(payload, ref));
        List<String> moving = List.of();
        if (monotonic) {
            MonotonicTags.Split split = MonotonicTags.split(step.step().spec().tags(), step.codebase().commitSha());
            if (split.immutable().isEmpty()) {
                // The trigger set's check makes this unreachable for a push's run; kept so no tag ever moves unordered.
                throw new InvalidStepException("step.spec.tags: monotonicTags needs a tag that contains the commit");
            }
            step = step.withTags(split.immutable());
            moving = split.moving();
        }
        return new Planned(Planner.plan(step, settings.planConfig()), moving);
    }
}
