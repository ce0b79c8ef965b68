package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.Mockito;
import org.mockito.junit.jupiter.MockitoExtension;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecretSource;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.githost.WebhookEvent.PullRequestChange.Action;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;
import dev.ecrpush.trigger.PullRequestOptions;
import dev.ecrpush.trigger.PushFilters;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerEvent;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSource;

/**
 * The decisions about one pull request delivery: which triggers build a request (its base repository, its target
 * branch, the events and filters), what a request from a fork does instead (held, nothing asked of AWS), what an
 * approval builds, and what closing it does; with the trigger source, the runs, the fork approvals and the pull
 * request images mocked.
 */
@ExtendWith(MockitoExtension.class)
class PullRequestDeliveriesLogicTest {
    private static final String SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
    private static final String REF = "pull/2";
    private static final DeliveryId DELIVERY = DeliveryId.ofSignedId("msg_2");
    private static final PullRequest PR = new PullRequest("github", "Codertocat/Hello-World", 2, "Codertocat/Hello-World",
            "https://github.com/Codertocat/Hello-World.git", "changes", "master", SHA, "Codertocat", "Update the README");
    private static final PullRequest FORK_PR = new PullRequest("github", "Codertocat/Hello-World", 2, "Octocoders/Hello-World",
            "https://github.com/Octocoders/Hello-World.git", "changes", "master", SHA, "Octocoders", "Update the README");
    private static final WebhookDeliveries.Delivery READ = new WebhookDeliveries.Delivery(null, "github", "pull_request",
            DELIVERY.value(), null, null, null);

    @Mock
    TriggerSource triggers;
    @Mock
    TriggeredRuns runs;
    @Mock
    ForkApprovals forkApprovals;
    @Mock
    PullRequestImages images;
    @Mock
    WebhookSecretSource secrets;
    @Mock
    ServiceConfig config;
    @Mock
    ServiceConfig.Webhooks webhooks;

    private PullRequestDeliveries deliveries;

    @BeforeEach
    void setUp() {
        when(config.webhooks()).thenReturn(webhooks);
        when(webhooks.maxBuildsPerDelivery()).thenReturn(10);
        deliveries = new PullRequestDeliveries(triggers, runs, forkApprovals, images, config);
    }

    private static Trigger trigger(String name, Set<TriggerEvent> events, PushFilters filters, PullRequestOptions options) {
        return new Trigger(name, "github", "codertocat/hello-world", List.of(RefPattern.of("master")), List.of(), List.of(),
                Fixtures.basePayload(), Narrowing.NONE, filters, false, events, options, null, false);
    }

    private static Trigger prTrigger(String name) {
        return trigger(name, Set.of(TriggerEvent.PULL_REQUEST), PushFilters.DEFAULT, PullRequestOptions.DEFAULT);
    }

    private static StepResult started(String build) {
        return new StepResult(StepResult.STARTED, "run", "codebuild", build, null, null, null, null, List.of(), null, null, null,
                List.of(), null, null);
    }

    private void set(Trigger... all) {
        when(triggers.current()).thenReturn(new TriggerSet(List.of(all)));
    }

    private void runsStart() {
        lenient().when(runs.submit(any(), eq(REF), any(), eq(TriggerType.WEBHOOK), any())).thenAnswer(call ->
                new TriggeredBuild(call.getArgument(0), REF, StepResult.STARTED, started("b-" + call.getArgument(0)), null, null));
    }

    private WebhookDeliveries.Answer change(Action action, PullRequest pr) {
        return deliveries.change(new WebhookEvent.PullRequestChange("pull_request", action, pr), DELIVERY, READ);
    }

    private static List<String> statuses(WebhookDeliveries.Answer answer) {
        return answer.body().refs().get(0).builds().stream().map(TriggeredBuild::status).toList();
    }

    // opened, updated, reopened

