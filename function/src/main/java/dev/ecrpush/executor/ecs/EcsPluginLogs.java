package dev.ecrpush.executor.ecs;

import java.util.List;
import java.util.function.Function;

import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

import dev.ecrpush.launch.PushedDigest;


/**
 * The end of an ECS build's plugin container log, where the build printed the digest it pushed
 * ({@link EcsTaskLayout#DIGEST_MARKER}). {@code awslogs} names the stream {@code <prefix>/<container>/<task id>}
 * in the group the task definition names ({@code buildpush.ecs.log-group}).
 */
public final class EcsPluginLogs implements EcsBuildStatus.PluginLogs {
    /** The digest line is the last one; a few events back cover a log that ends in a line break. */
    static final int TAIL_EVENTS = 5;

    private final Function<String, CloudWatchLogsClient> logsByRegion;
    private final String logGroup;

    /**
     * @param logsByRegion the function's own CloudWatch Logs client in a region (the task's)
     * @param logGroup     the group the task definitions log to
     */
    public EcsPluginLogs(Function<String, CloudWatchLogsClient> logsByRegion, String logGroup) {
        this.logsByRegion = logsByRegion;
        this.logGroup = logGroup;
    }

    /**
     * The digest in the plugin container's log, oldest event first: only its very last line counts, which the
     * container printed after the plugin exited, so nothing the Dockerfile's own commands printed can stand in
     * for it. Null when that line is no digest line.
     */
    static String digestOf(List<OutputLogEvent> events) {
        if (events.isEmpty()) {
            return null;
        }
        String last = events.get(events.size() - 1).message().strip();
        return last.startsWith(EcsTaskLayout.DIGEST_MARKER)
                ? PushedDigest.valid(last.substring(EcsTaskLayout.DIGEST_MARKER.length())) : null;
    }

    /** Oldest first; none when the stream does not exist (the container never logged). */
    @Override
    public List<OutputLogEvent> tail(EcsTaskArn task) {
        String stream = EcsTaskLayout.LOG_STREAM_PREFIX + "/" + EcsTaskLayout.PLUGIN_CONTAINER + "/" + task.taskId();
        try {
            return logsByRegion.apply(task.region()).getLogEvents(r -> r.logGroupName(logGroup).logStreamName(stream)
                    .startFromHead(false).limit(TAIL_EVENTS)).events();
        } catch (ResourceNotFoundException e) {
            return List.of();
        }
    }
}
