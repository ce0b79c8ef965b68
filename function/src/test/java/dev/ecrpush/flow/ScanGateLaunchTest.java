package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.policy.Narrowing;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/** A gated build whose gate cannot be recorded would succeed unscanned: it is stopped, and the run fails. */
class ScanGateLaunchTest {
    private static final String BUILD = "ecr-build-push:0b6c5f1e-0000-4000-8000-00000000517f";

    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();

    @AfterEach
    void close() {
        clients.close();
        aws.close();
    }

    @Test
    void aGateThatCannotBeRecorded_stopsTheBuildItWasFor_andFailsTheRun() {
        // given
        ServiceConfig config = Fixtures.config(Map.of("BUILDPUSH_CODEBUILD_REGION", "us-east-1",
                "BUILDPUSH_PLUGINS_ECR_IMAGE", "plugins/ecr:21.1.1", "BUILDPUSH_POLICY_TARGET_ACCOUNTS", "123456789012",
                "BUILDPUSH_POLICY_SECRET_REFS", "*"));
        GitHostRegistry hosts = new GitHostRegistry();
        Executors executors = new Executors(new CodeBuildExecutor(config, hosts, clients), new EcsExecutor(config, clients));
        ScanGates gates = mock(ScanGates.class);
        InternalErrorException unrecorded = new InternalErrorException("dynamodb.PutItem failed");
        doThrow(unrecorded).when(gates).remember(any(), eq(BUILD));
        AwsStages stages = new AwsStages(clients, new CredentialsResolver(clients, config), executors, config, null, gates);
        aws.reply(AwsFake.SECRETS_MANAGER + "GetSecretValue",
                "{\"Name\":\"ci/aws\",\"SecretString\":\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY9\"}");
        aws.fail(AwsFake.ECR + "CreateRepository", 400, "RepositoryAlreadyExistsException", "exists");
        aws.reply(AwsFake.CODEBUILD + "StartBuild", "{\"build\":{\"id\":\"" + BUILD + "\"}}");
        aws.reply(AwsFake.CODEBUILD + "StopBuild", "{\"build\":{}}");
        ObjectNode payload = Fixtures.basePayload().put("mode", "run").put("infra", "VM");
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        ((ObjectNode) payload.at("/step/spec")).putObject("scanGate").put("maxSeverity", "HIGH");
        Plan plan = new StepService(new Settings(config, Fixtures.JSON, executors, hosts), stages, null)
                .plan(payload, TriggerType.MANUAL, Narrowing.NONE, false).plan();
        // when
        RuntimeException e = assertThrows(RuntimeException.class, () -> stages.run(plan));
        // then
        assertSame(unrecorded, e);
        assertEquals(List.of(BUILD), aws.bodies(AwsFake.CODEBUILD + "StopBuild").stream().map(b -> b.get("id").asText()).toList());
        verify(gates).requireRunnable(plan);
    }
}
