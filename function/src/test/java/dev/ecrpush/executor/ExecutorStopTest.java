package dev.ecrpush.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.executor.ecs.EcsSettings;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/** Each executor's stop, as CodeBuild and ECS receive it, and its refusal of a build that is not the function's. */
class ExecutorStopTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String STOP_BUILD = AwsFake.CODEBUILD + "StopBuild";
    private static final String STOP_TASK = AwsFake.ECS + "StopTask";
    private static final String TASK = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/0f1e2d3c4b5a69788796a5b4c3d2e1f0";

    private final CodeBuildExecutor codeBuild = new CodeBuildExecutor(CodeBuildSettings.defaults(), AWS.clients());
    private final EcsExecutor ecs = new EcsExecutor(new EcsSettings("ecr-build-push", List.of(), List.of(), false, "ecr-build-push",
            "source:1", null, null, "/ecr-build-push/ecs", "us-east-1", null, "x-access-token", Duration.ofHours(1), null),
            AWS.clients(), Clock.systemUTC());

    @AfterAll
    static void close() {
        AWS.close();
    }

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(STOP_BUILD, "{\"build\": {\"buildStatus\": \"IN_PROGRESS\"}}");
        AWS.reply(STOP_TASK, "{\"task\": {}}");
    }

    @Test
    void codeBuild_stopsTheBuildByItsId_withTheFunctionsCredentials() throws Exception {
        codeBuild.stop("ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001", "ecr-build-push: superseded by push 2");
        assertEquals(List.of(Fixtures.JSON.readTree("{\"id\": \"ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001\"}")),
                AWS.bodies(STOP_BUILD));
        assertEquals(List.of("StopBuild by " + AwsFake.FUNCTION_ACCESS_KEY), AWS.calls());
    }

    @Test
    void codeBuild_refusesABuildOfAnotherProject_beforeAnyCall() {
        NotAllowedException refused = assertThrows(NotAllowedException.class,
                () -> codeBuild.stop("someone-elses:0b6c5f1e-0000-4000-8000-000000000001", "superseded"));
        assertTrue(refused.getMessage().startsWith("buildId: "), refused::getMessage);
        assertEquals(List.of(), AWS.calls());
    }

    @Test
    void codeBuild_aRefusedStop_isALaunchFailure() {
        AWS.fail(STOP_BUILD, 400, "InvalidInputException", "Build ecr-build-push:0b6c is not in progress");
        assertThrows(LaunchFailedException.class, () -> codeBuild.stop("ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001", "x"));
    }

    @Test
    void ecs_stopsTheTaskInItsCluster_withTheReasonCutToWhatStopTaskTakes() throws Exception {
        String reason = "ecr-build-push: superseded by build " + "x".repeat(300);
        ecs.stop(TASK, reason);
        assertEquals(List.of(Fixtures.JSON.createObjectNode().put("cluster", "ecr-build-push").put("task", TASK)
                .put("reason", reason.substring(0, 255))), AWS.bodies(STOP_TASK));
        assertEquals(List.of("StopTask by " + AwsFake.FUNCTION_ACCESS_KEY), AWS.calls());
    }

    @Test
    void ecs_refusesATaskOfAnotherClusterOrRegion_beforeAnyCall() {
        for (String other : List.of("arn:aws:ecs:us-east-1:111111111111:task/other-cluster/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                "arn:aws:ecs:eu-west-1:111111111111:task/ecr-build-push/0f1e2d3c4b5a69788796a5b4c3d2e1f0")) {
            assertThrows(NotAllowedException.class, () -> ecs.stop(other, "superseded"));
        }
        assertEquals(List.of(), AWS.calls());
    }
}
