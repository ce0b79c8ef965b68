package dev.ecrpush.trigger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.policy.Policy;
import dev.ecrpush.step.OnExistingTag;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;

/**
 * Reads a trigger set ({@code {"triggers": [...]}}, format in docs/triggers.md) and reports every problem with
 * its path, as the step parser does. Each trigger's payload is parsed as a step too, against a stand-in codebase
 * (a branch, a tag and a commit), so a misspelt field or an unknown expression shows when the set is loaded,
 * not when a push arrives. A trigger's {@code policy} may only narrow the deployer's: a list reaching outside it is a
 * problem of the set, naming the trigger and the entry.
 */
public final class TriggerSetParser {
    private static final Set<String> TOP = Set.of("triggers", "description");
    private static final Set<String> TRIGGER = Set.of("name", "description", "provider", "repository", "branches", "tags",
            "schedules", "payload", "policy", "excludeBranches", "excludeTags", "paths", "excludePaths", "actors", "excludeActors",
            "skipMessages", "monotonicTags", "events", "pullRequests", "reportStatus", "cancelSuperseded", "onExistingTag");
    private static final Set<String> PULL_REQUESTS = Set.of("tags", "sourceBranches", "excludeSourceBranches", "approvers");
    /** A push or a schedule supplies these; a stored trigger must not fix them. */
    private static final Set<String> PAYLOAD_FORBIDDEN = Set.of("idempotencyKey", "taskToken", "oidcToken", "triggerType");
    private static final Set<String> CODEBASE = Set.of("repoUrl", "branch", "tag");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final String PROBE_SHA = "0".repeat(40);
    private static final String SPEC_TAGS = "step.spec.tags";
    /** A second stand-in commit: a tag names the commit only if it names both (a literal tag cannot). */
    private static final String OTHER_PROBE_SHA = "f".repeat(40);

    private TriggerSetParser() {
    }

    /** The outcome: a valid set, or every problem found. */
    public sealed interface Result {
        record Valid(TriggerSet set) implements Result {
        }

        record Invalid(List<String> problems) implements Result {
            public Invalid {
                problems = List.copyOf(problems);
            }
        }
    }

