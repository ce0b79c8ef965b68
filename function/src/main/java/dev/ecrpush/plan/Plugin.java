package dev.ecrpush.plan;

/** The builder plugins, the image each runs in, and what running each one takes. */
public enum Plugin {
    /** kaniko: no daemon, no privileged mode; the only one that runs on ECS Fargate. */
    KANIKO_ECR(BuildImage.KANIKO_ECR, false),
    /** drone-docker behind the ECR wrapper: docker-in-docker. */
    ECR(BuildImage.ECR, true),
    /** buildx behind the ECR wrapper: docker-in-docker, with cache import/export. */
    BUILDX_ECR(BuildImage.BUILDX_ECR, true);

    /** Where kaniko-ecr has kaniko write the digest it pushed ({@code --digest-file}, always set by the plugin, kaniko.go). */
    public static final String KANIKO_DIGEST_FILE = "/kaniko/digest-file";

    private final BuildImage image;
    private final boolean needsDockerDaemon;

    Plugin(BuildImage image, boolean needsDockerDaemon) {
        this.image = image;
        this.needsDockerDaemon = needsDockerDaemon;
    }

    /** The image the plugin runs in, with its facts. */
    public BuildImage image() {
        return image;
    }

    /** The plugin binary: the last word of the image's entry point (the docker images put a daemon wrapper first). */
    public String binary() {
        return image.entrypoint().get(image.entrypoint().size() - 1);
    }

    /** A daemon means privileged mode, and the buildspec starts {@code dockerd} before the plugin. */
    public boolean needsDockerDaemon() {
        return needsDockerDaemon;
    }
}
