package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Repo;

class TriggerSetParserTest {
    /** The example's connectorRefs name connectors of the example connector store. */
    private static ParseSettings settingsWithExampleConnectors() {
        Map<String, JsonNode> store = new HashMap<>();
        Fixtures.read(Repo.path("infra/connectors.example.json")).fields().forEachRemaining(e -> store.put(e.getKey(), e.getValue()));
        return Fixtures.SETTINGS.withTriggerType(TriggerType.WEBHOOK).withStoredConnectors(store);
    }

    private static List<String> problems(String triggerSet) throws IOException {
        TriggerSetParser.Result result = TriggerSetParser.parse(Fixtures.JSON.readTree(triggerSet), settingsWithExampleConnectors(),
                new GitHostRegistry(), Fixtures.policy());
        return ((TriggerSetParser.Result.Invalid) assertInstanceOf(TriggerSetParser.Result.Invalid.class, result)).problems();
    }

    private static String trigger(String fields) {
        return "{\"triggers\": [{" + fields + "}]}";
    }

    private static final String PAYLOAD = """
            "payload": {"step": {"type": "BuildAndPushECR", "identifier": "b",
              "spec": {"connectorRef": "aws_prod", "region": "us-east-1", "account": "123456789012",
                       "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>"]}}}""";

    @Test
    void theInfraExample_isValid() {
        // when
        TriggerSetParser.Result result = TriggerSetParser.parse(Fixtures.read(Repo.path("infra/triggers.example.json")),
                settingsWithExampleConnectors(), new GitHostRegistry(), Fixtures.policy());
        // then
        TriggerSet set = ((TriggerSetParser.Result.Valid) assertInstanceOf(TriggerSetParser.Result.Valid.class, result)).set();
        assertEquals(List.of("payments-api", "orders-service-releases", "base-images-nightly", "docs-site"),
                set.triggers().stream().map(Trigger::name).toList());
        assertEquals("gitlab", set.triggers().get(1).provider());
        assertEquals(List.of(RefPattern.of("docs/**"), RefPattern.of("**/*.md")), set.triggers().get(0).filters().excludePaths());
        assertEquals(List.of("dependabot[bot]"), set.triggers().get(0).filters().excludeActors());
        assertEquals(List.of("nightly-base-images"), set.triggers().get(2).schedules());
    }

    @Test
    void everyProblem_isListedWithItsPath() throws IOException {
        List<String> problems = problems("""
                {"triggers": [
                  {"name": "a b", "provider": "gogs", "branches": ["main"], "colour": "red", %s},
                  {"name": "ok", "repository": "acme/app"},
                  {"name": "ok", "repository": "acme/app", "tags": ["v*"], %s}
                ]}""".formatted(PAYLOAD, PAYLOAD));
        assertEquals(List.of(
                "triggers[0].colour: is not a known field (actors, branches, cancelSuperseded, description, events, excludeActors,"
                        + " excludeBranches, excludePaths, excludeTags, monotonicTags, name, onExistingTag, paths, payload, policy,"
                        + " provider, pullRequests, reportStatus, repository, schedules, skipMessages, tags)",
                "triggers[0].name: \"a b\" must be 1 to 64 letters, digits, '_', '.' or '-'",
                "triggers[0].provider: \"gogs\" is not " + GitHostRegistry.enumerate(new GitHostRegistry().names(), "or"),
                "triggers[0].repository: is required with branches or tags (e.g. \"acme/app\")",
                "triggers[1]: needs branches, tags or schedules, or it never builds",
                "triggers[1].payload: is required: the step payload to run (step, connectors, executor, infra)"),
                problems);
    }

    @Test
    void duplicateNames_areAnError() throws IOException {
        List<String> problems = problems("""
                {"triggers": [
                  {"name": "app", "repository": "acme/app", "tags": ["v*"], %s},
                  {"name": "app", "repository": "acme/app", "branches": ["main"], %s}
                ]}""".formatted(PAYLOAD, PAYLOAD));
        assertEquals(List.of("triggers[1].name: \"app\" is used by an earlier trigger"), problems);
    }

    @Test
    void fieldsEachRunSets_areRefusedInAStoredPayload() throws IOException {
        List<String> problems = problems(trigger("""
                "name": "app", "repository": "acme/app", "branches": ["main"],
                "payload": {"idempotencyKey": "k", "taskToken": "t", "codebase": {"commitSha": "abc1234"}}"""));
        assertTrue(problems.contains("triggers[0].payload.idempotencyKey: is set per run (by the push or the schedule), not in a trigger"),
                problems.toString());
        assertTrue(problems.contains("triggers[0].payload.taskToken: is set per run (by the push or the schedule), not in a trigger"),
                problems.toString());
        assertTrue(problems.contains("triggers[0].payload.codebase.commitSha: is not a known field (branch, repoUrl, tag)"),
                problems.toString());
    }

