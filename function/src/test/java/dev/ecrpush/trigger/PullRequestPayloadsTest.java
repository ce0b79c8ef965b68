package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/**
 * A pull request's build payload ({@link TriggerPayloads#forPullRequest}), the {@code <+trigger.prNumber>},
 * {@code <+trigger.sourceBranch>} and {@code <+trigger.targetBranch>} expressions it makes resolvable, and the
 * trigger set's check of {@code pullRequests.tags}.
 */
class PullRequestPayloadsTest {
    private static final String SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private static final PullRequest FORK = new PullRequest("github", "acme/app", 42, "octo/app", "https://github.com/octo/app.git",
            "fix/readme", "main", SHA, "octo", "Fix the README");

    private static Trigger trigger(List<String> prTags) {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/stale.git").put("branch", "develop");
        ((ObjectNode) payload.at("/step/spec")).putArray("tags").add("latest").add("<+codebase.shortCommitSha>");
        return new Trigger("app-prs", "github", "acme/app", List.of(RefPattern.of("main")), List.of(), List.of(), payload, null,
                null, false, Set.of(TriggerEvent.PULL_REQUEST),
                new PullRequestOptions(prTags, List.of(), List.of(), List.of()), null, false);
    }

    private static StepPayload parse(ObjectNode payload) {
        return StepParser.parse(payload, Fixtures.SETTINGS.withTriggerType(TriggerType.WEBHOOK));
    }

    @Test
    void forPullRequest_buildsTheHeadCommitFromTheHeadRepository_withTheRequestsOwnTags() {
        // given
        DeliveryId delivery = DeliveryId.ofBody("{\"action\": \"opened\"}".getBytes(StandardCharsets.UTF_8));
        // when
        ObjectNode payload = TriggerPayloads.forPullRequest(trigger(PullRequestOptions.DEFAULT_TAGS), FORK, delivery);
        StepPayload step = parse(payload);
        // then: the head's clone URL, branch and commit, the request's number and branches; no stale stored codebase
        assertEquals(Fixtures.JSON.createObjectNode().put("repoUrl", "https://github.com/octo/app.git").put("branch", "fix/readme")
                .put("commitSha", SHA).put("prNumber", 42).put("sourceBranch", "fix/readme").put("targetBranch", "main"),
                payload.get("codebase"));
        // the step's tags replaced by the request's (never the target branch's latest)
        assertEquals(List.of("pr-42", "pr-42-ec26c3e"), step.step().spec().tags());
        assertEquals("github/" + delivery.value() + "/app-prs/pull/42", payload.get("idempotencyKey").asText());
        assertEquals(SHA, step.codebase().commitSha());
        assertEquals(42, step.codebase().prNumber());
    }

    @Test
    void everyPullRequestExpression_resolves() {
        ObjectNode payload = TriggerPayloads.forPullRequest(trigger(List.of("<+trigger.prNumber>-<+trigger.sourceBranch>",
                "into-<+trigger.targetBranch>", "<+codebase.branch>")), new PullRequest("github", "acme/app", 42,
                "octo/app", "https://github.com/octo/app.git", "fix-readme", "main", SHA, "octo", null), DeliveryId.ofSignedId("d"));
        assertEquals(List.of("42-fix-readme", "into-main", "fix-readme"), parse(payload).step().spec().tags());
    }

