package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.flow.AwsStages;
import dev.ecrpush.flow.Runs;
import dev.ecrpush.flow.StepService;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

/**
 * {@code executor.fleet} pointing a build at reserved capacity the deployer does not own: another account's fleet
 * (the build would run there, with the build's secrets, on machines someone else controls), or a fleet the deployer
 * did not list. Refused naming the field, with no AWS call, on the function as the template configures it.
 */
class FleetAbuseTest {
    private static final String OWN_ACCOUNT = "111111111111";
    private static final String FLEET_ID = ":fleet/arm:1b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();

    @AfterEach
    void close() {
        clients.close();
        aws.close();
    }

    private StepService service(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                "BUILDPUSH_CODEBUILD_REGION", "us-east-1",
                "BUILDPUSH_CODEBUILD_ACCOUNT", OWN_ACCOUNT,
                "BUILDPUSH_PLUGINS_ECR_IMAGE", "plugins/ecr:21.1.1",
                "BUILDPUSH_POLICY_TARGET_ACCOUNTS", OWN_ACCOUNT,
                "BUILDPUSH_POLICY_SECRET_REFS", "*"));
        env.putAll(overrides);
        ServiceConfig config = Fixtures.config(env);
        GitHostRegistry hosts = new GitHostRegistry();
        Executors executors = new Executors(new CodeBuildExecutor(config, hosts, clients), new EcsExecutor(config, clients));
        AwsStages stages = new AwsStages(clients, new CredentialsResolver(clients, config), executors, config);
        IdempotencyTables tables = new IdempotencyTables(clients, config);
        Runs runs = new Runs(stages, tables, new TaskCompletions(clients, tables, Fixtures.JSON), Fixtures.JSON);
        return new StepService(new Settings(config, Fixtures.JSON, executors, hosts), stages, runs);
    }

    /** A run of the docker plugin on arm64 in the function's own account, on {@code fleet}. */
    private static ObjectNode run(String fleet) {
        ObjectNode payload = Fixtures.basePayload().put("mode", "run").put("infra", "VM");
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        ((ObjectNode) payload.at("/step/spec")).put("account", OWN_ACCOUNT).putArray("platforms").add("linux/arm64");
        payload.putObject("executor").put("type", "CodeBuild").put("fleet", fleet);
        return payload;
    }

    @ParameterizedTest
    @ValueSource(strings = {"210987654321", "000000000000"})
    void anotherAccountsFleet_isRefusedNamingTheField_withNoAwsCall(String account) {
        // given
        StepService service = service(Map.of());
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> service.handle(run("arn:aws:codebuild:us-east-1:" + account + FLEET_ID), TriggerType.MANUAL));
        // then
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("executor.fleet: "), e.getMessage());
        assertTrue(e.getMessage().contains("not of the build account"), e.getMessage());
        assertFalse(e.getMessage().contains(OWN_ACCOUNT), "the build account is not told: " + e.getMessage());
        assertEquals(List.of(), aws.calls());
    }

    /** Not an abuse, but the same guarantee: a platform the kaniko image lacks is refused before anything is started. */
    @Test
    void kanikoOnArm64_withAnImageTheDeployerDeclaresAmd64Only_isRefusedNamingThePlatform_withNoAwsCall() {
        // given: the stack's own kaniko-ecr image exists for arm64 too; this deployer's does not
        StepService service = service(Map.of("BUILDPUSH_PLUGINS_KANIKO_ECR_PLATFORMS", "linux/amd64"));
        ObjectNode payload = run("arn:aws:codebuild:us-east-1:" + OWN_ACCOUNT + FLEET_ID).put("infra", "K8");
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> service.handle(payload, TriggerType.MANUAL));
        // then
        assertEquals(1, e.problems().size(), e.getMessage());
        assertTrue(e.problems().get(0).startsWith("step.spec.platforms[0]: linux/arm64 is not a platform"), e.getMessage());
        assertEquals(List.of(), aws.calls());
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:codebuild:us-east-1:111111111111:fleet/other:2b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"})
    void anUnlistedFleetOfTheOwnAccount_isRefused_whenTheDeployerListsFleets(String fleet) {
        // given: the deployer allows one fleet
        StepService service = service(Map.of("BUILDPUSH_CODEBUILD_FLEETS", "arn:aws:codebuild:us-east-1:" + OWN_ACCOUNT + FLEET_ID));
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> service.handle(run(fleet), TriggerType.MANUAL));
        // then
        assertEquals(List.of("executor.fleet: \"" + fleet + "\" is not one of the fleets this deployment allows"
                + " (buildpush.codebuild.fleets)"), e.problems());
        assertEquals(List.of(), aws.calls());
    }
}
