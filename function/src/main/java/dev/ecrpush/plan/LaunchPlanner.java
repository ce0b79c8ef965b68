package dev.ecrpush.plan;

import dev.ecrpush.step.ExecutorSpec;

/** An executor's part of the plan: the request that starts the build. Pure, like the rest of the plan. */
public interface LaunchPlanner {
    /** The {@code executor.type} it plans for. */
    String type();

    /**
     * @param executor the payload's executor, of this planner's type
     * @throws dev.ecrpush.error.InvalidStepException when the step cannot be launched there (e.g. too large)
     */
    LaunchRequest plan(ExecutorSpec executor, LaunchInput input);
}
