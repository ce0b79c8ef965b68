package dev.ecrpush.executor.ecs;

import software.amazon.awssdk.services.ecs.model.Task;

import dev.ecrpush.step.Rules;

/**
 * Which ECS tasks are the function's own: in its configured cluster and region, started by it
 * ({@code startedBy} {@value EcsTaskLayout#STARTED_BY}) from a task definition of its family
 * ({@code <task-family>-<16 hex digits>}, as {@link EcsRequests} registers them). Only these are reported by a
 * status request, complete a waiting Step Functions task, or are stopped for their timeout: an event or a request
 * names a task, and the task as {@code DescribeTasks} reports it decides.
 *
 * @param cluster the configured cluster, by name or ARN; null: none, so no task is the function's
 * @param region  the region the function runs its tasks in
 * @param family  the configured task family prefix
 */
public record EcsOwnTasks(String cluster, String region, String family) {
    private static final String CLUSTER = ":cluster/";
    private static final String TASK_DEFINITION = ":task-definition/";

    public static EcsOwnTasks of(EcsSettings settings) {
        return new EcsOwnTasks(settings.cluster(), settings.region(), settings.taskFamily());
    }

    /** The configured cluster's name (the text itself, or what follows {@code cluster/} in its ARN); null when none. */
    public String clusterName() {
        if (cluster == null) {
            return null;
        }
        int at = cluster.startsWith("arn:") ? cluster.lastIndexOf(CLUSTER) : -1;
        return at < 0 ? cluster : cluster.substring(at + CLUSTER.length());
    }

    /** Whether a payload's {@code executor.cluster} names the configured cluster: by name, or exactly as configured. */
    public boolean isFunctionCluster(String given) {
        return cluster != null && (given.equals(cluster) || given.equals(clusterName()));
    }

    /** Why the task {@code arn} names cannot be the function's, judged from the ARN alone; null when it may be. */
    public String foreignArn(EcsTaskArn arn) {
        if (cluster == null) {
            return "no ECS cluster is configured (buildpush.ecs.cluster), so no task is the function's";
        }
        if (!arn.region().equals(region)) {
            return "task " + Rules.shown(arn.arn()) + " runs in region " + Rules.shown(arn.region()) + ", not in the function's ("
                    + region + ")";
        }
        if (!arn.cluster().equals(clusterName())) {
            return "task " + Rules.shown(arn.arn()) + " is in cluster " + Rules.shown(arn.cluster()) + ", not in the function's ("
                    + clusterName() + ")";
        }
        if (cluster.startsWith("arn:") && !arn.arn().startsWith(cluster.substring(0, cluster.lastIndexOf(CLUSTER)) + ":task/")) {
            return "task " + Rules.shown(arn.arn()) + " is not in the account of the function's cluster (" + cluster + ")";
        }
        return null;
    }

    /** Why {@code task}, as {@code DescribeTasks} reports it, is not the function's; null when it is. */
    public String foreignTask(Task task) {
        String clusterArn = task.clusterArn() == null ? "" : task.clusterArn();
        boolean inCluster = cluster != null && (cluster.startsWith("arn:") ? clusterArn.equals(cluster)
                : clusterArn.endsWith(CLUSTER + clusterName()));
        if (!inCluster) {
            return "task " + task.taskArn() + " as ECS reports it is in cluster " + (clusterArn.isEmpty() ? "(none)" : clusterArn)
                    + ", not in the function's (" + cluster + ")";
        }
        if (!EcsTaskLayout.STARTED_BY.equals(task.startedBy())) {
            return "task " + task.taskArn() + " was not started by the function (startedBy " + task.startedBy() + ")";
        }
        String definition = task.taskDefinitionArn() == null ? "" : task.taskDefinitionArn();
        int at = definition.indexOf(TASK_DEFINITION);
        int revision = definition.lastIndexOf(':');
        String taskFamily = at < 0 || revision <= at ? "" : definition.substring(at + TASK_DEFINITION.length(), revision);
        if (!taskFamily.matches(java.util.regex.Pattern.quote(family) + "-[0-9a-f]{16}")) {
            return "task " + task.taskArn() + " does not run a task definition of the function's family " + family + " ("
                    + (definition.isEmpty() ? "none" : definition) + ")";
        }
        return null;
    }
}
