package dev.ecrpush.trigger;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.Push;
import dev.ecrpush.policy.Narrowing;

/**
 * What to build, and when: pushes to {@code repository} on a branch or tag matching the patterns, and the
 * EventBridge schedule rules named in {@code schedules}.
 *
 * @param provider   the name of the only Git host it accepts pushes from ({@code github}); null for any
 * @param repository the repository's full path ({@code acme/app}), compared without case; null for a
 *                   schedule-only trigger
 * @param payload    the step payload to run: {@code step}, {@code connectors}, {@code executor}, {@code infra},
 *                   {@code mode}, and for schedules a {@code codebase}; a push fills in the codebase
 * @param policy     the trigger's narrowing of the deployer's policy, which its runs are held to as well
 * @param filters    what else a matching push must pass to be built
 * @param monotonicTags whether a push's run pushes only the tags that name its commit and the function moves the
 *                   others once the build has succeeded, never back to an older push of the ref ({@link MonotonicTags})
 * @param events     the kinds of Git host event it builds for; {@code push} unless it says otherwise
 * @param pullRequests how it builds pull requests, when {@code events} include them
 * @param reportStatus whether its builds are reported to the Git host as commit statuses; null for the default
 *                   (reported when the host has a token configured)
 * @param cancelSuperseded whether a new push to a ref (or new commits of a pull request) stops its earlier builds of it
 */
public record Trigger(String name, String provider, String repository, List<RefPattern> branches,
        List<RefPattern> tags, List<String> schedules, ObjectNode payload, Narrowing policy, PushFilters filters,
        boolean monotonicTags, Set<TriggerEvent> events, PullRequestOptions pullRequests, Boolean reportStatus,
        boolean cancelSuperseded) {

    public Trigger {
        branches = List.copyOf(branches);
        tags = List.copyOf(tags);
        schedules = List.copyOf(schedules);
        payload = payload.deepCopy();
        policy = policy == null ? Narrowing.NONE : policy;
        filters = filters == null ? PushFilters.DEFAULT : filters;
        events = events == null || events.isEmpty() ? Set.of(TriggerEvent.PUSH) : Set.copyOf(events);
        pullRequests = pullRequests == null ? PullRequestOptions.DEFAULT : pullRequests;
    }

    /** A trigger of pushes, with no status reporting of its own choice and no cancelling. */
    public Trigger(String name, String provider, String repository, List<RefPattern> branches, List<RefPattern> tags,
            List<String> schedules, ObjectNode payload, Narrowing policy, PushFilters filters, boolean monotonicTags) {
        this(name, provider, repository, branches, tags, schedules, payload, policy, filters, monotonicTags, null, null, null,
                false);
    }

    /** A trigger with the default filters, whose runs push every tag themselves. */
    public Trigger(String name, String provider, String repository, List<RefPattern> branches, List<RefPattern> tags,
            List<String> schedules, ObjectNode payload, Narrowing policy) {
        this(name, provider, repository, branches, tags, schedules, payload, policy, PushFilters.DEFAULT, false);
    }

    /** A trigger whose runs push every tag themselves. */
    public Trigger(String name, String provider, String repository, List<RefPattern> branches, List<RefPattern> tags,
            List<String> schedules, ObjectNode payload, Narrowing policy, PushFilters filters) {
        this(name, provider, repository, branches, tags, schedules, payload, policy, filters, false);
    }

    /** A trigger with the default filters. */
    public Trigger(String name, String provider, String repository, List<RefPattern> branches, List<RefPattern> tags,
            List<String> schedules, ObjectNode payload, Narrowing policy, boolean monotonicTags) {
        this(name, provider, repository, branches, tags, schedules, payload, policy, PushFilters.DEFAULT, monotonicTags);
    }

    /** A trigger held to the deployer's policy alone. */
    public Trigger(String name, String provider, String repository, List<RefPattern> branches, List<RefPattern> tags,
            List<String> schedules, ObjectNode payload) {
        this(name, provider, repository, branches, tags, schedules, payload, Narrowing.NONE, PushFilters.DEFAULT);
    }

    @Override
    public ObjectNode payload() {
        return payload.deepCopy();
    }

    /** Whether it builds events of this kind. */
    public boolean builds(TriggerEvent event) {
        return events.contains(event);
    }

    /** Whether the push is from this trigger's repository (and provider). */
    public boolean watches(Push push) {
        return repository != null && repository.equalsIgnoreCase(push.repository())
                && (provider == null || provider.equals(push.host()));
    }

    /** Whether the push's branch or tag matches one of the patterns. */
    public boolean matchesRef(Push.Ref ref) {
        List<RefPattern> patterns = ref.kind() == Push.Ref.Kind.BRANCH ? branches : tags;
        return patterns.stream().anyMatch(p -> p.matches(ref.name()));
    }
}
