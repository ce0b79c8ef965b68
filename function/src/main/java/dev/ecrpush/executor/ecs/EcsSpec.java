package dev.ecrpush.executor.ecs;

import java.util.List;

import dev.ecrpush.step.ExecutorSpec;
import dev.ecrpush.step.Infra;
import dev.ecrpush.step.StepCheck;

/**
 * {@code "executor": {"type": "ECS", "cluster", "subnets", "securityGroups", "assignPublicIp"}}, each part
 * the payload's or the configured default. The task clones the repository itself, runs the plugin as
 * {@code runAsUser}, has no minimum timeout, and runs only the kaniko plugin (Fargate has no privileged mode).
 */
public record EcsSpec(String cluster, List<String> subnets, List<String> securityGroups, boolean assignPublicIp)
        implements ExecutorSpec {
    public EcsSpec {
        subnets = List.copyOf(subnets);
        securityGroups = List.copyOf(securityGroups);
    }

    @Override
    public String type() {
        return EcsExecutor.KIND.wire();
    }

    @Override
    public boolean clonesTheRepository() {
        return true;
    }

    @Override
    public boolean appliesRunAsUser() {
        return true;
    }

    @Override
    public void check(StepCheck step) {
        if (step.infra() != null && step.infra() != Infra.K8) {
            step.problems().error("infra", step.infraText() + " needs the docker daemon (privileged mode), which ECS Fargate"
                    + " does not have; only the kaniko plugin (infra K8) runs on ECS");
        }
        EcsSecretRefs.check(step.connector(), step.baseImage(), step.connectorPath(), step.problems());
    }
}
