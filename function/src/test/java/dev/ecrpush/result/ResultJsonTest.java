package dev.ecrpush.result;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.executor.codebuild.ProjectCheck;
import dev.ecrpush.executor.ecs.EcsCheck;
import dev.ecrpush.flow.ScheduledRebuilds;
import dev.ecrpush.flow.TriggeredBuild;
import dev.ecrpush.flow.WebhookDeliveries;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.PhaseTimings;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.launch.StashedParameter;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.RepositoryCheck;
import dev.ecrpush.support.Fixtures;

/** The result JSON built from the records is byte for byte what Jackson writes for them. */
class ResultJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyResultOfEveryPlanFixture_isWhatJacksonWrites() {
        return Fixtures.files("plans").stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Plan plan = Fixtures.plan(Fixtures.read(file).get("payload"));
            for (Object result : results(plan)) {
                assertSame(result);
            }
        }));
    }

    @Test
    void statusResults_areWhatJacksonWrites() throws Exception {
        assertSame(new BuildStatusResult("p:0b6c5f1e-0000-4000-8000-000000000001", BuildStatusResult.Status.SUCCEEDED,
                "COMPLETED", List.of("r/app:1", "r/app:latest"), "sha256:" + "a".repeat(64), null));
        assertSame(new BuildStatusResult("arn:aws:ecs:us-east-1:111111111111:task/c/0123", BuildStatusResult.Status.FAILED,
                "STOPPED", List.of(), null, "Essential container in task exited (plugin: exit code 1)"));
        assertSame(new BuildStatusResult("p:0b6c5f1e-0000-4000-8000-000000000003", BuildStatusResult.Status.IN_PROGRESS,
                "BUILD", List.of("r/app:1"), null, null, List.of(),
                new PhaseTimings(2.0, 186.0, null, 4.0, 106.5, null, 110.5, null, 300.125)));
    }

    /** The parameters a build was started with are for deleting its OIDC token stash, never part of its status. */
    @Test
    void statusResult_leavesTheBuildsStashedParametersOut() throws Exception {
        BuildStatusResult result = new BuildStatusResult("p:0b6c5f1e-0000-4000-8000-000000000002", BuildStatusResult.Status.SUCCEEDED,
                "COMPLETED", List.of("r/app:1"), null, null,
                List.of(new StashedParameter("us-east-1", "/ecr-build-push/oidc-tokens/0123456789abcdef0123456789abcdef")));
        assertSame(result);
        String answer = JSON.writeValueAsString(ResultJson.tree(result, JSON));
        assertFalse(answer.contains("oidc-tokens") || answer.contains("stashed"), answer);
    }

    /** Issue 11: a failed build of a trigger carries its exception for the flow, never into the answer. */
    @Test
    void triggeredBuild_failed_leavesTheJsonIgnoredExceptionOut_asJacksonDoes() throws Exception {
        // given
        TriggeredBuild build = TriggeredBuild.failed("app", "refs/heads/main",
                new LaunchFailedException("codebuild.StartBuild failed for project p"));
        // when
        JsonNode tree = ResultJson.tree(build, JSON);
        // then
        assertFalse(tree.has("failure"), tree::toString);
        assertSame(build);
    }

    /** The answers of the event entry point (a schedule, a build's end) go through the same writer. */
    @Test
    void eventAnswers_areWhatJacksonWrites() throws Exception {
        TriggeredBuild started = new TriggeredBuild("app", null, "STARTED", null, null, null);
        assertSame(new ScheduledRebuilds.Answer(ScheduledRebuilds.Status.ACCEPTED, "nightly", "e-1", null, List.of(started)));
        assertSame(new ScheduledRebuilds.Answer(ScheduledRebuilds.Status.NO_MATCH, "weekly", "e-2",
                "no trigger names schedule weekly", null));
        assertSame(new TaskCompletions.Answer(TaskCompletions.Status.TASK_FAILED, "p:1", "FAILED in phase BUILD"));
    }

    /** A webhook's answer, with a started build, a failed one and a ref nothing matched. */
    @Test
    void webhookAnswers_areWhatJacksonWrites() throws Exception {
        TriggeredBuild failed = TriggeredBuild.failed("app", "refs/heads/main", new LaunchFailedException("refused"));
        TriggeredBuild started = new TriggeredBuild("app-debug", "refs/heads/main", "STARTED", null, null, null);
        assertSame(new WebhookDeliveries.Delivery(WebhookDeliveries.Status.ACCEPTED, "github", "push", "d-1", "acme/app",
                List.of(new WebhookDeliveries.RefOutcome("refs/heads/main", null, "9f1c2d3", null, List.of(started, failed)),
                        new WebhookDeliveries.RefOutcome("refs/tags/v1", true, null, "the push deleted the tag", null)),
                null));
        assertSame(WebhookDeliveries.Delivery.rejected("the delivery carries no signature or token"));
    }

    private static List<Object> results(Plan plan) {
        List<Object> results = new ArrayList<>();
        results.add(StepResult.planned(plan));
        List<RepositoryCheck> checks = plan.repositories().stream()
                .map(r -> new RepositoryCheck(r.name(), r.purpose(), r.name().length() % 2 == 0)).toList();
        results.add(StepResult.preflightOk(plan, checks, new ProjectCheck("ecr-build-push",
                "arn:aws:codebuild:us-east-1:111111111111:project/ecr-build-push", null)));
        results.add(StepResult.preflightOk(plan, checks, new EcsCheck("arn:aws:ecs:us-east-1:111111111111:cluster/c",
                "ACTIVE", "ecr-build-push-0123", null)));
        results.add(StepResult.started(plan, new LaunchResult("p:1", "arn:aws:codebuild:us-east-1:111111111111:build/p:1",
                "https://console.aws.amazon.com/x"), true));
        return results;
    }

    private static void assertSame(Object result) throws Exception {
        assertEquals(JSON.writeValueAsString(result), JSON.writeValueAsString(ResultJson.tree(result, JSON)),
                result.getClass().getSimpleName());
    }
}
