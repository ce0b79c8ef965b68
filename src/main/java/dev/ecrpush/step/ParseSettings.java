package dev.ecrpush.step;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What parsing takes besides the payload: the trigger that delivered it, the configured connector store
 * (looked up before mapping, so the planner stays pure) and the configured executor defaults.
 */
public record ParseSettings(String triggerType, Map<String, JsonNode> storedConnectors, ExecutorDefaults executorDefaults) {
    public ParseSettings {
        storedConnectors = Map.copyOf(storedConnectors);
    }

    /** Unset executor parts come from here; any of them may be null or empty when not configured. */
    public record ExecutorDefaults(String codeBuildProject, String ecsCluster, List<String> ecsSubnets,
            List<String> ecsSecurityGroups, boolean ecsAssignPublicIp) {
        public ExecutorDefaults {
            ecsSubnets = List.copyOf(ecsSubnets);
            ecsSecurityGroups = List.copyOf(ecsSecurityGroups);
        }
    }
}
