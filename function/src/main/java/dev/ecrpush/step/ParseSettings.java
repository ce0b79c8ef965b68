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

    /**
     * Unset executor parts come from here; any of them may be null or empty when not configured.
     * {@code codeBuildDockerProject} is the default project for the plugins that need the docker daemon (infra
     * VM and DLITE_VM); when null they use {@code codeBuildProject} too.
     */
    public record ExecutorDefaults(String codeBuildProject, String codeBuildDockerProject, String ecsCluster,
            List<String> ecsSubnets, List<String> ecsSecurityGroups, boolean ecsAssignPublicIp) {
        public ExecutorDefaults {
            ecsSubnets = List.copyOf(ecsSubnets);
            ecsSecurityGroups = List.copyOf(ecsSecurityGroups);
        }

        /** One CodeBuild project for every plugin. */
        public ExecutorDefaults(String codeBuildProject, String ecsCluster, List<String> ecsSubnets,
                List<String> ecsSecurityGroups, boolean ecsAssignPublicIp) {
            this(codeBuildProject, null, ecsCluster, ecsSubnets, ecsSecurityGroups, ecsAssignPublicIp);
        }

        /** The project a build on {@code infra} starts on when the payload names none. */
        public String codeBuildProject(Infra infra) {
            boolean needsDaemon = infra != null && infra != Infra.K8;
            return needsDaemon && codeBuildDockerProject != null ? codeBuildDockerProject : codeBuildProject;
        }
    }
}
