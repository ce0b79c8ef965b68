package dev.ecrpush.plan;

import java.util.List;

import software.amazon.awssdk.services.codebuild.model.StartBuildRequest;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;

/** The request that starts the build, exactly as it would be sent. */
public sealed interface LaunchRequest {
    record CodeBuild(StartBuildRequest request) implements LaunchRequest {
    }

    /**
     * ECS cannot take secrets per run, so they travel in the task definition: {@code taskDefinitionSecrets}
     * are the {@code secrets} of the plugin container of the revision the task runs.
     */
    record Ecs(RunTaskRequest request, List<Secret> taskDefinitionSecrets) implements LaunchRequest {
        public Ecs {
            taskDefinitionSecrets = List.copyOf(taskDefinitionSecrets);
        }
    }
}
