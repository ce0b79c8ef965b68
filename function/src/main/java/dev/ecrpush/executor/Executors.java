package dev.ecrpush.executor;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.plan.LaunchPlanner;
import dev.ecrpush.step.ExecutorParser;

/**
 * The one place executors are registered. Start-up fails when an {@link ExecutorType} has no executor or two.
 * The first registered is the default of a payload that names none.
 */
@ApplicationScoped
public class Executors {
    private final List<BuildExecutor> all;
    private final Map<ExecutorType, BuildExecutor> byKind = new EnumMap<>(ExecutorType.class);

    @Inject
    public Executors(CodeBuildExecutor codeBuild, EcsExecutor ecs) {
        this(List.of(codeBuild, ecs));
    }

    /**
     * @throws IllegalStateException when the executors do not cover {@link ExecutorType} exactly once each
     */
    public Executors(List<BuildExecutor> executors) {
        this.all = List.copyOf(executors);
        for (BuildExecutor executor : all) {
            if (byKind.put(executor.kind(), executor) != null) {
                throw new IllegalStateException("two executors are registered for " + executor.kind());
            }
        }
        for (ExecutorType kind : ExecutorType.values()) {
            if (!byKind.containsKey(kind)) {
                throw new IllegalStateException("no executor is registered for " + kind + " (executor.type " + kind.wire() + ")");
            }
        }
    }

    public List<ExecutorParser> parsers() {
        return List.copyOf(all);
    }

    public List<LaunchPlanner> planners() {
        return List.copyOf(all);
    }

    /**
     * The executor of a payload's {@code executor.type}.
     *
     * @throws IllegalStateException when none is registered (the parser accepts registered types only)
     */
    public BuildExecutor of(String type) {
        return all.stream().filter(e -> e.type().equals(type)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no executor " + type + " is registered"));
    }

    /** The executor whose build this is; null when none owns it. */
    public BuildExecutor owning(String buildId) {
        return all.stream().filter(e -> e.owns(buildId)).findFirst().orElse(null);
    }

    /** The executor whose end event this is; null when none reads it. */
    public BuildExecutor reading(String source, String detailType) {
        return all.stream().filter(e -> e.readsEvent(source, detailType)).findFirst().orElse(null);
    }

    /** Every build ID form, for a message naming what a status request may ask for. */
    public String buildIdForms() {
        return all.stream().map(e -> "{\"buildId\": \"" + e.buildIdForm() + "\"}").collect(Collectors.joining(" or "));
    }
}
