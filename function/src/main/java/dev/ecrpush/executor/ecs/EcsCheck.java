package dev.ecrpush.executor.ecs;

import dev.ecrpush.launch.ExecutorCheck;

/**
 * What a preflight found for the ECS executor.
 *
 * @param taskDefinitionArn the revision a run would reuse; null when a run would register {@code taskDefinitionFamily}
 */
public record EcsCheck(String clusterArn, String clusterStatus, String taskDefinitionFamily, String taskDefinitionArn)
        implements ExecutorCheck {
    @Override
    public String field() {
        return "ecs";
    }
}