    @Test
    void theStoredStep_isValidatedWhenTheSetIsLoaded() throws IOException {
        List<String> problems = problems(trigger("""
                "name": "app", "repository": "acme/app", "branches": ["main"],
                "payload": {"step": {"type": "BuildAndPushECR", "identifier": "b",
                  "spec": {"connectorRef": "aws_prod", "region": "us-east-1", "account": "123456789012",
                           "imageNmae": "acme/app", "tags": ["<+pipeline.sequenceId>"]}}}"""));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("triggers[0].payload.step.spec.imageNmae: ")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("triggers[0].payload.step.spec.tags[0]: ")), problems.toString());
    }

    @Test
    void onExistingTag_ofTheTrigger_isWrittenOverItsPayloads_forEveryRunOfIt() throws IOException {
        // given: a payload that says fail, and a trigger that says rebuild
        String payload = PAYLOAD.replace("\"tags\": [", "\"onExistingTag\": \"fail\", \"tags\": [");
        // when
        Trigger trigger = valid(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"],"
                + " \"onExistingTag\": \"rebuild\", " + payload));
        // then: the trigger's setting is the one its runs (push, pull request, schedule) are parsed with
        assertEquals("rebuild", trigger.payload().at("/step/spec/onExistingTag").asText());
        // and a trigger without one keeps its payload's
        Trigger own = valid(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"], " + payload));
        assertEquals("fail", own.payload().at("/step/spec/onExistingTag").asText());
    }

    @Test
    void onExistingTag_notOneOfTheNames_isAProblemNamingTheTriggersField() throws IOException {
        assertEquals(List.of("triggers[0].onExistingTag: \"Skip\" is not one of skip, rebuild, fail"),
                problems(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"],"
                        + " \"onExistingTag\": \"Skip\", " + PAYLOAD)));
        assertEquals(List.of("triggers[0].onExistingTag: must be one of skip, rebuild, fail"),
                problems(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"],"
                        + " \"onExistingTag\": true, " + PAYLOAD)));
        // and in the payload, the step's own problem with its path
        List<String> inPayload = problems(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"], "
                + PAYLOAD.replace("\"tags\": [", "\"onExistingTag\": \"always\", \"tags\": [")));
        assertTrue(inPayload.stream().anyMatch(p -> p.startsWith("triggers[0].payload.step.spec.onExistingTag: ")), inPayload::toString);
    }

    @Test
    void notAnObject_orNoList() throws IOException {
        assertEquals(List.of("(root): must be a JSON object {\"triggers\": [...]}"), problems("[]"));
        assertEquals(List.of("triggers: must be a list of triggers"), problems("{\"triggers\": {}}"));
    }

    private static Trigger valid(String triggerSet) throws IOException {
        TriggerSetParser.Result result = TriggerSetParser.parse(Fixtures.JSON.readTree(triggerSet), settingsWithExampleConnectors(),
                new GitHostRegistry(), Fixtures.policy());
        return ((TriggerSetParser.Result.Valid) assertInstanceOf(TriggerSetParser.Result.Valid.class, result)).set().triggers().get(0);
    }

    @Test
    void pushFilters_areRead_andSkipMessagesDefaultToSkipCi() throws IOException {
        Trigger filtered = valid(trigger("""
                "name": "api", "repository": "acme/app", "branches": ["**"], "tags": ["v*"],
                "excludeBranches": ["dependabot/**"], "excludeTags": ["*-rc*"], "paths": ["services/api/**"],
                "excludePaths": ["**/*.md"], "actors": ["octo"], "excludeActors": ["renovate[bot]"], "skipMessages": ["[no build]"],
                """ + PAYLOAD));
        assertEquals(new PushFilters(List.of(RefPattern.of("dependabot/**")), List.of(RefPattern.of("*-rc*")),
                List.of(RefPattern.of("services/api/**")), List.of(RefPattern.of("**/*.md")), List.of("octo"), List.of("renovate[bot]"),
                List.of("[no build]")), filtered.filters());
        Trigger plain = valid(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"], " + PAYLOAD));
        assertEquals(PushFilters.DEFAULT, plain.filters());
        assertEquals(List.of("[skip ci]", "[ci skip]"), plain.filters().skipMessages());
        Trigger noSkip = valid(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"], "
                + "\"skipMessages\": [], " + PAYLOAD));
        assertEquals(List.of(), noSkip.filters().skipMessages());
    }

    @Test
    void badPushFilters_areEachAProblem_withTheirPath() throws IOException {
        List<String> problems = problems("""
                {"triggers": [
                  {"name": "a", "repository": "acme/app", "branches": ["main"], "paths": ["src/**", "/docs/**", 7],
                   "excludePaths": "*.md", "actors": [""], "excludeActors": [null], "skipMessages": [" "], %s},
                  {"name": "b", "repository": "acme/app", "tags": ["v*"], "excludeBranches": ["x"], "excludePaths": ["docs/**"], %s},
                  {"name": "c", "schedules": ["nightly"], "excludeTags": ["x"], "actors": ["octo"],
                   "payload": {"codebase": {"repoUrl": "https://github.com/acme/app.git", "branch": "main"},
                     "step": {"type": "BuildAndPushECR", "identifier": "b",
                       "spec": {"connectorRef": "aws_prod", "region": "us-east-1", "account": "123456789012",
                                "imageName": "acme/app", "tags": ["latest"]}}}}
                ]}""".formatted(PAYLOAD, PAYLOAD));
        assertEquals(List.of(
                "triggers[0].paths[2]: must be a non-empty string",
                "triggers[0].excludePaths: must be a list of strings",
                "triggers[0].actors[0]: must be a non-empty string",
                "triggers[0].excludeActors[0]: must be a non-empty string",
                "triggers[0].skipMessages[0]: must be a non-empty string",
                "triggers[0].paths[1]: \"/docs/**\" never matches: changed paths are relative to the repository's root, without a"
                        + " leading /",
                "triggers[1].excludeBranches: only narrows branches, and the trigger has none",
                "triggers[1].excludePaths: only filters branch pushes, and the trigger has no branches",
                "triggers[2].excludeTags: only narrows tags, and the trigger has none",
                "triggers[2].actors: only filters pushes, and the trigger has no branches or tags"),
                problems);
    }

    private static final String MOVING_ONLY = """
            "payload": {"step": {"type": "BuildAndPushECR", "identifier": "b",
              "spec": {"connectorRef": "aws_prod", "region": "us-east-1", "account": "123456789012",
                       "imageName": "acme/app", "tags": ["latest", "<+codebase.branch>-latest", "0000000", "v0.0.0"]}}}""";

    @Test
    void monotonicTags_withoutATagThatNamesTheCommit_isAProblemNamingTheTrigger() throws IOException {
        // the literal "0000000" names the first stand-in commit but not the second: no push's commit is in it
        List<String> problems = problems(trigger("\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"],"
                + " \"monotonicTags\": true, " + MOVING_ONLY));
        assertEquals(List.of("triggers[0].monotonicTags: trigger \"app\": monotonicTags needs a tag that contains the commit"
                + " (<+codebase.shortCommitSha> or <+codebase.commitSha>): the build pushes only those, and the function moves"
                + " the others to its image"), problems);
    }

    @Test
    void monotonicTags_mustBeABoolean_andConcernsPushes() throws IOException {
        assertEquals(List.of("triggers[0].monotonicTags: must be true or false"), problems(trigger(
                "\"name\": \"app\", \"repository\": \"acme/app\", \"branches\": [\"main\"], \"monotonicTags\": \"yes\", "
                        + PAYLOAD)));
        assertEquals(List.of("triggers[0].monotonicTags: orders the pushes of a branch or tag, and this trigger has no branches"
                + " or tags"), problems(trigger("\"name\": \"app\", \"schedules\": [\"nightly\"], \"monotonicTags\": true, "
                        + PAYLOAD.replace("\"step\"", "\"codebase\": {\"repoUrl\": \"https://github.com/acme/app.git\","
                                + " \"branch\": \"main\"}, \"step\""))));
    }

    @Test
    void monotonicTags_isOffByDefault_andOnWithATagThatNamesTheCommit() throws IOException {
        String moving = PAYLOAD.replace("[\"<+codebase.shortCommitSha>\"]", "[\"<+codebase.shortCommitSha>\", \"latest\"]");
        TriggerSetParser.Result result = TriggerSetParser.parse(Fixtures.JSON.readTree("{\"triggers\": ["
                + "{\"name\": \"on\", \"repository\": \"acme/app\", \"branches\": [\"main\"], \"monotonicTags\": true, " + moving
                + "}, {\"name\": \"off\", \"repository\": \"acme/app\", \"branches\": [\"main\"], " + moving + "}]}"),
                settingsWithExampleConnectors(), new GitHostRegistry(), Fixtures.policy());
        TriggerSet set = ((TriggerSetParser.Result.Valid) assertInstanceOf(TriggerSetParser.Result.Valid.class, result)).set();
        assertEquals(List.of(true, false), set.triggers().stream().map(Trigger::monotonicTags).toList());
    }

    @Test
    void events_pullRequests_andTheFlags_areRead_withTheirDefaults() throws IOException {
        TriggerSetParser.Result result = TriggerSetParser.parse(Fixtures.JSON.readTree("{\"triggers\": ["
                + "{\"name\": \"prs\", \"repository\": \"acme/app\", \"branches\": [\"main\"], \"events\": [\"push\", \"pull_request\"],"
                + " \"pullRequests\": {\"sourceBranches\": [\"feature/*\"], \"approvers\": [\"alice\"]}, \"reportStatus\": false,"
                + " \"cancelSuperseded\": true, " + PAYLOAD + "},"
                + "{\"name\": \"plain\", \"repository\": \"acme/app\", \"branches\": [\"main\"], " + PAYLOAD + "}]}"),
                settingsWithExampleConnectors(), new GitHostRegistry(), Fixtures.policy());
        TriggerSet set = ((TriggerSetParser.Result.Valid) assertInstanceOf(TriggerSetParser.Result.Valid.class, result)).set();
        Trigger prs = set.triggers().get(0);
        Trigger plain = set.triggers().get(1);
        assertEquals(java.util.Set.of(TriggerEvent.PUSH, TriggerEvent.PULL_REQUEST), prs.events());
        assertEquals(List.of(RefPattern.of("feature/*")), prs.pullRequests().sourceBranches());
        assertEquals(List.of("alice"), prs.pullRequests().approvers());
        assertEquals(PullRequestOptions.DEFAULT_TAGS, prs.pullRequests().tags());
        assertEquals(false, prs.reportStatus());
        assertTrue(prs.cancelSuperseded());
        assertEquals(java.util.Set.of(TriggerEvent.PUSH), plain.events());
        assertEquals(PullRequestOptions.DEFAULT, plain.pullRequests());
        assertEquals(null, plain.reportStatus());
        assertEquals(false, plain.cancelSuperseded());
    }

    @Test
    void events_pullRequests_andTheFlags_problems_nameTheirField() throws IOException {
        String base = "\"name\": \"app\", \"repository\": \"acme/app\", ";
        assertEquals(List.of("triggers[0].events[1]: \"merge\" is not one of push, pull_request"),
                problems(trigger(base + "\"branches\": [\"main\"], \"events\": [\"push\", \"merge\"], " + PAYLOAD)));
        assertEquals(List.of("triggers[0].events: must name at least one of push, pull_request"),
                problems(trigger(base + "\"branches\": [\"main\"], \"events\": [], " + PAYLOAD)));
        assertEquals(List.of("triggers[0].events: pull_request builds the pull requests whose target branch matches branches,"
                + " and the trigger has none", "triggers[0].tags: match pushed tags, and the trigger's events do not include push"),
                problems(trigger(base + "\"tags\": [\"v*\"], \"events\": [\"pull_request\"], " + PAYLOAD)));
        assertEquals(List.of("triggers[0].pullRequests: only applies to pull requests, and the trigger's events do not include"
                + " pull_request", "triggers[0].pullRequests.colour: is not a known field (approvers, excludeSourceBranches,"
                + " sourceBranches, tags)", "triggers[0].pullRequests.tags: must name at least one tag, or be left out for the"
                + " default (pr-<+trigger.prNumber>, pr-<+trigger.prNumber>-<+codebase.shortCommitSha>)"),
                problems(trigger(base + "\"branches\": [\"main\"], \"pullRequests\": {\"colour\": 1, \"tags\": []}, " + PAYLOAD)));
        assertEquals(List.of("triggers[0].reportStatus: must be true or false", "triggers[0].cancelSuperseded: must be true or false"),
                problems(trigger(base + "\"branches\": [\"main\"], \"reportStatus\": \"yes\", \"cancelSuperseded\": 1, " + PAYLOAD)));
        assertEquals(List.of("triggers[0].cancelSuperseded: stops a ref's earlier builds, and this trigger has no branches or tags"),
                problems(trigger("\"name\": \"app\", \"schedules\": [\"nightly\"], \"cancelSuperseded\": true, "
                        + PAYLOAD.replace("\"step\"", "\"codebase\": {\"repoUrl\": \"https://github.com/acme/app.git\","
                                + " \"branch\": \"main\"}, \"step\""))));
    }
}