    /**
     * @param hosts  the Git hosts a trigger's {@code provider} may name
     * @param policy the deployer's policy, which a trigger's {@code policy} may only narrow
     */
    public static Result parse(JsonNode root, ParseSettings settings, GitHostRegistry hosts, Policy policy) {
        List<String> problems = new ArrayList<>();
        if (root == null || !root.isObject()) {
            return new Result.Invalid(List.of("(root): must be a JSON object {\"triggers\": [...]}"));
        }
        unknownFields(root, TOP, "", problems);
        JsonNode list = root.path("triggers");
        if (!list.isArray()) {
            problems.add("triggers: must be a list of triggers");
            return new Result.Invalid(problems);
        }
        List<Trigger> triggers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            Trigger trigger = trigger(list.get(i), "triggers[" + i + "]", settings, hosts, policy, problems);
            if (trigger != null && !names.add(trigger.name())) {
                problems.add("triggers[" + i + "].name: \"" + trigger.name() + "\" is used by an earlier trigger");
            }
            if (trigger != null) {
                triggers.add(trigger);
            }
        }
        return problems.isEmpty() ? new Result.Valid(new TriggerSet(triggers)) : new Result.Invalid(problems);
    }

    private static Trigger trigger(JsonNode node, String at, ParseSettings settings, GitHostRegistry hosts, Policy policy,
            List<String> problems) {
        if (!node.isObject()) {
            problems.add(at + ": must be a trigger object");
            return null;
        }
        int before = problems.size();
        unknownFields(node, TRIGGER, at + ".", problems);
        String name = text(node, "name", at, true, problems);
        if (name != null && !NAME.matcher(name).matches()) {
            problems.add(at + ".name: \"" + name + "\" must be 1 to 64 letters, digits, '_', '.' or '-'");
        }
        String provider = text(node, "provider", at, false, problems);
        if (provider != null && hosts.named(provider).isEmpty()) {
            problems.add(at + ".provider: \"" + provider + "\" is not " + GitHostRegistry.enumerate(hosts.names(), "or"));
        }
        String repository = text(node, "repository", at, false, problems);
        List<RefPattern> branches = patterns(node, "branches", at, problems);
        List<RefPattern> tags = patterns(node, "tags", at, problems);
        List<String> schedules = texts(node, "schedules", at, problems);
        for (int i = 0; i < schedules.size(); i++) {
            if (!RULE.matcher(schedules.get(i)).matches()) {
                problems.add(at + ".schedules[" + i + "]: \"" + schedules.get(i) + "\" is not an EventBridge rule name");
            }
        }
        if (branches.isEmpty() && tags.isEmpty() && schedules.isEmpty()) {
            problems.add(at + ": needs branches, tags or schedules, or it never builds");
        }
        if ((!branches.isEmpty() || !tags.isEmpty()) && repository == null) {
            problems.add(at + ".repository: is required with branches or tags (e.g. \"acme/app\")");
        }
        PushFilters filters = filters(node, at, branches, tags, problems);
        boolean monotonic = monotonicTags(node, at, branches.isEmpty() && tags.isEmpty(), problems);
        ObjectNode payload = payload(withOnExistingTag(node, at, problems), at + ".payload", repository, settings, problems);
        if (monotonic && payload != null && !namesTheCommit(payload, repository, settings)) {
            problems.add(at + ".monotonicTags: trigger \"" + (name == null ? at : name) + "\": monotonicTags needs a tag"
                    + " that contains the commit (<+codebase.shortCommitSha> or <+codebase.commitSha>): the build pushes"
                    + " only those, and the function moves the others to its image");
        }
        Narrowing narrowing = Narrowing.parse(node.path("policy"), at + ".policy", name == null ? at : name, policy, problems);
        Set<TriggerEvent> events = events(node, at, branches, tags, problems);
        PullRequestOptions pullRequests = pullRequests(node, at, events, problems);
        if (payload != null && events.contains(TriggerEvent.PULL_REQUEST)) {
            pullRequestTags(payload, pullRequests, repository, at, settings, problems);
        }
        Boolean reportStatus = flag(node, "reportStatus", at, problems);
        Boolean cancelSuperseded = flag(node, "cancelSuperseded", at, problems);
        if (Boolean.TRUE.equals(cancelSuperseded) && branches.isEmpty() && tags.isEmpty()) {
            problems.add(at + ".cancelSuperseded: stops a ref's earlier builds, and this trigger has no branches or tags");
        }
        if (problems.size() > before || payload == null) {
            return null;
        }
        return new Trigger(name, provider, repository, branches, tags, schedules, payload, narrowing, filters, monotonic,
                events, pullRequests, reportStatus, Boolean.TRUE.equals(cancelSuperseded));
    }

    /**
     * The events it builds for, {@code push} when unset. A pull request matches {@code branches} by its target
     * branch, so {@code pull_request} needs them; {@code tags} match pushed tags only, so they need {@code push}.
     */
    private static Set<TriggerEvent> events(JsonNode node, String at, List<RefPattern> branches, List<RefPattern> tags,
            List<String> problems) {
        if (!node.has("events") || node.path("events").isNull()) {
            return Set.of(TriggerEvent.PUSH);
        }
        List<String> wires = texts(node, "events", at, problems);
        if (node.path("events").isArray() && node.path("events").isEmpty()) {
            problems.add(at + ".events: must name at least one of " + String.join(", ", TriggerEvent.wires()));
        }
        Set<TriggerEvent> events = new HashSet<>();
        for (int i = 0; i < wires.size(); i++) {
            TriggerEvent event = TriggerEvent.of(wires.get(i));
            if (event == null) {
                problems.add(at + ".events[" + i + "]: \"" + wires.get(i) + "\" is not one of " + String.join(", ", TriggerEvent.wires()));
            } else {
                events.add(event);
            }
        }
        if (events.contains(TriggerEvent.PULL_REQUEST) && branches.isEmpty()) {
            problems.add(at + ".events: pull_request builds the pull requests whose target branch matches branches, and the"
                    + " trigger has none");
        }
        if (!events.isEmpty() && !events.contains(TriggerEvent.PUSH) && !tags.isEmpty()) {
            problems.add(at + ".tags: match pushed tags, and the trigger's events do not include push");
        }
        return events.isEmpty() ? Set.of(TriggerEvent.PUSH) : events;
    }

    /** Its {@code pullRequests} object, which only a trigger of pull requests may have. */
    private static PullRequestOptions pullRequests(JsonNode node, String at, Set<TriggerEvent> events, List<String> problems) {
        JsonNode value = node.path("pullRequests");
        if (value.isMissingNode() || value.isNull()) {
            return PullRequestOptions.DEFAULT;
        }
        String here = at + ".pullRequests";
        if (!value.isObject()) {
            problems.add(here + ": must be an object (" + String.join(", ", PULL_REQUESTS.stream().sorted().toList()) + ")");
            return PullRequestOptions.DEFAULT;
        }
        if (!events.contains(TriggerEvent.PULL_REQUEST)) {
            problems.add(here + ": only applies to pull requests, and the trigger's events do not include pull_request");
        }
        unknownFields(value, PULL_REQUESTS, here + ".", problems);
        List<String> tags = value.has("tags") && !value.path("tags").isNull() ? texts(value, "tags", here, problems)
                : PullRequestOptions.DEFAULT_TAGS;
        if (value.path("tags").isArray() && value.path("tags").isEmpty()) {
            problems.add(here + ".tags: must name at least one tag, or be left out for the default ("
                    + String.join(", ", PullRequestOptions.DEFAULT_TAGS) + ")");
        }
        return new PullRequestOptions(tags, patterns(value, "sourceBranches", here, problems),
                patterns(value, "excludeSourceBranches", here, problems), texts(value, "approvers", here, problems));
    }

    /**
     * The payload as a pull request's build runs it ({@link TriggerPayloads#forPullRequest}): a stand-in request's
     * codebase, and {@code pullRequests.tags} as the step's tags, so that an expression no pull request resolves
     * shows when the set is loaded. A problem of a tag names its entry in {@code pullRequests.tags}.
     */
    private static void pullRequestTags(ObjectNode payload, PullRequestOptions options, String repository, String at,
            ParseSettings settings, List<String> problems) {
        ObjectNode probe = probe(payload, repository, PROBE_SHA);
        // As forPullRequest fills it in: the source branch, and no tag.
        ((ObjectNode) probe.get("codebase")).put("branch", "feature").put("prNumber", 1).put("sourceBranch", "feature")
                .put("targetBranch", "main").remove("tag");
        JsonNode spec = probe.path("step").path("spec");
        if (spec.isObject()) {
            ArrayNode tags = ((ObjectNode) spec).putArray("tags");
            options.tags().forEach(tags::add);
        }
        try {
            StepParser.parse(probe, settings);
        } catch (InvalidStepException e) {
            for (String problem : e.problems()) {
                problems.add(problem.startsWith(SPEC_TAGS) ? at + ".pullRequests.tags" + problem.substring(SPEC_TAGS.length())
                        : at + ".payload." + problem + " (in a pull request's build)");
            }
        }
    }

    /** An optional true or false; null when unset. */
    private static Boolean flag(JsonNode node, String field, String at, List<String> problems) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isBoolean()) {
            problems.add(at + "." + field + ": must be true or false");
            return null;
        }
        return value.asBoolean();
    }

    /**
     * The push filters. One that could never apply is a problem, not silently nothing: an exclude form without
     * the patterns it narrows, a push filter on a trigger that no push matches, a path pattern with a leading
     * {@code /} (the hosts list paths from the repository's root without one).
     */
    private static PushFilters filters(JsonNode node, String at, List<RefPattern> branches, List<RefPattern> tags,
            List<String> problems) {
        List<RefPattern> excludeBranches = patterns(node, "excludeBranches", at, problems);
        List<RefPattern> excludeTags = patterns(node, "excludeTags", at, problems);
        List<RefPattern> paths = patterns(node, "paths", at, problems);
        List<RefPattern> excludePaths = patterns(node, "excludePaths", at, problems);
        List<String> actors = texts(node, "actors", at, problems);
        List<String> excludeActors = texts(node, "excludeActors", at, problems);
        List<String> skipMessages = node.has("skipMessages") && !node.path("skipMessages").isNull()
                ? texts(node, "skipMessages", at, problems) : PushFilters.DEFAULT_SKIP_MESSAGES;
        if (!excludeBranches.isEmpty() && branches.isEmpty()) {
            problems.add(at + ".excludeBranches: only narrows branches, and the trigger has none");
        }
        if (!excludeTags.isEmpty() && tags.isEmpty()) {
            problems.add(at + ".excludeTags: only narrows tags, and the trigger has none");
        }
        if ((!paths.isEmpty() || !excludePaths.isEmpty()) && branches.isEmpty()) {
            problems.add(at + "." + (paths.isEmpty() ? "excludePaths" : "paths")
                    + ": only filters branch pushes, and the trigger has no branches");
        }
        if ((!actors.isEmpty() || !excludeActors.isEmpty()) && branches.isEmpty() && tags.isEmpty()) {
            problems.add(at + "." + (actors.isEmpty() ? "excludeActors" : "actors")
                    + ": only filters pushes, and the trigger has no branches or tags");
        }
        rooted(node, "paths", at, problems);
        rooted(node, "excludePaths", at, problems);
        return new PushFilters(excludeBranches, excludeTags, paths, excludePaths, actors, excludeActors, skipMessages);
    }

    /** Checked on the list as written, so that the index is the entry's even after an earlier bad one. */
    private static void rooted(JsonNode node, String field, String at, List<String> problems) {
        JsonNode list = node.path(field);
        for (int i = 0; list.isArray() && i < list.size(); i++) {
            if (list.get(i).isTextual() && list.get(i).asText().startsWith("/")) {
                problems.add(at + "." + field + "[" + i + "]: \"" + list.get(i).asText() + "\" never matches: changed paths are"
                        + " relative to the repository's root, without a leading /");
            }
        }
    }

    /** Off when unset; it concerns the runs of pushes, so a trigger without branches or tags cannot have it. */
    private static boolean monotonicTags(JsonNode node, String at, boolean noRefs, List<String> problems) {
        JsonNode value = node.path("monotonicTags");
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            problems.add(at + ".monotonicTags: must be true or false");
            return false;
        }
        if (value.asBoolean() && noRefs) {
            problems.add(at + ".monotonicTags: orders the pushes of a branch or tag, and this trigger has no branches or tags");
        }
        return value.asBoolean();
    }

    /** Whether at least one of the payload's tags names the commit, whichever commit a push brings. */
    private static boolean namesTheCommit(ObjectNode payload, String repository, ParseSettings settings) {
        for (String sha : List.of(PROBE_SHA, OTHER_PROBE_SHA)) {
            StepPayload parsed = StepParser.parse(probe(payload, repository, sha), settings);
            if (MonotonicTags.split(parsed.step().spec().tags(), sha).immutable().isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The payload with a stand-in codebase, so that every expression resolves, whichever kind of ref fills it in. */
    private static ObjectNode probe(ObjectNode payload, String repository, String sha) {
        JsonNode codebase = payload.path("codebase");
        ObjectNode probe = payload.deepCopy();
        ObjectNode probeCodebase = probe.putObject("codebase");
        probeCodebase.put("repoUrl", codebase.path("repoUrl").asText("https://github.com/"
                + (repository == null ? "acme/app" : repository) + ".git"));
        probeCodebase.put("branch", "main").put("tag", "v0.0.0").put("commitSha", sha);
        return probe;
    }

    private static ObjectNode payload(JsonNode payload, String at, String repository, ParseSettings settings,
            List<String> problems) {
        if (!payload.isObject()) {
            problems.add(at + ": is required: the step payload to run (step, connectors, executor, infra)");
            return null;
        }
        int before = problems.size();
        for (String field : PAYLOAD_FORBIDDEN) {
            if (payload.has(field)) {
                problems.add(at + "." + field + ": is set per run (by the push or the schedule), not in a trigger");
            }
        }
        JsonNode codebase = payload.path("codebase");
        if (payload.has("codebase")) {
            if (!codebase.isObject()) {
                problems.add(at + ".codebase: must be an object");
            } else {
                unknownFields(codebase, CODEBASE, at + ".codebase.", problems);
            }
        }
        if (problems.size() > before) {
            return null;
        }
        try {
            StepParser.parse(probe((ObjectNode) payload, repository, PROBE_SHA), settings);
        } catch (InvalidStepException e) {
            e.problems().forEach(problem -> problems.add(at + "." + problem));
            return null;
        }
        return (ObjectNode) payload;
    }

    /**
     * The trigger's payload, with the trigger's {@code onExistingTag} written over its {@code step.spec.onExistingTag}:
     * the trigger's setting is the one its runs use (a delivery fills in the codebase only, so no sender chooses it).
     */
    private static JsonNode withOnExistingTag(JsonNode node, String at, List<String> problems) {
        JsonNode payload = node.path("payload");
        JsonNode value = node.path("onExistingTag");
        if (value.isMissingNode() || value.isNull()) {
            return payload;
        }
        OnExistingTag setting = value.isTextual() ? OnExistingTag.fromWire(value.asText()) : null;
        if (setting == null) {
            problems.add(at + ".onExistingTag: " + (value.isTextual() ? "\"" + value.asText() + "\" is not" : "must be")
                    + " one of " + String.join(", ", OnExistingTag.wires()));
            return payload;
        }
        if (!payload.path("step").path("spec").isObject()) {
            return payload;
        }
        ObjectNode copy = payload.deepCopy();
        ((ObjectNode) copy.path("step").path("spec")).put("onExistingTag", setting.wire());
        return copy;
    }

    private static void unknownFields(JsonNode node, Set<String> known, String prefix, List<String> problems) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            String field = it.next().getKey();
            if (!known.contains(field)) {
                problems.add(prefix + field + ": is not a known field (" + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String text(JsonNode node, String field, String at, boolean required, List<String> problems) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            if (required) {
                problems.add(at + "." + field + ": is required");
            }
            return null;
        }
        if (!value.isTextual() || value.asText().isBlank()) {
            problems.add(at + "." + field + ": must be a non-empty string");
            return null;
        }
        return value.asText();
    }

    private static List<String> texts(JsonNode node, String field, String at, List<String> problems) {
        JsonNode value = node.path(field);
        List<String> texts = new ArrayList<>();
        if (value.isMissingNode() || value.isNull()) {
            return texts;
        }
        if (!value.isArray()) {
            problems.add(at + "." + field + ": must be a list of strings");
            return texts;
        }
        for (int i = 0; i < value.size(); i++) {
            JsonNode item = value.get(i);
            if (!item.isTextual() || item.asText().isBlank()) {
                problems.add(at + "." + field + "[" + i + "]: must be a non-empty string");
            } else {
                texts.add(item.asText());
            }
        }
        return texts;
    }

    private static List<RefPattern> patterns(JsonNode node, String field, String at, List<String> problems) {
        return texts(node, field, at, problems).stream().map(RefPattern::of).toList();
    }
}