    @ParameterizedTest
    @EnumSource(value = Action.class, names = {"OPENED", "UPDATED", "REOPENED"})
    void requestOfTheRepository_buildsItsHeadCommit_withThePullRequestTags_andRemembersTheImages(Action action) {
        // given
        Trigger trigger = prTrigger("hello-prs");
        set(trigger);
        runsStart();
        // when
        WebhookDeliveries.Answer answer = change(action, PR);
        // then: one build, of the head commit, keyed by the delivery and the request
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        assertEquals("Codertocat/Hello-World", answer.body().repository());
        assertEquals(REF, answer.body().refs().get(0).ref());
        assertEquals(SHA, answer.body().refs().get(0).commitSha());
        ArgumentCaptor<ObjectNode> payload = ArgumentCaptor.forClass(ObjectNode.class);
        verify(runs).submit(eq("hello-prs"), eq(REF), payload.capture(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        assertEquals(SHA, payload.getValue().at("/codebase/commitSha").asText());
        assertEquals("https://github.com/Codertocat/Hello-World.git", payload.getValue().at("/codebase/repoUrl").asText());
        assertEquals(2, payload.getValue().at("/codebase/prNumber").asInt());
        assertEquals(Fixtures.JSON.valueToTree(PullRequestOptions.DEFAULT_TAGS), payload.getValue().at("/step/spec/tags"));
        assertEquals("github/webhook-id-msg_2/hello-prs/pull/2", payload.getValue().get("idempotencyKey").asText());
        // and its images remembered for the request's closing; nothing held
        verify(images).built(trigger, PR, started("b-hello-prs"));
        verifyNoInteractions(forkApprovals);
    }

    @Test
    void imagesThatCannotBeRemembered_leaveTheBuildStanding() {
        // given
        Trigger trigger = prTrigger("hello-prs");
        set(trigger);
        runsStart();
        doThrow(new IllegalStateException("table unavailable")).when(images).built(any(), any(), any());
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        // then
        assertEquals(202, answer.status());
        assertEquals(List.of("STARTED"), statuses(answer));
    }

    @Test
    void aBuildNotStarted_rememberesNoImages() {
        // given: a redelivery, whose build was the first delivery's
        set(prTrigger("hello-prs"));
        when(runs.submit(any(), any(), any(), any(), any())).thenReturn(new TriggeredBuild("hello-prs", REF, "DUPLICATE",
                started("b-1"), null, null));
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        // then
        assertEquals(List.of("DUPLICATE"), statuses(answer));
        verifyNoInteractions(images);
    }

    @Test
    void failedBuild_isTheAnswersStatus() {
        set(prTrigger("hello-prs"));
        when(runs.submit(any(), any(), any(), any(), any())).thenReturn(TriggeredBuild.failed("hello-prs", REF,
                new ThrottledException("CodeBuild throttled")));
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        assertEquals(new ThrottledException("x").httpStatus(), answer.status());
        verifyNoInteractions(images);
    }

    // what matches

    @Test
    void pushOnlyTrigger_ofTheSameRepositoryAndBranch_doesNotBuildPullRequests() {
        // given
        set(trigger("pushes", Set.of(TriggerEvent.PUSH), PushFilters.DEFAULT, PullRequestOptions.DEFAULT));
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        // then
        assertEquals(WebhookDeliveries.Status.NO_MATCH, answer.body().status());
        assertEquals("no trigger builds the pull requests of github repository Codertocat/Hello-World", answer.body().reason());
        verifyNoInteractions(runs, images, forkApprovals);
    }

    @Test
    void targetBranch_isWhatBranchesMatch_notTheSourceBranch() {
        // given: a request from master into develop
        set(prTrigger("hello-prs"));
        PullRequest intoDevelop = new PullRequest("github", "Codertocat/Hello-World", 3, "Codertocat/Hello-World",
                "https://github.com/Codertocat/Hello-World.git", "master", "develop", SHA, "Codertocat", null);
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, intoDevelop);
        // then
        assertEquals(WebhookDeliveries.Status.NO_MATCH, answer.body().status());
        assertEquals("no trigger of Codertocat/Hello-World builds pull requests into branch develop", answer.body().reason());
        verifyNoInteractions(runs);
    }

    @Test
    void triggerOfAnotherHost_doesNotMatch() {
        Trigger gitlab = new Trigger("gl", "gitlab", "Codertocat/Hello-World", List.of(RefPattern.of("master")), List.of(),
                List.of(), Fixtures.basePayload(), Narrowing.NONE, null, false, Set.of(TriggerEvent.PULL_REQUEST), null, null, false);
        set(gitlab);
        assertEquals(WebhookDeliveries.Status.NO_MATCH, change(Action.OPENED, PR).body().status());
        verifyNoInteractions(runs);
    }

    @Test
    void eachFilter_leavesTheRequestOut_namingItself() {
        // given: one trigger per filter, each leaving this request out
        PushFilters excludeMaster = new PushFilters(List.of(RefPattern.of("master")), List.of(), List.of(), List.of(), List.of(),
                List.of(), PushFilters.DEFAULT_SKIP_MESSAGES);
        PushFilters onlyAlice = new PushFilters(List.of(), List.of(), List.of(), List.of(), List.of("alice"), List.of(), List.of());
        PushFilters notCodertocat = new PushFilters(List.of(), List.of(), List.of(), List.of(), List.of(), List.of("codertocat"),
                List.of());
        Set<TriggerEvent> prs = Set.of(TriggerEvent.PULL_REQUEST);
        set(trigger("sources", prs, PushFilters.DEFAULT, new PullRequestOptions(PullRequestOptions.DEFAULT_TAGS,
                        List.of(RefPattern.of("feature/*")), List.of(), List.of())),
                trigger("excluded-source", prs, PushFilters.DEFAULT, new PullRequestOptions(PullRequestOptions.DEFAULT_TAGS, List.of(),
                        List.of(RefPattern.of("chan*")), List.of())),
                trigger("excluded-target", prs, excludeMaster, PullRequestOptions.DEFAULT),
                trigger("actors", prs, onlyAlice, PullRequestOptions.DEFAULT),
                trigger("exclude-actors", prs, notCodertocat, PullRequestOptions.DEFAULT));
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        // then
        assertEquals(WebhookDeliveries.Status.FILTERED, answer.body().status());
        assertEquals(List.of("pullRequests.sourceBranches: source branch changes matches none of them",
                "pullRequests.excludeSourceBranches: source branch changes matches chan*",
                "excludeBranches: target branch master matches master", "actors: Codertocat is not one of them",
                "excludeActors: Codertocat is one of them"),
                answer.body().refs().get(0).builds().stream().map(TriggeredBuild::reason).toList());
        assertEquals("pullRequests.sourceBranches: source branch changes matches none of them", answer.body().reason());
        verifyNoInteractions(runs, images, forkApprovals);
    }

    @Test
    void pathsFilter_cannotTellFromTheEvent_buildsWithANote() {
        // given
        PushFilters docsOnly = new PushFilters(List.of(), List.of(), List.of(RefPattern.of("docs/**")), List.of(), List.of(),
                List.of(), PushFilters.DEFAULT_SKIP_MESSAGES);
        set(trigger("docs", Set.of(TriggerEvent.PULL_REQUEST), docsOnly, PullRequestOptions.DEFAULT));
        runsStart();
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        // then
        TriggeredBuild build = answer.body().refs().get(0).builds().get(0);
        assertEquals("STARTED", build.status());
        assertEquals("changed files unknown: a pull request's event lists no changed files; built", build.note());
    }

    @Test
    void buildsPastTheLimit_areSkipped_andHoldsDoNotCount() {
        // given: a limit of 2 and three matching triggers
        when(webhooks.maxBuildsPerDelivery()).thenReturn(2);
        deliveries = new PullRequestDeliveries(triggers, runs, forkApprovals, images, config);
        set(prTrigger("a"), prTrigger("b"), prTrigger("c"));
        runsStart();
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, PR);
        // then
        assertEquals(List.of("STARTED", "STARTED", "SKIPPED"), statuses(answer));
        verify(runs, never()).submit(eq("c"), any(), any(), any(), any());
    }

