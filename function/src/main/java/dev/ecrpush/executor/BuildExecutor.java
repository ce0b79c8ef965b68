package dev.ecrpush.executor;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.ExecutorCheck;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.plan.LaunchPlanner;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.step.ExecutorParser;

/**
 * Everything that differs between one place builds run and another, behind one interface: its part of the
 * payload and its defaults ({@link ExecutorParser}), its part of the plan ({@link LaunchPlanner}, pure), the
 * launch, preflight, status, and its end events. The flow's stages ask the executor of the payload or build at
 * hand ({@link Executors}); none of them knows which executors there are.
 *
 * <p>How a build ended is judged once, in {@link #status}: a status request and the completion of a Step
 * Functions task (on the executor's end event) both read the build back and get the same answer.
 */
public interface BuildExecutor extends ExecutorParser, LaunchPlanner {
    ExecutorType kind();

    @Override
    default String type() {
        return kind().wire();
    }

    /**
     * Fails before any AWS call when the configuration cannot run the plan (e.g. a missing role).
     *
     * @throws dev.ecrpush.error.LaunchFailedException naming the configuration key
     */
    default void requireRunnable(Plan plan) {
    }

    /**
     * Starts the plan's build; a repeat with the same idempotency key starts nothing twice.
     *
     * @throws dev.ecrpush.error.LaunchFailedException when the service refuses; nothing was started
     * @throws dev.ecrpush.error.ThrottledException    when AWS still throttles after the SDK's retries
     */
    LaunchResult launch(Plan plan);

    /** Preflight: read-only checks of where the build would start. */
    ExecutorCheck preflight(Plan plan);

    /** Whether {@code buildId} is one of this executor's (what its {@link #launch} returned). */
    boolean owns(String buildId);

    /** The form of this executor's build IDs, for messages, e.g. {@code PROJECT:BUILD-UUID}. */
    String buildIdForm();

    /**
     * Why {@code buildId} cannot be one of the builds this function starts, as far as the ID itself tells (its
     * project; its region and cluster), or null when it may be one. No AWS call: a state change or a status request
     * for a build elsewhere costs nothing.
     */
    String foreignBuild(String buildId);

    /**
     * The build as the service reports it now, judged once for every caller: the status, the phase, why it did
     * not succeed, and the digest it pushed. Only the function's own builds are judged (and, on ECS, stopped): a
     * build is refused by its ID ({@link #foreignBuild}) before any call, then by what the service reports of it
     * (its project; its cluster and the function's mark), before anything is done with it.
     *
     * @throws dev.ecrpush.error.LaunchFailedException when the service knows no such build
     * @throws dev.ecrpush.error.NotAllowedException   naming {@code buildId} when the build is not one of this
     *                                                 function's
     */
    BuildStatusResult status(String buildId);

    /**
     * Stops one of the function's builds that is still running ({@code StopBuild}, {@code StopTask}); it then ends
     * as STOPPED as {@link #status} reports it, never as timed out. A build that is not the function's by its ID
     * ({@link #foreignBuild}) is refused before any call; the caller reads the build back first ({@link #status}),
     * so that only the function's builds, and only those not yet ended, are stopped.
     *
     * @param reason why, as the service keeps it where it can (ECS's stopped reason)
     * @throws dev.ecrpush.error.NotAllowedException   naming {@code buildId} when it is not one of this function's
     * @throws dev.ecrpush.error.LaunchFailedException when the service refuses (the build has ended meanwhile)
     * @throws dev.ecrpush.error.ThrottledException    when AWS still throttles after the SDK's retries
     */
    void stop(String buildId, String reason);

    /**
     * Whether every end event of this executor's builds is read back, whether or not a task waits for the build:
     * ECS has no task timeout, so each event is a chance to stop a task past its step timeout. Otherwise a build
     * is read back only when a Step Functions task waits for it.
     */
    default boolean readsBackEveryEvent() {
        return false;
    }

    /** Whether an EventBridge event ({@code source}, {@code detail-type}) says one of this executor's builds changed. */
    boolean readsEvent(String source, String detailType);

    /**
     * The build an end event of this executor is about: the event only says which build to read back.
     *
     * @throws dev.ecrpush.error.InvalidStepException naming the event's field when it names no build
     */
    String buildIdOf(JsonNode event);
}
