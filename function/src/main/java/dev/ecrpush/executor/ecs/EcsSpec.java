package dev.ecrpush.executor.ecs;

import java.util.List;

import dev.ecrpush.step.ExecutorSpec;
import dev.ecrpush.step.GitUrls;
import dev.ecrpush.step.Infra;
import dev.ecrpush.step.Problems;
import dev.ecrpush.step.StepCheck;

/**
 * {@code "executor": {"type": "ECS", "cluster", "subnets", "securityGroups", "assignPublicIp"}}, each part
 * the payload's or the configured default. The task clones the repository itself, runs the plugin as
 * {@code runAsUser}, has no minimum timeout, and runs only the kaniko plugin (Fargate has no privileged mode).
 *
 * @param gitTokenHost the host the configured Git token is offered to ({@code buildpush.ecs.git-token-host}); null
 *                     when no token is configured
 */
public record EcsSpec(String cluster, List<String> subnets, List<String> securityGroups, boolean assignPublicIp,
        String gitTokenHost) implements ExecutorSpec {
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
        checkTokenScope(step.codebase().repoUrl(), step.problems());
    }

    /**
     * With a Git token configured, the task clones over https only, and never from its own machine or its metadata
     * endpoints (where a URL could point git at the task's credentials). The token itself is offered to its host
     * alone by the task's credential helper; a URL of another host is cloned without it, which is said.
     */
    private void checkTokenScope(String repoUrl, Problems problems) {
        if (gitTokenHost == null || repoUrl == null || GitUrls.problem(repoUrl) != null) {
            return;
        }
        if (!repoUrl.startsWith("https://")) {
            problems.error("codebase.repoUrl", "must be an https URL: the ECS tasks carry a Git token"
                    + " (buildpush.ecs.git-token-ref), which is never sent over plain http");
            return;
        }
        String local = GitUrls.localAddressProblem(GitUrls.host(repoUrl));
        if (local != null) {
            problems.error("codebase.repoUrl", local + "; the ECS tasks clone from Git servers only");
        } else if (!GitUrls.hostAndPort(repoUrl).equals(gitTokenHost)) {
            problems.warn("codebase.repoUrl", "is not on " + gitTokenHost + " (buildpush.ecs.git-token-host), so the task"
                    + " clones it without the Git token");
        }
    }
}
