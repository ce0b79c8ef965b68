package dev.ecrpush.plan;

/** The builder plugin images and what running each one takes. */
public enum Plugin {
    /** kaniko: no daemon, no privileged mode; the only one that runs on ECS Fargate. */
    KANIKO_ECR("/kaniko/kaniko-ecr", false),
    /** drone-docker behind the ECR wrapper: docker-in-docker. */
    ECR("/bin/drone-ecr", true),
    /** buildx behind the ECR wrapper: docker-in-docker, with cache import/export. */
    BUILDX_ECR("/bin/buildx-ecr", true);

    private final String entrypoint;
    private final boolean needsDockerDaemon;

    Plugin(String entrypoint, boolean needsDockerDaemon) {
        this.entrypoint = entrypoint;
        this.needsDockerDaemon = needsDockerDaemon;
    }

    public String entrypoint() {
        return entrypoint;
    }

    /** A daemon means privileged mode, and the buildspec starts {@code dockerd} before the plugin. */
    public boolean needsDockerDaemon() {
        return needsDockerDaemon;
    }
}
