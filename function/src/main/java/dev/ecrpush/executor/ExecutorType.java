package dev.ecrpush.executor;

/**
 * The executors, by the {@code executor.type} a payload names. Each has exactly one {@link BuildExecutor}, one
 * package of its own ({@code executor.codebuild}, {@code executor.ecs}), registered in {@link Executors}, which
 * refuses to start when one is missing: adding an executor is a constant here, a package, and its registration.
 */
public enum ExecutorType {
    CODEBUILD("CodeBuild"),
    ECS("ECS");

    private final String wire;

    ExecutorType(String wire) {
        this.wire = wire;
    }

    /** As the payload writes it, and as results report it. */
    public String wire() {
        return wire;
    }
}
