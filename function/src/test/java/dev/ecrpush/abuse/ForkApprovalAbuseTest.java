package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import dev.ecrpush.flow.ForkApprovals;
import dev.ecrpush.flow.ForkApprovals.Approval;
import dev.ecrpush.flow.TriggeredBuild;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.idempotency.ForkHoldStore;
import dev.ecrpush.idempotency.IdempotencyTable;
import dev.ecrpush.support.DynamoDbLocal;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.PullRequestOptions;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerEvent;

/**
 * A pull request from a fork is code nobody of the repository has read: it is built only after an approver's
 * {@code /build} names its head commit, once. Each case is one way around that, against DynamoDB Local: what the
 * approval answers, and that the request stays held (or used up) in the table.
 */
class ForkApprovalAbuseTest {
    private static final String TABLE = "fork-approval-abuse";
    private static final String REVIEWED = "3f2a9c1e0b4d5a6978877665544332211ffeedcc";
    private static final String PUSHED_AFTER_REVIEW = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d";

    private static DynamoDbLocal dynamoDb;
    private static DynamoDbClient client;
    private static ForkHoldStore store;

    /** A trigger whose own approver list names {@code maintainer}. */
    private static final Trigger APP = new Trigger("app", null, "acme/app", List.of(RefPattern.of("main")), List.of(), List.of(),
            Fixtures.JSON.createObjectNode(), null, null, false, Set.of(TriggerEvent.PULL_REQUEST),
            new PullRequestOptions(PullRequestOptions.DEFAULT_TAGS, List.of(), List.of(), List.of("maintainer")), null, false);
    private static ForkApprovals approvals;

    @BeforeAll
    static void start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        client = dynamoDb.client();
        store = new ForkHoldStore(new IdempotencyTable(client, TABLE, Duration.ofDays(7), Duration.ofMinutes(2), Clock.systemUTC()));
        approvals = new ForkApprovals(() -> store, name -> name.equals(APP.name()) ? Optional.of(APP)
                : Optional.empty(), List.of("release-manager"));
    }

    @AfterAll
    static void stop() {
        client.close();
        dynamoDb.close();
    }

    /** A request from the fork mallory/app, held for {@link #APP}, in a repository of its own. */
    private static PullRequest held(String host, int number, String sha) {
        PullRequest pr = new PullRequest(host, "acme/app-" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE), number,
                "mallory/app", "https://example.com/mallory/app.git", "feature", "main", sha, "mallory", "Innocent change");
        TriggeredBuild answer = approvals.hold(APP, pr, "pull/" + number);
        assertEquals(TriggeredBuild.HELD, answer.status());
        return pr;
    }

    private static WebhookEvent.PullRequestComment comment(PullRequest pr, int number, String author, String association,
            String onCommit, String body) {
        return new WebhookEvent.PullRequestComment("comment", pr.host(), pr.repository(), number, author, association, onCommit, body);
    }

    private static void stillHeld(PullRequest pr, String sha) {
        ForkHoldStore.Held held = store.held(pr.host(), pr.repository(), pr.number());
        assertNotNull(held, "the request is no longer held");
        assertEquals(sha, held.pullRequest().headSha());
        assertEquals(Set.of("app"), held.triggers());
    }

    @Test
    void aNonMembersBuild_buildsNothing() {
        PullRequest pr = held("github", 21, REVIEWED);
        for (String association : List.of("CONTRIBUTOR", "FIRST_TIME_CONTRIBUTOR", "FIRST_TIMER", "NONE", "MANNEQUIN")) {
            Approval answer = approvals.approve(comment(pr, 21, "mallory", association, REVIEWED, "/build " + REVIEWED));
            Approval.Refused refused = assertInstanceOf(Approval.Refused.class, answer, association);
            assertTrue(refused.reason().startsWith("/build by mallory is not an approval"), refused.reason());
        }
        stillHeld(pr, REVIEWED);
    }

    @Test
    void aMemberApprovingTheReviewedSha_afterANewPushToTheFork_buildsNothing() {
        PullRequest pr = held("github", 22, REVIEWED);
        approvals.hold(APP, new PullRequest(pr.host(), pr.repository(), 22, pr.headRepository(), pr.headCloneUrl(), pr.sourceBranch(),
                pr.targetBranch(), PUSHED_AFTER_REVIEW, "mallory", pr.title()), "pull/22");
        Approval byName = approvals.approve(comment(pr, 22, "octocat", "MEMBER", null, "/build " + REVIEWED));
        assertEquals(new Approval.Refused("/build on pull request #22 names " + REVIEWED + ", but the commit held is "
                + PUSHED_AFTER_REVIEW + ": a newer push must be approved again (/build " + PUSHED_AFTER_REVIEW + "); nothing built"),
                byName);
        Approval onTheOldCommit = approvals.approve(comment(pr, 22, "octocat", "OWNER", REVIEWED, "/build"));
        assertInstanceOf(Approval.Refused.class, onTheOldCommit);
        stillHeld(pr, PUSHED_AFTER_REVIEW);
    }

    @Test
    void anApprovalOfAnotherPullRequest_doesNotReleaseThisOne() {
        PullRequest pr = held("github", 23, REVIEWED);
        Approval answer = approvals.approve(comment(pr, 24, "octocat", "MEMBER", null, "/build " + REVIEWED));
        assertEquals(new Approval.Refused("nothing is held for pull request #24"), answer);
        stillHeld(pr, REVIEWED);
    }

    @Test
    void onHostsThatReportNoAssociation_onlyTheConfiguredApproversApprove() {
        for (String host : List.of("gitlab", "bitbucket", "gitea")) {
            PullRequest pr = held(host, 25, REVIEWED);
            Approval answer = approvals.approve(comment(pr, 25, "mallory", null, REVIEWED, "/build " + REVIEWED));
            assertInstanceOf(Approval.Refused.class, answer, host);
            stillHeld(pr, REVIEWED);
            assertInstanceOf(Approval.Approved.class, approvals.approve(comment(pr, 25, "Maintainer", null, null, "/build " + REVIEWED)),
                    host + ": the trigger's approver");
            PullRequest again = held(host, 26, REVIEWED);
            assertInstanceOf(Approval.Approved.class, approvals.approve(comment(again, 26, "release-manager", null, REVIEWED, "/build")),
                    host + ": the deployer's approver");
        }
    }

    @Test
    void anApproval_cannotBeUsedTwice() {
        PullRequest pr = held("github", 27, REVIEWED);
        WebhookEvent.PullRequestComment approval = comment(pr, 27, "octocat", "MEMBER", null, "/build " + REVIEWED);
        assertEquals(new Approval.Approved(pr, List.of("app")), approvals.approve(approval));
        assertEquals(new Approval.Refused("nothing is held for pull request #27"), approvals.approve(approval), "a redelivery");
    }
}
