package dev.ecrpush.plan;

import java.util.ArrayList;
import java.util.List;

import software.amazon.awssdk.services.ecs.model.AssignPublicIp;
import software.amazon.awssdk.services.ecs.model.AwsVpcConfiguration;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkConfiguration;
import software.amazon.awssdk.services.ecs.model.RunTaskRequest;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.TaskOverride;

import dev.ecrpush.step.Executor;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.StepPayload;

/** Builds the {@code RunTask} request (and the task definition secrets) for a plan on ECS Fargate. */
final class EcsRequests {
    /** The container in the task definition that runs the plugin. */
    static final String PLUGIN_CONTAINER = "plugin";

    private EcsRequests() {
    }

    static LaunchRequest.Ecs runTask(StepPayload payload, Executor.Ecs executor, PluginEnv env, PlanConfig config) {
        List<KeyValuePair> environment = new ArrayList<>();
        env.plain().forEach((name, value) -> environment.add(KeyValuePair.builder().name(name).value(value).build()));
        RunTaskRequest.Builder request = RunTaskRequest.builder()
                .cluster(executor.cluster())
                .taskDefinition(config.ecsTaskFamily())
                .launchType(LaunchType.FARGATE)
                .count(1)
                .startedBy("ecr-build-push")
                .networkConfiguration(NetworkConfiguration.builder().awsvpcConfiguration(AwsVpcConfiguration.builder()
                        .subnets(executor.subnets())
                        .securityGroups(executor.securityGroups())
                        .assignPublicIp(executor.assignPublicIp() ? AssignPublicIp.ENABLED : AssignPublicIp.DISABLED)
                        .build()).build())
                .overrides(TaskOverride.builder().containerOverrides(ContainerOverride.builder()
                        .name(PLUGIN_CONTAINER)
                        .environment(environment)
                        .build()).build());
        if (payload.idempotencyKey() != null) {
            request.clientToken(Hashing.idempotencyToken(payload.idempotencyKey()));
        }
        List<Secret> secrets = new ArrayList<>();
        env.secret().forEach((name, source) -> secrets.add(Secret.builder().name(name).valueFrom(valueFrom(source)).build()));
        return new LaunchRequest.Ecs(request.build(), secrets);
    }

    private static String valueFrom(SecretSource source) {
        if (source instanceof SecretSource.Reference reference) {
            SecretRef ref = reference.ref();
            return ref.codeBuildValue();
        }
        return ((SecretSource.Stashed) source).parameterName();
    }
}