    // forks

    @Test
    void requestFromAFork_isHeld_andNothingIsAskedOfAws() {
        // given
        Trigger trigger = prTrigger("hello-prs");
        set(trigger);
        TriggeredBuild held = new TriggeredBuild("hello-prs", REF, TriggeredBuild.HELD, "from a fork: /build " + SHA, null, null,
                null, null);
        when(forkApprovals.hold(trigger, FORK_PR, REF)).thenReturn(held);
        // when
        WebhookDeliveries.Answer answer = change(Action.OPENED, FORK_PR);
        // then
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        assertEquals(List.of(held), answer.body().refs().get(0).builds());
        verifyNoInteractions(runs, images);
    }

    @Test
    void requestFromAFork_thatTheFiltersLeaveOut_isNotHeld() {
        set(trigger("hello-prs", Set.of(TriggerEvent.PULL_REQUEST), PushFilters.DEFAULT, new PullRequestOptions(
                PullRequestOptions.DEFAULT_TAGS, List.of(), List.of(RefPattern.of("changes")), List.of())));
        assertEquals(WebhookDeliveries.Status.FILTERED, change(Action.OPENED, FORK_PR).body().status());
        verifyNoInteractions(runs, images, forkApprovals);
    }

    // closing

    @Test
    void closedRequest_deletesEachMatchingTriggersImages_andBuildsNothing() {
        // given
        Trigger a = prTrigger("a");
        Trigger b = prTrigger("b");
        set(a, b, trigger("pushes", Set.of(TriggerEvent.PUSH), PushFilters.DEFAULT, PullRequestOptions.DEFAULT));
        PullRequestImages.Cleanup cleanup = new PullRequestImages.Cleanup(List.of("app:pr-2", "app:pr-2-ec26c3e"), List.of());
        when(images.closed(a, PR)).thenReturn(cleanup);
        when(images.closed(b, PR)).thenThrow(new IllegalStateException("boom"));
        // when
        WebhookDeliveries.Answer answer = change(Action.CLOSED, PR);
        // then: what was deleted, and the failure, per trigger; the push-only trigger untouched
        List<TriggeredBuild> builds = answer.body().refs().get(0).builds();
        assertEquals(List.of("CLEANED_UP", "FAILED"), statuses(answer));
        assertEquals(cleanup, builds.get(0).result());
        assertEquals("InternalErrorException", builds.get(1).error().errorType());
        verify(images).closed(a, PR);
        verify(images).closed(b, PR);
        verifyNoMoreInteractions(images);
        verifyNoInteractions(runs, forkApprovals);
    }

