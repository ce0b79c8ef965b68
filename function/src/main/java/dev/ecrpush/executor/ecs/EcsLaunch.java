package dev.ecrpush.executor.ecs;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;

import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.result.SdkJson;

/**
 * An ECS task. ECS cannot take secrets per run, so they travel in the task definition: {@code taskDefinition} is
 * the revision the task needs (registered unless one with the same content exists), {@code request} the
 * {@code RunTask} call, whose {@code taskDefinition} names the family until the revision is known.
 */
public record EcsLaunch(RegisterTaskDefinitionRequest taskDefinition, RunTaskRequest request) implements LaunchRequest {
    /** The plugin container's {@code secrets}: the references the build receives. */
    public List<Secret> taskDefinitionSecrets() {
        return taskDefinition.containerDefinitions().stream()
                .filter(c -> c.name().equals(EcsTaskLayout.PLUGIN_CONTAINER))
                .flatMap(c -> c.secrets().stream())
                .toList();
    }

    @Override
    public void describe(ObjectNode plan) {
        plan.set("registerTaskDefinition", SdkJson.toJson(taskDefinition));
        plan.set("runTask", SdkJson.toJson(request));
    }
}
