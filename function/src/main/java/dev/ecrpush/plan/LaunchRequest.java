package dev.ecrpush.plan;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The request that starts the build, exactly as it would be sent: one record per executor
 * ({@code dev.ecrpush.executor.*}), made by its {@link LaunchPlanner}.
 */
public interface LaunchRequest {
    /** Writes the request into the plan's JSON under the names its API gives it (e.g. {@code startBuild}). */
    void describe(ObjectNode plan);
}