    @Test
    void closedRequestFromAFork_deletesToo() {
        Trigger a = prTrigger("a");
        set(a);
        when(images.closed(a, FORK_PR)).thenReturn(new PullRequestImages.Cleanup(List.of(), List.of()));
        assertEquals(List.of("CLEANED_UP"), statuses(change(Action.CLOSED, FORK_PR)));
        verifyNoInteractions(runs, forkApprovals);
    }

    // comments

    private static WebhookEvent.PullRequestComment comment(String body) {
        return new WebhookEvent.PullRequestComment("issue_comment", "github", "Codertocat/Hello-World", 2, "Codertocat", "OWNER",
                null, body);
    }

    private WebhookDeliveries.Answer comment(WebhookEvent.PullRequestComment comment, DeliveryId delivery) {
        return deliveries.comment(comment, delivery, new WebhookDeliveries.Delivery(null, "github", "issue_comment",
                delivery.value(), null, null, null));
    }

    @Test
    void commentThatIsNoCommand_isIgnored() {
        when(forkApprovals.approve(comment("LGTM"))).thenReturn(new ForkApprovals.Approval.NotACommand());
        WebhookDeliveries.Answer answer = comment(comment("LGTM"), DELIVERY);
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.IGNORED, answer.body().status());
        assertEquals("Codertocat/Hello-World", answer.body().repository());
        verifyNoInteractions(runs, triggers, images);
    }

    @Test
    void refusedApproval_saysWhy_andBuildsNothing() {
        when(forkApprovals.approve(comment("/build"))).thenReturn(new ForkApprovals.Approval.Refused(
                "Codertocat may not approve builds"));
        WebhookDeliveries.Answer answer = comment(comment("/build"), DELIVERY);
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.NOT_APPROVED, answer.body().status());
        assertEquals("Codertocat may not approve builds", answer.body().reason());
        assertNull(answer.body().refs());
        verifyNoInteractions(runs, triggers, images);
    }

    @Test
    void approval_buildsTheHeldRequest_forTheTriggersThatStillMatch_keyedByTheComment() {
        // given: held for three triggers; one was removed since, one no longer matches (now push only)
        Trigger kept = prTrigger("kept");
        set(kept, trigger("push-now", Set.of(TriggerEvent.PUSH), PushFilters.DEFAULT, PullRequestOptions.DEFAULT));
        DeliveryId approvalDelivery = DeliveryId.ofSignedId("msg_approval");
        when(forkApprovals.approve(comment("/build " + SHA))).thenReturn(new ForkApprovals.Approval.Approved(FORK_PR,
                List.of("kept", "removed", "push-now")));
        when(runs.submit(any(), any(), any(), any(), any())).thenReturn(new TriggeredBuild("kept", REF, StepResult.STARTED,
                started("b-kept"), null, null));
        // when
        WebhookDeliveries.Answer answer = comment(comment("/build " + SHA), approvalDelivery);
        // then
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        List<TriggeredBuild> builds = answer.body().refs().get(0).builds();
        assertEquals(List.of("STARTED", "SKIPPED", "SKIPPED"), builds.stream().map(TriggeredBuild::status).toList());
        assertEquals(List.of("the trigger is no longer in the trigger set", "the trigger no longer matches the pull request"),
                new ArrayList<>(builds.subList(1, 3)).stream().map(TriggeredBuild::reason).toList());
        ArgumentCaptor<ObjectNode> payload = ArgumentCaptor.forClass(ObjectNode.class);
        verify(runs).submit(eq("kept"), eq(REF), payload.capture(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        assertEquals("https://github.com/Octocoders/Hello-World.git", payload.getValue().at("/codebase/repoUrl").asText());
        assertEquals("github/webhook-id-msg_approval/kept/pull/2", payload.getValue().get("idempotencyKey").asText());
        verify(images).built(kept, FORK_PR, started("b-kept"));
        verifyNoMoreInteractions(runs);
    }

    // through the deliveries: a recorded, signed event

    private WebhookDeliveries.Answer signedGithub(String event, String file) {
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(webhooks.timestampTolerance()).thenReturn(Duration.ofMinutes(5));
        byte[] body = WebhookSigning.recorded(file);
        return new WebhookDeliveries(new GitHostRegistry(), secrets, triggers, runs,
                new SupersededBuilds(Mockito.mock(IdempotencyTables.class), null), Fixtures.JSON, config, deliveries)
                .handle("github", new WebhookRequest(Map.of("X-GitHub-Event", event,
                        "X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body)), body));
    }

    @Test
    void recordedPullRequestOpened_isBuiltByThePullRequestTrigger_keyedByTheSignedBody() {
        // given
        set(prTrigger("hello-prs"), trigger("pushes", Set.of(TriggerEvent.PUSH), PushFilters.DEFAULT, PullRequestOptions.DEFAULT));
        runsStart();
        // when
        WebhookDeliveries.Answer answer = signedGithub("pull_request", "github-pull-request-opened.json");
        // then: the pull request trigger only
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        assertEquals("pull_request", answer.body().event());
        ArgumentCaptor<ObjectNode> payload = ArgumentCaptor.forClass(ObjectNode.class);
        verify(runs).submit(eq("hello-prs"), eq(REF), payload.capture(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        verifyNoMoreInteractions(runs);
        assertEquals("github/" + DeliveryId.ofBody(WebhookSigning.recorded("github-pull-request-opened.json")).value()
                + "/hello-prs/pull/2", payload.getValue().get("idempotencyKey").asText());
    }

    @Test
    void recordedPush_isNotBuiltByAPullRequestOnlyTrigger() {
        set(prTrigger("hello-prs"));
        WebhookDeliveries.Answer answer = signedGithub("push", "github-push-branch.json");
        assertEquals(WebhookDeliveries.Status.NO_MATCH, answer.body().status());
        verifyNoInteractions(runs, images, forkApprovals);
    }

    @Test
    void recordedCommentOnAPullRequest_isAskedOfTheForkApprovals() {
        when(forkApprovals.approve(any())).thenReturn(new ForkApprovals.Approval.NotACommand());
        WebhookDeliveries.Answer answer = signedGithub("issue_comment", "github-pull-request-comment.json");
        assertEquals(WebhookDeliveries.Status.IGNORED, answer.body().status());
        verify(forkApprovals).approve(new WebhookEvent.PullRequestComment("issue_comment", "github", "Codertocat/Hello-World", 1,
                "Codertocat", "OWNER", null, "/build"));
        verifyNoInteractions(runs, triggers);
    }
}
