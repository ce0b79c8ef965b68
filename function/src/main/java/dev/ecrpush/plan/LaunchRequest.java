package dev.ecrpush.plan;

import java.util.List;

import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;

/** The request that starts the build, exactly as it would be sent. */
public sealed interface LaunchRequest {
    record CodeBuild(StartBuildRequest request) implements LaunchRequest {
    }

    /**
     * ECS cannot take secrets per run, so they travel in the task definition: {@code taskDefinition} is the
     * revision the task needs (registered unless one with the same content exists), {@code request} the
     * {@code RunTask} call, whose {@code taskDefinition} names the family until the revision is known.
     */
    record Ecs(RegisterTaskDefinitionRequest taskDefinition, RunTaskRequest request) implements LaunchRequest {
        /** The plugin container's {@code secrets}: the references the build receives. */
        public List<Secret> taskDefinitionSecrets() {
            return taskDefinition.containerDefinitions().stream()
                    .filter(c -> c.name().equals(EcsTaskLayout.PLUGIN_CONTAINER))
                    .flatMap(c -> c.secrets().stream())
                    .toList();
        }
    }
}
