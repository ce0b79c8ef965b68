package dev.ecrpush.plan;

import java.util.List;

import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * What an executor plans its launch from.
 *
 * @param pluginImage the plugin's image, as configured (registry prefix applied)
 * @param images      the configured images, for the executor's own (e.g. ECS's source image)
 * @param warnings    where the executor adds its warnings (the one mutable part: a list the planner owns)
 */
public record LaunchInput(StepPayload payload, Plugin plugin, String pluginImage, PluginEnv env, PlanConfig.PluginImages images,
        List<Warning> warnings) {
}
