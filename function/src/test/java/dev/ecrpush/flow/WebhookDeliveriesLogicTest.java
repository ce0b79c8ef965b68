package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.lenient;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.mockito.ArgumentCaptor;
import org.mockito.Mock;
import org.mockito.Mockito;
import org.mockito.junit.jupiter.MockitoExtension;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecretSource;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.WebhookSigning;
import dev.ecrpush.trigger.PushFilters;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSource;

/**
 * One webhook delivery's decisions, with the real Git hosts (GitHub's recorded payloads, signed with the
 * test-only secret) and the test trigger set, while the secrets, the trigger source and the runs are mocked: what
 * is refused before anything is read, what is answered without a build, and what is built.
 */
@ExtendWith(MockitoExtension.class)
class WebhookDeliveriesLogicTest {
    /** The host's own delivery header: not signed, so it identifies nothing. */
    private static final String HOST_DELIVERY = "f1e2d3c4-b5a6-4789-8abc-def012345678";
    private static final String COMMIT = "6113728f27ae82c7b1a177c8d03f9e96e0adf246";
    private static final String MASTER = "refs/heads/master";
    private static final TriggerSet TEST_SET = Fixtures.triggers("plan-triggers.json");

    @Mock
    WebhookSecretSource secrets;
    @Mock
    TriggerSource triggers;
    @Mock
    TriggeredRuns runs;
    @Mock
    PullRequestDeliveries pullRequests;
    @Mock
    ServiceConfig config;
    @Mock
    ServiceConfig.Webhooks webhooks;

    private WebhookDeliveries deliveries;

    @BeforeEach
    void setUp() {
        when(config.webhooks()).thenReturn(webhooks);
        when(webhooks.timestampTolerance()).thenReturn(Duration.ofMinutes(5));
        when(webhooks.maxBuildsPerDelivery()).thenReturn(10);
        deliveries = new WebhookDeliveries(new GitHostRegistry(), secrets, triggers, runs, superseded(), Fixtures.JSON, config,
                pullRequests);
    }

    /** None of the test set's triggers cancels superseded builds: each build is just submitted. */
    private static SupersededBuilds superseded() {
        return new SupersededBuilds(Mockito.mock(IdempotencyTables.class), null);
    }

    /** A GitHub delivery; no signature header when {@code signature} is null. */
    private static WebhookRequest github(String event, byte[] body, String signature) {
        Map<String, String> headers = new HashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("X-GitHub-Event", event);
        headers.put("X-GitHub-Delivery", HOST_DELIVERY);
        if (signature != null) {
            headers.put("X-Hub-Signature-256", signature);
        }
        return new WebhookRequest(headers, body);
    }

