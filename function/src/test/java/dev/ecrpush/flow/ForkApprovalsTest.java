package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.idempotency.ForkHoldStore;
import dev.ecrpush.idempotency.IdempotencyTable;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.MutableClock;
import dev.ecrpush.trigger.PullRequestOptions;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerEvent;

/** Holding pull requests from forks and approving them with {@code /build}, against DynamoDB Local. */
class ForkApprovalsTest {
    private static final String TABLE = "fork-approvals-test";
    static final String SHA = "3f2a9c1e0b4d5a6978877665544332211ffeedcc";
    static final String NEWER = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static ForkHoldStore store;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new ForkHoldStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2),
                new MutableClock(Instant.parse("2025-06-01T12:00:00Z"))));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    /** A trigger of acme/app's pull requests, approved by {@code approvers} besides the host's members. */
    static Trigger trigger(String name, String... approvers) {
        return new Trigger(name, null, "acme/app", List.of(RefPattern.of("main")), List.of(), List.of(),
                Fixtures.JSON.createObjectNode(), null, null, false, Set.of(TriggerEvent.PULL_REQUEST),
                new PullRequestOptions(PullRequestOptions.DEFAULT_TAGS, List.of(), List.of(), List.of(approvers)), null, false);
    }

    /** A request of a repository of its own (so tests do not share holds), from the fork mallory/app. */
    static PullRequest fork(String host, int number, String sha) {
        return new PullRequest(host, "Acme/App-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), number, "mallory/app",
                "https://github.com/mallory/app.git", "feature", "main", sha, "mallory", "Fix the build");
    }

    static PullRequest at(PullRequest pr, String sha) {
        return new PullRequest(pr.host(), pr.repository(), pr.number(), pr.headRepository(), pr.headCloneUrl(), pr.sourceBranch(),
                pr.targetBranch(), sha, pr.actor(), pr.title());
    }

    static WebhookEvent.PullRequestComment comment(PullRequest pr, String author, String association, String onCommit, String body) {
        return new WebhookEvent.PullRequestComment("issue_comment", pr.host(), pr.repository().toLowerCase(), pr.number(), author,
                association, onCommit, body);
    }

    private static ForkApprovals approvals(List<String> configured, Trigger... triggers) {
        return new ForkApprovals(() -> store, name -> List.of(triggers).stream().filter(t -> t.name().equals(name)).findFirst(),
                configured);
    }

    private static ForkApprovals approvals(Trigger... triggers) {
        return approvals(List.of(), triggers);
    }

    @Test
    void hold_remembersTheRequestAsItWas_andSaysExactlyWhatToComment() {
        Trigger app = trigger("app");
        PullRequest pr = fork("github", 12, SHA);
        TriggeredBuild held = approvals(app).hold(app, pr, "pull/12");
        assertEquals(TriggeredBuild.HELD, held.status());
        assertEquals("app", held.trigger());
        assertEquals("pull/12", held.ref());
        assertNull(held.result());
        assertTrue(held.reason().endsWith("comments on it: /build " + SHA), held.reason());
        assertTrue(held.reason().contains("the fork mallory/app"), held.reason());
        ForkHoldStore.Held stored = store.held("github", pr.repository().toUpperCase(), 12);
        assertEquals(pr, stored.pullRequest());
        assertEquals(Set.of("app"), stored.triggers());
        Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TABLE).key(Map.of("idempotencyKey",
                AttributeValue.fromS("build#fork#github/" + pr.repository().toLowerCase() + "/12")))).item();
        assertEquals(Instant.parse("2025-06-08T12:00:00Z").getEpochSecond(), Long.parseLong(item.get("expiresAt").n()));
    }

    @Test
    void aSecondTrigger_isAdded_andANewHeadCommitReplacesWhatWasHeld() {
        Trigger app = trigger("app");
        Trigger arm = trigger("app-arm64");
        PullRequest pr = fork("github", 7, SHA);
        ForkApprovals approvals = approvals(app, arm);
        approvals.hold(app, pr, "pull/7");
        approvals.hold(arm, pr, "pull/7");
        assertEquals(Set.of("app", "app-arm64"), store.held("github", pr.repository(), 7).triggers());
        approvals.hold(app, at(pr, NEWER), "pull/7");
        ForkHoldStore.Held held = store.held("github", pr.repository(), 7);
        assertEquals(NEWER, held.pullRequest().headSha());
        assertEquals(Set.of("app"), held.triggers(), "the other trigger's hold was for the old commit");
    }

    @Test
    void aMembersBuild_namingTheHeadSha_approvesEveryHeldTrigger_once() {
        Trigger app = trigger("app");
        Trigger arm = trigger("app-arm64");
        PullRequest pr = fork("github", 3, SHA);
        ForkApprovals approvals = approvals(app, arm);
        approvals.hold(app, pr, "pull/3");
        approvals.hold(arm, pr, "pull/3");
        ForkApprovals.Approval approval = approvals.approve(comment(pr, "octocat", "MEMBER", null, "  /build " + SHA.toUpperCase()
                + "  \nLooks good to me."));
        assertEquals(new ForkApprovals.Approval.Approved(pr, List.of("app", "app-arm64")), approval);
        assertNull(store.held("github", pr.repository(), 3), "the approval is used up");
        assertEquals(new ForkApprovals.Approval.Refused("nothing is held for pull request #3"),
                approvals.approve(comment(pr, "octocat", "MEMBER", null, "/build " + SHA)));
    }

    @Test
    void aShortSha_ofSevenCharacters_andACommentMadeOnTheHeadCommit_approve() {
        Trigger app = trigger("app");
        ForkApprovals approvals = approvals(app);
        PullRequest short7 = fork("github", 4, SHA);
        approvals.hold(app, short7, "pull/4");
        assertInstanceOf(ForkApprovals.Approval.Approved.class,
                approvals.approve(comment(short7, "octocat", "OWNER", null, "/build " + SHA.substring(0, 7))));
        PullRequest onCommit = fork("github", 5, SHA);
        approvals.hold(app, onCommit, "pull/5");
        assertInstanceOf(ForkApprovals.Approval.Approved.class,
                approvals.approve(comment(onCommit, "octocat", "COLLABORATOR", SHA, "/build")));
    }

    @Test
    void bitbucketsTwelveCharacterShas_compareWithFullOnes_eitherWay() {
        Trigger app = trigger("app", "maintainer");
        ForkApprovals approvals = approvals(app);
        PullRequest pr = fork("bitbucket", 6, SHA.substring(0, 12));
        approvals.hold(app, pr, "pull/6");
        assertInstanceOf(ForkApprovals.Approval.Approved.class,
                approvals.approve(comment(pr, "Maintainer", null, null, "/build " + SHA)));
        PullRequest onCommit = fork("bitbucket", 8, SHA.substring(0, 12));
        approvals.hold(app, onCommit, "pull/8");
        assertInstanceOf(ForkApprovals.Approval.Approved.class, approvals.approve(comment(onCommit, "maintainer", null, SHA, "/build")));
        assertTrue(ForkApprovals.sameCommit(SHA.substring(0, 12), SHA));
        assertFalse(ForkApprovals.sameCommit(SHA.substring(0, 6), SHA), "six characters name no commit");
        assertFalse(ForkApprovals.sameCommit(NEWER.substring(0, 12), SHA));
    }

    @Test
    void theDeployersApprovers_approveEveryTrigger_aTriggersApprovers_onlyTheirOwn() {
        Trigger app = trigger("app", "app-lead");
        Trigger docs = trigger("docs", "docs-lead");
        PullRequest pr = fork("gitlab", 9, SHA);
        ForkApprovals approvals = approvals(List.of("Release-Manager"), app, docs);
        approvals.hold(app, pr, "pull/9");
        approvals.hold(docs, pr, "pull/9");
        assertEquals(new ForkApprovals.Approval.Approved(pr, List.of("docs")),
                approvals.approve(comment(pr, "DOCS-LEAD", null, null, "/build " + SHA)));
        assertEquals(Set.of("app"), store.held("gitlab", pr.repository(), 9).triggers(), "app's hold waits for its own approver");
        assertEquals(new ForkApprovals.Approval.Approved(pr, List.of("app")),
                approvals.approve(comment(pr, "release-manager", null, null, "/build " + SHA)));
        assertNull(store.held("gitlab", pr.repository(), 9));
    }

    @Test
    void commentsThatAreNoCommand_areNotACommand() {
        Trigger app = trigger("app");
        PullRequest pr = fork("github", 10, SHA);
        ForkApprovals approvals = approvals(app);
        approvals.hold(app, pr, "pull/10");
        for (String body : List.of("LGTM", "please /build " + SHA, "/build " + SHA + " now", "/builds", "/build 123456",
                "/build " + SHA + "0", "/build xyz1234", "", "\n/build " + SHA, "/build\u2028" + SHA)) {
            assertEquals(new ForkApprovals.Approval.NotACommand(), approvals.approve(comment(pr, "octocat", "OWNER", SHA, body)), body);
        }
        assertEquals(Set.of("app"), store.held("github", pr.repository(), 10).triggers(), "still held");
    }

    @Test
    void aRefusal_quotesTheAuthor_withLineBreakingCharactersEscaped() {
        Trigger app = trigger("app");
        PullRequest pr = fork("gitea", 11, SHA);
        ForkApprovals approvals = approvals(app);
        approvals.hold(app, pr, "pull/11");
        ForkApprovals.Approval refused = approvals.approve(comment(pr, "eve\nINFO approved by admin", null, null, "/build " + SHA));
        String reason = ((ForkApprovals.Approval.Refused) refused).reason();
        assertTrue(reason.startsWith("/build by eve\\u000aINFO approved by admin is not an approval"), reason);
        assertFalse(reason.contains("\n"), reason);
    }

    @Test
    void concurrentApprovals_buildOnce() throws Exception {
        Trigger app = trigger("app");
        ForkApprovals approvals = approvals(app);
        PullRequest pr = fork("github", 13, SHA);
        approvals.hold(app, pr, "pull/13");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<ForkApprovals.Approval>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                answers.add(pool.submit(() -> approvals.approve(comment(pr, "octocat", "MEMBER", null, "/build " + SHA))));
            }
            int approved = 0;
            for (Future<ForkApprovals.Approval> answer : answers) {
                approved += answer.get() instanceof ForkApprovals.Approval.Approved ? 1 : 0;
            }
            assertEquals(1, approved);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentHoldsOfOneCommit_forManyTriggers_allStayHeld() throws Exception {
        PullRequest pr = fork("github", 15, SHA);
        List<Trigger> triggers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            triggers.add(trigger("app-" + i));
        }
        ForkApprovals approvals = approvals(triggers.toArray(Trigger[]::new));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<TriggeredBuild>> held = new ArrayList<>();
            for (Trigger each : triggers) {
                held.add(pool.submit(() -> approvals.hold(each, pr, "pull/15")));
            }
            for (Future<TriggeredBuild> each : held) {
                assertEquals(TriggeredBuild.HELD, each.get().status());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(8, store.held("github", pr.repository(), 15).triggers().size());
    }

    @Test
    void withoutATable_aForkIsNotBuilt_andNothingIsApproved() {
        Trigger app = trigger("app");
        ForkApprovals none = new ForkApprovals(() -> null, name -> Optional.of(app), List.of());
        PullRequest pr = fork("github", 14, SHA);
        TriggeredBuild answer = none.hold(app, pr, "pull/14");
        assertEquals(TriggeredBuild.SKIPPED, answer.status());
        assertTrue(answer.reason().contains("buildpush.idempotency.table"), answer.reason());
        assertEquals(new ForkApprovals.Approval.Refused("nothing is held for pull request #14"),
                none.approve(comment(pr, "octocat", "OWNER", null, "/build " + SHA)));
    }
}