    @Test
    void pullRequestExpressions_outsideAPullRequest_areAProblemNamingTheField() {
        // given: a push's payload that uses one
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.at("/step/spec")).putArray("tags").add("pr-<+trigger.prNumber>");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> parse(payload));
        // then
        assertEquals(List.of("step.spec.tags[0]: <+trigger.prNumber> cannot be resolved: the payload's codebase has no prNumber:"
                + " it is set for a pull request's build only"), e.problems());
    }

    @Test
    void badPullRequestCodebaseFields_areProblemsNamingThem() {
        ObjectNode payload = Fixtures.basePayload();
        payload.putObject("codebase").put("prNumber", 0).put("sourceBranch", "bad..branch").put("targetBranch", "-x");
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> parse(payload));
        assertEquals(List.of("codebase.prNumber", "codebase.sourceBranch", "codebase.targetBranch"),
                e.problems().stream().map(p -> p.substring(0, p.indexOf(':'))).toList());
    }

    @Test
    void triggerSet_checksPullRequestTags_asAPullRequestsBuildResolvesThem() throws IOException {
        // given: a tag with an expression no pull request resolves, after a good one
        String set = """
                {"triggers": [{"name": "prs", "repository": "acme/app", "branches": ["main"], "events": ["pull_request"],
                  "pullRequests": {"tags": ["pr-<+trigger.prNumber>", "<+pipeline.sequenceId>", "<+codebase.tag>"]},
                  "payload": {"step": {"type": "BuildAndPushECR", "identifier": "b",
                    "spec": {"connectorRef": "aws_prod", "region": "us-east-1", "account": "123456789012",
                             "imageName": "acme/app", "tags": ["<+codebase.shortCommitSha>"]}}}}]}""";
        // when
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> store = new java.util.HashMap<>();
        Fixtures.read(Repo.path("infra/connectors.example.json")).fields().forEachRemaining(e -> store.put(e.getKey(), e.getValue()));
        TriggerSetParser.Result result = TriggerSetParser.parse(Fixtures.JSON.readTree(set),
                Fixtures.SETTINGS.withTriggerType(TriggerType.WEBHOOK).withStoredConnectors(store), new GitHostRegistry(),
                Fixtures.policy());
        // then: each named by its entry in pullRequests.tags
        List<String> problems = assertInstanceOf(TriggerSetParser.Result.Invalid.class, result).problems();
        assertEquals(List.of("triggers[0].pullRequests.tags[1]", "triggers[0].pullRequests.tags[2]"),
                problems.stream().map(p -> p.substring(0, p.indexOf(':'))).toList(), problems.toString());
    }

    @Test
    void theInfraExample_buildsPaymentsApisPullRequests_butRenovates() {
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> store = new java.util.HashMap<>();
        Fixtures.read(Repo.path("infra/connectors.example.json")).fields().forEachRemaining(e -> store.put(e.getKey(), e.getValue()));
        TriggerSet set = ((TriggerSetParser.Result.Valid) TriggerSetParser.parse(Fixtures.read(Repo.path("infra/triggers.example.json")),
                Fixtures.SETTINGS.withTriggerType(TriggerType.WEBHOOK).withStoredConnectors(store), new GitHostRegistry(),
                Fixtures.policy())).set();
        PullRequest pr = new PullRequest("github", "acme/payments-api", 7, "acme/payments-api",
                "https://github.com/acme/payments-api.git", "fix/rounding", "release/2.x", SHA, "alice", null);
        Trigger payments = ((TriggerSet.Match.Matched) set.match(pr)).triggers().get(0);
        assertEquals("payments-api", payments.name());
        assertEquals(PullRequestOptions.DEFAULT_TAGS, payments.pullRequests().tags());
        // its excludePaths cannot tell from a pull request's event: built, saying so
        assertEquals(new PushFilters.Decision.Build("changed files unknown: not listed; built"),
                PullRequestFilters.decide(payments, pr, () -> new dev.ecrpush.githost.ChangedFiles.Unknown("not listed")));
        PullRequest renovate = new PullRequest("github", "acme/payments-api", 8, "acme/payments-api",
                "https://github.com/acme/payments-api.git", "renovate/jackson-2.x", "main", SHA, "renovate[bot]", null);
        assertEquals(new PushFilters.Decision.Filtered("pullRequests.excludeSourceBranches: source branch renovate/jackson-2.x"
                + " matches renovate/**"), PullRequestFilters.decide(payments, renovate, () -> null));
    }
}
