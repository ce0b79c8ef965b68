package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFakeResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * SnapStart priming runs the real parse-plan-serialise path of the application, and touches neither AWS nor the
 * function's credentials: whatever it resolved would be frozen into the snapshot and shared by every restore.
 */
@QuarkusTest
@QuarkusTestResource(value = AwsFakeResource.class, restrictToAnnotatedClass = true)
class SnapStartPrimingTest {
    private final AtomicInteger resolved = new AtomicInteger();

    @InjectFake
    AwsFake aws;

    @Inject
    SnapStartPriming priming;

    @Inject
    StepService steps;

    @Inject
    EcsExecutor ecs;

    @BeforeEach
    void countCredentialResolutions() {
        AwsCredentialsProvider counting = new AwsCredentialsProvider() {
            @Override
            public AwsCredentials resolveCredentials() {
                resolved.incrementAndGet();
                return AwsBasicCredentials.create(AwsFake.FUNCTION_ACCESS_KEY, "function-role-secret");
            }
        };
        QuarkusMock.installMockForType(new AwsClients(AwsClients.Options.defaults().withFunctionCredentials(counting)),
                AwsClients.class);
        aws.reset();
    }

    @Test
    void beforeCheckpoint_plansTheBuiltInPayload_withoutCredentialsOrAwsCalls() {
        // when
        StepResult primed = priming.prime();
        priming.beforeCheckpoint(null);
        // then: a full plan (every stage of the plan path ran) and nothing reached AWS or resolved credentials
        assertEquals("PLANNED", primed.status());
        assertEquals("plugins/buildx-ecr:1.4.2", primed.pluginImage());
        assertEquals(List.of(), primed.warnings());
        assertTrue(primed.plan().get("env").has("PLUGIN_ASSUME_ROLE"), "the credentials mapping ran");
        assertTrue(primed.plan().get("startBuild").has("buildspecOverride"), "the launch request was built");
        assertEquals(0, resolved.get(), "credentials resolved during priming");
        assertEquals(List.of(), aws.calls(), "AWS called during priming");
    }

    @Test
    void runPathPriming_leavesNothingToRealRequests_aRunOfItsOwnTargetIsCold() throws Exception {
        // given: priming has run the run path (its CodeBuild payload's account, role, secret and repositories)
        KnownTargetScenario.stub(aws, false);
        priming.beforeCheckpoint(null);
        assertEquals(List.of(), aws.calls(), "AWS called during priming");
        assertEquals(0, resolved.get(), "the function's credentials resolved during priming");
        // when: a real run of that same target
        ObjectNode payload = (ObjectNode) Fixtures.JSON.readTree(SnapStartPriming.class.getResourceAsStream(SnapStartPriming.PAYLOAD));
        payload.put("mode", "run").remove("idempotencyKey");
        StepResult result = (StepResult) steps.handle(payload, TriggerType.MANUAL);
        // then: the whole cold path, against AWS: no credentials, repository or client of priming's was reused
        assertEquals("STARTED", result.status());
        assertEquals(List.of("GetSecretValue by " + AwsFake.FUNCTION_ACCESS_KEY, "AssumeRole by AKIAPRIMINGEXAMPLE01",
                "CreateRepository by " + KnownTargetScenario.TARGET_KEY, "PutLifecyclePolicy by " + KnownTargetScenario.TARGET_KEY,
                "CreateRepository by " + KnownTargetScenario.TARGET_KEY, "PutLifecyclePolicy by " + KnownTargetScenario.TARGET_KEY,
                "StartBuild by " + AwsFake.FUNCTION_ACCESS_KEY), aws.calls());
        // and the real ECS executor knows no task definition of priming's
        assertEquals(Map.of(), knownTaskDefinitions(ecs));
    }

    /** The ECS executor's known revisions, by content hash: what a launch reuses without asking ECS. */
    private static Map<?, ?> knownTaskDefinitions(EcsExecutor executor) throws ReflectiveOperationException {
        Field known = EcsExecutor.class.getDeclaredField("knownTaskDefinitions");
        known.setAccessible(true);
        Object cache = known.get(executor);
        Field revisions = cache.getClass().getDeclaredField("revisions");
        revisions.setAccessible(true);
        return (Map<?, ?>) revisions.get(cache);
    }

    @Test
    void countingCredentials_seeARealCall() {
        // A control: the same set-up does count when the application resolves the function's credentials.
        AwsClients clients = io.quarkus.arc.Arc.container().instance(AwsClients.class).get();
        clients.functionCredentials().resolveCredentials();
        assertEquals(1, resolved.get());
    }
}
