package dev.ecrpush.trigger;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.PullRequest;

/**
 * Every filter a pull request that a trigger matches ({@link TriggerSet#match(PullRequest)}) must pass to be built,
 * all of them (AND), decided here:
 * <ul>
 *   <li>{@code pullRequests.sourceBranches} (when set) must match its source branch, and
 *       {@code pullRequests.excludeSourceBranches} must not;</li>
 *   <li>{@code excludeBranches} must not match its target branch (the branch {@code branches} matched);</li>
 *   <li>{@code actors} / {@code excludeActors} apply to who opened, updated or reopened it, as the host names them,
 *       without case;</li>
 *   <li>{@code paths} / {@code excludePaths} apply to the files it changes, as far as they can be told; when they
 *       cannot, it is built, with a note saying why.</li>
 * </ul>
 * {@code skipMessages} does not apply: a pull request's event carries no commit message. {@code excludeTags} does
 * not either: a pull request targets a branch.
 */
public final class PullRequestFilters {
    private PullRequestFilters() {
    }

    /**
     * @param files the files it changes, asked for only when the trigger has a {@code paths} or {@code excludePaths}
     *              filter (so that a lookup they need costs nothing otherwise)
     */
    public static PushFilters.Decision decide(Trigger trigger, PullRequest pullRequest, Supplier<ChangedFiles> files) {
        PullRequestOptions options = trigger.pullRequests();
        String source = pullRequest.sourceBranch();
        if (!options.sourceBranches().isEmpty() && options.sourceBranches().stream().noneMatch(p -> p.matches(source))) {
            return new PushFilters.Decision.Filtered("pullRequests.sourceBranches: source branch " + source
                    + " matches none of them");
        }
        Optional<RefPattern> excludedSource = first(options.excludeSourceBranches(), source);
        if (excludedSource.isPresent()) {
            return new PushFilters.Decision.Filtered("pullRequests.excludeSourceBranches: source branch " + source + " matches "
                    + excludedSource.get());
        }
        Optional<RefPattern> excludedTarget = first(trigger.filters().excludeBranches(), pullRequest.targetBranch());
        if (excludedTarget.isPresent()) {
            return new PushFilters.Decision.Filtered("excludeBranches: target branch " + pullRequest.targetBranch() + " matches "
                    + excludedTarget.get());
        }
        PushFilters.Decision.Filtered byActor = actor(trigger.filters(), pullRequest.actor());
        if (byActor != null) {
            return byActor;
        }
        PushFilters filters = trigger.filters();
        if (filters.paths().isEmpty() && filters.excludePaths().isEmpty()) {
            return new PushFilters.Decision.Build(null);
        }
        return filters.files(files.get());
    }

    private static Optional<RefPattern> first(List<RefPattern> patterns, String name) {
        return patterns.stream().filter(p -> p.matches(name)).findFirst();
    }

    private static PushFilters.Decision.Filtered actor(PushFilters filters, String actor) {
        if (!filters.actors().isEmpty() && actor == null) {
            return new PushFilters.Decision.Filtered("actors: the event does not say who opened or updated the pull request");
        }
        if (!filters.actors().isEmpty() && filters.actors().stream().noneMatch(actor::equalsIgnoreCase)) {
            return new PushFilters.Decision.Filtered("actors: " + actor + " is not one of them");
        }
        if (actor != null && filters.excludeActors().stream().anyMatch(actor::equalsIgnoreCase)) {
            return new PushFilters.Decision.Filtered("excludeActors: " + actor + " is one of them");
        }
        return null;
    }
}
