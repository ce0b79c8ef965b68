package dev.ecrpush.plan;

import java.util.List;

import dev.ecrpush.step.Platform;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * What an executor plans its launch from: one build's. A step with two or more {@code platforms} has one per
 * platform, each with that platform's environment (its own tag) and idempotency token.
 *
 * @param pluginImage      the plugin's image, as configured (registry prefix applied)
 * @param images           the configured images, for the executor's own (e.g. ECS's source image)
 * @param warnings         where the executor adds its warnings (the one mutable part: a list the planner owns)
 * @param platform         the platform this build runs on natively; null when the step names none (the executor's
 *                         default, as before platforms existed)
 * @param idempotencyToken what the service's own idempotency field carries (CodeBuild's {@code idempotencyToken},
 *                         ECS's {@code clientToken}), derived from the payload's key in one place ({@link
 *                         Hashing#idempotencyToken}); null without a key
 */
public record LaunchInput(StepPayload payload, Plugin plugin, String pluginImage, PluginEnv env, PlanConfig.PluginImages images,
        List<Warning> warnings, Platform platform, String idempotencyToken) {

    /** A build of the executor's default platform, the token derived from the payload's key. */
    public LaunchInput(StepPayload payload, Plugin plugin, String pluginImage, PluginEnv env, PlanConfig.PluginImages images,
            List<Warning> warnings) {
        this(payload, plugin, pluginImage, env, images, warnings, null,
                payload.idempotencyKey() == null ? null : Hashing.idempotencyToken(payload.idempotencyKey()));
    }
}