    /** Signed with the test-only secret the mocked source hands out. */
    private static WebhookRequest signed(String event, byte[] body) {
        return github(event, body, WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body));
    }

    private static byte[] pushTo(String branch) {
        return new String(WebhookSigning.recorded("github-push-branch.json"), StandardCharsets.UTF_8)
                .replace("\"ref\": \"refs/heads/master\"", "\"ref\": \"refs/heads/" + branch + "\"")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The test set and a second trigger of the same repository and branch. */
    private static TriggerSet twoTriggersOnMaster() {
        Trigger helloWorld = TEST_SET.triggers().stream().filter(t -> t.name().equals("hello-world")).findFirst().orElseThrow();
        List<Trigger> all = new ArrayList<>(TEST_SET.triggers());
        all.add(new Trigger("hello-world-arm", "github", "Codertocat/Hello-World", List.of(RefPattern.of("master")), List.of(),
                List.of(), helloWorld.payload()));
        return new TriggerSet(all);
    }

    private static TriggeredBuild started(String trigger) {
        return new TriggeredBuild(trigger, MASTER, "STARTED", Fixtures.JSON.createObjectNode(), null, null);
    }

    @Test
    void unknownHost_is404_andReadsNothing() {
        // given
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("jenkins", signed("push", body));
        // then
        assertEquals(404, answer.status());
        assertEquals(WebhookDeliveries.Status.REJECTED, answer.body().status());
        assertTrue(answer.body().reason().contains("/webhooks/github"), answer.body().reason());
        assertFalse(answer.body().reason().contains("jenkins"), answer.body().reason());
        verifyNoInteractions(secrets, triggers, runs);
    }

    @Test
    void unsignedDelivery_is401_andReadsNoSecret() {
        // given: the secrets are there if asked for, so only the check below tells whether they were
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        lenient().when(secrets.current()).thenReturn(WebhookSigning.secrets());
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", github("push", body, null));
        // then
        assertEquals(401, answer.status());
        assertEquals(WebhookDeliveries.Status.REJECTED, answer.body().status());
        assertEquals("the delivery carries no signature or token", answer.body().reason());
        verifyNoInteractions(secrets, triggers, runs);
    }

    @Test
    void deliverySignedWithAnotherSecret_is401_andNothingPastVerificationIsRead() {
        // given
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github",
                github("push", body, WebhookSigning.hubSignature("not-the-secret", body)));
        // then
        assertEquals(401, answer.status());
        assertEquals(WebhookDeliveries.Status.REJECTED, answer.body().status());
        assertNull(answer.body().event(), "a refused delivery is not read");
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void tamperedBody_is401_andNothingPastVerificationIsRead() {
        // given
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String signature = WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body);
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", github("push", WebhookSigning.tampered(body), signature));
        // then
        assertEquals(401, answer.status());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void ping_is200Pong_andReadsNoTrigger() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        byte[] ping = WebhookSigning.recorded("github-ping.json");
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", signed("ping", ping));
        // then: the delivery named by its signed body, not by the host's header
        assertEquals(200, answer.status());
        assertEquals(new WebhookDeliveries.Delivery(WebhookDeliveries.Status.PONG, "github", "ping", DeliveryId.ofBody(ping).value(),
                null, null, null), answer.body());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void eventThatIsNoPush_isIgnored_andReadsNoTrigger() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github",
                signed("issues", WebhookSigning.recorded("github-push-branch.json")));
        // then
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.IGNORED, answer.body().status());
        assertEquals("only push, pull_request and issue_comment events are read", answer.body().reason());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void signedBodyThatIsNoJson_isInvalidStep_withoutQuotingIt() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        byte[] body = "ref=refs/heads/master&token=abc123".getBytes(StandardCharsets.UTF_8);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> deliveries.handle("github", signed("push", body)));
        // then
        assertTrue(e.getMessage().startsWith("body: is not valid JSON (line 1, column "), e.getMessage());
        assertFalse(e.getMessage().contains("abc123"), e.getMessage());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void pushNoTriggerWatches_is202NoMatch_withTheRefsReason_andSubmitsNothing() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(TriggerSet.EMPTY);
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github",
                signed("push", WebhookSigning.recorded("github-push-branch.json")));
        // then
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.NO_MATCH, answer.body().status());
        assertEquals("no trigger watches github repository Codertocat/Hello-World", answer.body().reason());
        assertEquals(List.of(new WebhookDeliveries.RefOutcome(MASTER, null, COMMIT,
                "no trigger watches github repository Codertocat/Hello-World", null)), answer.body().refs());
        verifyNoInteractions(runs);
    }

    @Test
    void pushToABranchNoTriggerMatches_is202NoMatch_namingTheBranch() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(TEST_SET);
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", signed("push", pushTo("feature-x")));
        // then
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.NO_MATCH, answer.body().status());
        assertEquals("no trigger of Codertocat/Hello-World matches branch feature-x", answer.body().reason());
        verifyNoInteractions(runs);
    }

    @Test
    void deletedTag_buildsNothing_andSaysSo() {
        // given: the trigger watches v* tags, and the push deleted simple-tag
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(TEST_SET);
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github",
                signed("push", WebhookSigning.recorded("github-push-tag-deleted.json")));
        // then
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.NO_MATCH, answer.body().status());
        assertEquals(List.of(new WebhookDeliveries.RefOutcome("refs/tags/simple-tag", true, null, "the push deleted the tag", null)),
                answer.body().refs());
        assertEquals("the push deleted the tag", answer.body().reason());
        verifyNoInteractions(runs);
    }

    @Test
    void everyMatchingTrigger_isSubmittedOnce_asAWebhookRun_keyedByTheSignedBody() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(twoTriggersOnMaster());
        when(runs.submit(eq("hello-world"), any(), any(), any(), any())).thenReturn(started("hello-world"));
        when(runs.submit(eq("hello-world-arm"), any(), any(), any(), any())).thenReturn(started("hello-world-arm"));
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        String delivery = DeliveryId.ofBody(body).value();
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", signed("push", body));
        // then
        ArgumentCaptor<ObjectNode> first = ArgumentCaptor.forClass(ObjectNode.class);
        ArgumentCaptor<ObjectNode> second = ArgumentCaptor.forClass(ObjectNode.class);
        verify(runs).submit(eq("hello-world"), eq(MASTER), first.capture(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        verify(runs).submit(eq("hello-world-arm"), eq(MASTER), second.capture(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        verifyNoMoreInteractions(runs);
        assertEquals("github/" + delivery + "/hello-world/refs/heads/master", first.getValue().get("idempotencyKey").asText());
        assertEquals("github/" + delivery + "/hello-world-arm/refs/heads/master",
                second.getValue().get("idempotencyKey").asText());
        assertFalse(first.getValue().toString().contains(HOST_DELIVERY), "the unsigned delivery header was used");
        assertEquals(Fixtures.JSON.createObjectNode().put("repoUrl", "https://github.com/Codertocat/Hello-World.git")
                .put("branch", "master").put("commitSha", COMMIT), first.getValue().get("codebase"));
        assertEquals(202, answer.status());
        assertEquals(new WebhookDeliveries.Delivery(WebhookDeliveries.Status.ACCEPTED, "github", "push", delivery,
                "Codertocat/Hello-World", List.of(new WebhookDeliveries.RefOutcome(MASTER, null, COMMIT, null,
                        List.of(started("hello-world"), started("hello-world-arm")))), null), answer.body());
    }

    @Test
    void matchesBeyondTheLimit_areSkipped_inTheTriggerSetsOrder_withTheReason_andNotSubmitted() {
        // given: a limit of one build per delivery, and two triggers on the pushed branch
        when(webhooks.maxBuildsPerDelivery()).thenReturn(1);
        WebhookDeliveries limited = new WebhookDeliveries(new GitHostRegistry(), secrets, triggers, runs, superseded(), Fixtures.JSON,
                config, pullRequests);
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(twoTriggersOnMaster());
        when(runs.submit(eq("hello-world"), any(), any(), any(), any())).thenReturn(started("hello-world"));
        // when
        WebhookDeliveries.Answer answer = limited.handle("github", signed("push", WebhookSigning.recorded("github-push-branch.json")));
        // then: the first trigger runs, the second is reported and never submitted
        verify(runs).submit(eq("hello-world"), eq(MASTER), any(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        verifyNoMoreInteractions(runs);
        assertEquals(202, answer.status());
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        assertEquals(List.of(started("hello-world"), TriggeredBuild.skipped("hello-world-arm", MASTER,
                "this delivery already asked for 1 builds, the most buildpush.webhooks.max-builds-per-delivery allows")),
                answer.body().refs().get(0).builds());
    }

    /** The test set's hello-world trigger, and one of the same branch with these filters. */
    private static TriggerSet withFilteredTrigger(PushFilters filters) {
        Trigger helloWorld = TEST_SET.triggers().stream().filter(t -> t.name().equals("hello-world")).findFirst().orElseThrow();
        return new TriggerSet(List.of(new Trigger("filtered", "github", "Codertocat/Hello-World", List.of(RefPattern.of("master")),
                List.of(), List.of(), helloWorld.payload(), Narrowing.NONE, filters)));
    }

    private static PushFilters filters(List<RefPattern> paths, List<String> excludeActors) {
        return new PushFilters(List.of(), List.of(), paths, List.of(), List.of(), excludeActors, PushFilters.DEFAULT_SKIP_MESSAGES);
    }

    @Test
    void triggerFilteredOut_isReportedAsFiltered_namingTheFilter_andNothingIsSubmitted() {
        // given: the only matching trigger leaves out the recorded pusher
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(withFilteredTrigger(filters(List.of(), List.of("codertocat"))));
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", signed("push", body));
        // then: no run at all (so no AWS call, nothing remembered), and the answer says which filter
        verifyNoInteractions(runs);
        assertEquals(202, answer.status());
        String reason = "excludeActors: Codertocat is one of them";
        assertEquals(new WebhookDeliveries.Delivery(WebhookDeliveries.Status.FILTERED, "github", "push",
                DeliveryId.ofBody(body).value(), "Codertocat/Hello-World", List.of(new WebhookDeliveries.RefOutcome(MASTER, null,
                        COMMIT, null, List.of(TriggeredBuild.filtered("filtered", MASTER, reason)))), reason), answer.body());
    }

    @Test
    void headCommitSayingSkipCi_isFilteredByDefault() {
        // given: the recorded push, its head commit's message marked
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(twoTriggersOnMaster());
        byte[] body = new String(WebhookSigning.recorded("github-push-branch.json"), StandardCharsets.UTF_8)
                .replace("\"message\": \"Initial commit\"", "\"message\": \"Initial commit [skip ci]\"").getBytes(StandardCharsets.UTF_8);
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github", signed("push", body));
        // then
        verifyNoInteractions(runs);
        assertEquals(WebhookDeliveries.Status.FILTERED, answer.body().status());
        assertEquals(List.of("FILTERED", "FILTERED"), answer.body().refs().get(0).builds().stream().map(TriggeredBuild::status).toList());
        assertEquals("skipMessages: the head commit's message contains [skip ci]", answer.body().reason());
    }

    @Test
    void pathsFilter_leavesOutAPushChangingOtherFiles_andBuildsWhenTheFilesAreUnknown_sayingWhy() {
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(withFilteredTrigger(filters(List.of(RefPattern.of("src/**")), List.of())));
        // when: the recorded push changes README.md only
        WebhookDeliveries.Answer filtered = deliveries.handle("github", signed("push", WebhookSigning.recorded("github-push-branch.json")));
        // then
        assertEquals(List.of(TriggeredBuild.filtered("filtered", MASTER, "paths: none of the 1 changed file(s) matches")),
                filtered.body().refs().get(0).builds());
        verifyNoInteractions(runs);
        // when: a push that lists no commits, so which files changed cannot be told
        when(runs.submit(eq("filtered"), any(), any(), any(), any())).thenReturn(started("filtered"));
        byte[] noCommits = new String(WebhookSigning.recorded("github-push-branch.json"), StandardCharsets.UTF_8)
                .replaceFirst("\"commits\": \\[", "\"commits\": [], \"listedCommits\": [").getBytes(StandardCharsets.UTF_8);
        WebhookDeliveries.Answer built = deliveries.handle("github", signed("push", noCommits));
        // then: built, with the reason in the answer
        verify(runs).submit(eq("filtered"), eq(MASTER), any(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        assertEquals(WebhookDeliveries.Status.ACCEPTED, built.body().status());
        assertEquals(List.of(started("filtered").withNote("changed files unknown: the push lists no commits (its commits were already in"
                + " the repository); built")), built.body().refs().get(0).builds());
    }

    @Test
    void filteredTriggers_doNotCountTowardsTheBuildLimit() {
        // given: a limit of one build, a filtered trigger first, then one that builds
        when(webhooks.maxBuildsPerDelivery()).thenReturn(1);
        WebhookDeliveries limited = new WebhookDeliveries(new GitHostRegistry(), secrets, triggers, runs, superseded(), Fixtures.JSON,
                config, pullRequests);
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        List<Trigger> all = new ArrayList<>(withFilteredTrigger(filters(List.of(), List.of("Codertocat"))).triggers());
        all.addAll(TEST_SET.triggers());
        when(triggers.current()).thenReturn(new TriggerSet(all));
        when(runs.submit(eq("hello-world"), any(), any(), any(), any())).thenReturn(started("hello-world"));
        // when
        WebhookDeliveries.Answer answer = limited.handle("github", signed("push", WebhookSigning.recorded("github-push-branch.json")));
        // then
        verify(runs).submit(eq("hello-world"), eq(MASTER), any(), eq(TriggerType.WEBHOOK), eq(Narrowing.NONE));
        verifyNoMoreInteractions(runs);
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        assertEquals(List.of(TriggeredBuild.filtered("filtered", MASTER, "excludeActors: Codertocat is one of them"),
                started("hello-world")), answer.body().refs().get(0).builds());
    }

    @Test
    void secretThatCannotBeRead_isTheTypedFailure_andNothingIsReadOrRun() {
        // given
        InternalErrorException unreadable = new InternalErrorException("PermissionDeniedException: secretsmanager:GetSecretValue ...");
        when(secrets.current()).thenThrow(unreadable);
        byte[] body = WebhookSigning.recorded("github-push-branch.json");
        // when
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> deliveries.handle("github", signed("push", body)));
        // then: a 5xx the route answers as {errorType, errorMessage}, never a refusal of the sender
        assertSame(unreadable, e);
        assertEquals(500, e.httpStatus());
        verifyNoInteractions(triggers, runs);
    }

    @Test
    void oneBuildFailed_theDeliveryAnswersWithItsHttpStatus_andListsEveryBuild() {
        // given
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(twoTriggersOnMaster());
        TriggeredBuild refused = TriggeredBuild.failed("hello-world", MASTER, new LaunchFailedException("refused"));
        when(runs.submit(eq("hello-world"), any(), any(), any(), any())).thenReturn(refused);
        when(runs.submit(eq("hello-world-arm"), any(), any(), any(), any())).thenReturn(started("hello-world-arm"));
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github",
                signed("push", WebhookSigning.recorded("github-push-branch.json")));
        // then
        assertEquals(502, answer.status());
        assertEquals(WebhookDeliveries.Status.ACCEPTED, answer.body().status());
        assertEquals(List.of(refused, started("hello-world-arm")), answer.body().refs().get(0).builds());
    }

    @Test
    void severalBuildsFailed_theDeliveryAnswersWithTheRetryableFailuresStatus() {
        // given: a refused launch (502, not retryable) before a throttled one (429, retryable)
        when(secrets.current()).thenReturn(WebhookSigning.secrets());
        when(triggers.current()).thenReturn(twoTriggersOnMaster());
        when(runs.submit(eq("hello-world"), any(), any(), any(), any()))
                .thenReturn(TriggeredBuild.failed("hello-world", MASTER, new LaunchFailedException("refused")));
        when(runs.submit(eq("hello-world-arm"), any(), any(), any(), any()))
                .thenReturn(TriggeredBuild.failed("hello-world-arm", MASTER, new ThrottledException("throttled")));
        // when
        WebhookDeliveries.Answer answer = deliveries.handle("github",
                signed("push", WebhookSigning.recorded("github-push-branch.json")));
        // then: the host retries the delivery on a 429; the started builds would come back as duplicates
        assertEquals(429, answer.status());
    }

    @Test
    void worst_isTheFirstRetryableFailure_elseTheFirstFailure_elseNone() {
        // given
        LaunchFailedException refused = new LaunchFailedException("refused");
        LaunchFailedException refusedToo = new LaunchFailedException("refused too");
        ThrottledException throttled = new ThrottledException("throttled");
        ThrottledException throttledToo = new ThrottledException("throttled too");
        TriggeredBuild ok = started("ok");
        // when / then
        assertSame(throttled, TriggeredBuild.worst(List.of(ok, TriggeredBuild.failed("a", MASTER, refused),
                TriggeredBuild.failed("b", MASTER, throttled), TriggeredBuild.failed("c", MASTER, throttledToo))));
        assertSame(refused, TriggeredBuild.worst(List.of(ok, TriggeredBuild.failed("a", MASTER, refused),
                TriggeredBuild.failed("b", MASTER, refusedToo))));
        assertNull(TriggeredBuild.worst(List.of(ok, started("ok too"))));
        assertNull(TriggeredBuild.worst(List.of()));
    }
}
