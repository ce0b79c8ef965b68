package dev.ecrpush.launch;

/** What a preflight found where the build would start, reported under {@link #field()} of the result's {@code checks}. */
public interface ExecutorCheck {
    /** The field of {@code checks} it goes under: {@code project} for CodeBuild, {@code ecs} for ECS. */
    String field();
}
