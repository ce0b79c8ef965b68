package dev.ecrpush.step;

import java.util.List;

/** Where the build runs. Unset parts were filled from the function's configuration. */
public sealed interface Executor {
    String kind();

    record CodeBuild(String project) implements Executor {
        @Override
        public String kind() {
            return "CodeBuild";
        }
    }

    record Ecs(String cluster, List<String> subnets, List<String> securityGroups, boolean assignPublicIp)
            implements Executor {
        public Ecs {
            subnets = List.copyOf(subnets);
            securityGroups = List.copyOf(securityGroups);
        }

        @Override
        public String kind() {
            return "ECS";
        }
    }
}
