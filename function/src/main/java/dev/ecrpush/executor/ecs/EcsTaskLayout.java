package dev.ecrpush.executor.ecs;

/**
 * The shape of the ECS tasks the function runs, shared by the plan that builds them and the stages that read
 * them back (status, state-change events): a {@value #SOURCE_CONTAINER} container fetches the commit into a
 * shared volume, then the {@value #PLUGIN_CONTAINER} container builds and pushes from it.
 */
public final class EcsTaskLayout {
    /** Fetches the source; not essential: it exits once the checkout is done. */
    public static final String SOURCE_CONTAINER = "source";
    /** Runs the kaniko plugin once the source container has exited with 0; essential, so its exit ends the task. */
    public static final String PLUGIN_CONTAINER = "plugin";
    /** The bind-mount volume both containers share (Fargate task storage). */
    public static final String WORKSPACE_VOLUME = "workspace";
    public static final String WORKSPACE_PATH = "/workspace";
    /** The checkout, and the plugin's working directory: {@code context} and {@code dockerfile} are relative to it. */
    public static final String CHECKOUT_PATH = WORKSPACE_PATH + "/src";

    /**
     * What the source container reads: the clone URL; the commit, branch and tag, each when the codebase has it
     * (the commit wins, else the branch, else the tag); the token's user name and the token.
     */
    public static final String GIT_REPO_URL = "GIT_REPO_URL";
    public static final String GIT_COMMIT = "GIT_COMMIT";
    public static final String GIT_BRANCH = "GIT_BRANCH";
    public static final String GIT_TAG = "GIT_TAG";
    public static final String GIT_USERNAME = "GIT_USERNAME";
    public static final String GIT_TOKEN = "GIT_TOKEN";
    /**
     * The URL the token's credential helper is scoped to, {@code https://<buildpush.ecs.git-token-host>}: git offers
     * the token to that host over https, and to nothing else.
     */
    public static final String GIT_TOKEN_URL = "GIT_TOKEN_URL";

    /**
     * The step timeout in seconds, in the source container's overrides: ECS has no task timeout, and the
     * overrides are in both {@code DescribeTasks} and the task state-change event, so whoever sees the task
     * next can tell whether it ran too long.
     */
    public static final String TIMEOUT_SECONDS = "BUILDPUSH_TIMEOUT_SECONDS";

    /**
     * The SSM parameters the task's inline secrets (the OIDC token) were stashed in, comma-separated, in the
     * source container's overrides: ECS takes secrets in the task definition only, and the overrides are what
     * {@code DescribeTasks} shows, so the task's end can find and delete them. Names only, never values.
     */
    public static final String STASHED_PARAMETERS = "BUILDPUSH_STASHED_PARAMETERS";

    /**
     * How the plugin container's log ends when the build pushed: this, then the digest kaniko wrote. The status
     * reads the digest of this build there, never from a tag another build may have moved since.
     */
    public static final String DIGEST_MARKER = "ecr-build-push: pushed ";

    /** {@code startedBy} of every task the function runs. */
    public static final String STARTED_BY = "ecr-build-push";
    /** The tag holding the SHA-256 of a registered task definition's content, checked before it is reused. */
    public static final String CONTENT_TAG = "ecr-build-push:content-sha256";
    /** {@code awslogs-stream-prefix}: streams are {@code build/<container>/<task id>}. */
    public static final String LOG_STREAM_PREFIX = "build";
    /** What {@code StopTask}'s reason starts with when the function stops a task for its timeout. */
    public static final String TIMEOUT_STOP_REASON = "ecr-build-push: step timeout";

    private EcsTaskLayout() {
    }
}
