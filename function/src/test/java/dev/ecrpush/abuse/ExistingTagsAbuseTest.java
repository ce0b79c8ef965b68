package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.error.TagExistsException;
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
import dev.ecrpush.support.KnownTargetScenario;

/**
 * The tag lookup ({@code onExistingTag}) as a way to probe the registry: a payload must not make the function read tags
 * in an account or repository its policy would not let it push to, nor read them with any identity but the run's own
 * target credentials. Against the stages as CDI wires them, with the real SDK clients and every AWS API faked.
 */
class ExistingTagsAbuseTest {
    private static final String OWN_ACCOUNT = "111111111111";
    private static final String TARGET_ACCOUNT = "123456789012";
    private static final String OTHER_ACCOUNT = "210987654321";
    private static final String FOUND = "{\"images\": [{\"registryId\": \"210987654321\", \"repositoryName\": \"app\","
            + " \"imageId\": {\"imageTag\": \"latest\", \"imageDigest\": \"sha256:" + "e".repeat(64) + "\"},"
            + " \"imageManifest\": \"{}\"}], \"failures\": []}";

    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();

    @AfterEach
    void close() {
        clients.close();
        aws.close();
    }

    /** The stack's environment, allowing pushes to this account and the scenario's target account, through the target role. */
    private StepService service() {
        Map<String, String> env = new HashMap<>(Map.of(
                "BUILDPUSH_CODEBUILD_REGION", "us-east-1",
                "BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE", "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr@sha256:"
                        + "5f0d2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e",
                "BUILDPUSH_POLICY_RESOURCE_PREFIX", "ecr-build-push",
                "BUILDPUSH_POLICY_TARGET_ACCOUNTS", OWN_ACCOUNT + "," + TARGET_ACCOUNT,
                "BUILDPUSH_POLICY_ROLE_ARNS", "arn:aws:iam::*:role/push-*",
                "BUILDPUSH_POLICY_SECRET_REFS", "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/*"));
        ServiceConfig config = Fixtures.config(env);
        GitHostRegistry hosts = new GitHostRegistry();
        Executors executors = new Executors(new CodeBuildExecutor(config, hosts, clients), new EcsExecutor(config, clients));
        AwsStages stages = new AwsStages(clients, new CredentialsResolver(clients, config), executors, config);
        IdempotencyTables tables = new IdempotencyTables(clients, config);
        Runs runs = new Runs(stages, tables, new TaskCompletions(clients, tables, Fixtures.JSON), Fixtures.JSON);
        return new StepService(new Settings(config, Fixtures.JSON, executors, hosts), stages, runs);
    }

    @Test
    void aPayloadForAnAccountOutsideThePolicy_readsNoTag_whateverItsOnExistingTag() {
        // given: tags that exist in the other account, and a payload that would learn so from the error it gets
        KnownTargetScenario.stub(aws, true);
        aws.reply(AwsFake.ECR + "BatchGetImage", FOUND);
        for (String setting : List.of("fail", "skip", "rebuild")) {
            ObjectNode payload = KnownTargetScenario.payload("run", "app", "push-probe");
            ((ObjectNode) payload.at("/step/spec")).put("account", OTHER_ACCOUNT).put("onExistingTag", setting);
            // when
            NotAllowedException refused = assertThrows(NotAllowedException.class, () -> service().handle(payload, TriggerType.MANUAL));
            // then: refused by the policy, with no AWS call at all: no lookup, no credentials
            assertTrue(refused.getMessage().startsWith("step.spec.account: "), refused::getMessage);
            assertEquals(List.of(), aws.calls(), setting);
        }
        // and a preflight alike
        ObjectNode preflight = KnownTargetScenario.payload("preflight", "app", "push-probe");
        ((ObjectNode) preflight.at("/step/spec")).put("account", OTHER_ACCOUNT).put("onExistingTag", "fail");
        assertThrows(NotAllowedException.class, () -> service().handle(preflight, TriggerType.MANUAL));
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void theLookup_isSignedByTheRunsTargetRole_inTheTargetRegistry_neverByTheFunctionsOwnRole() {
        // given: an allowed target account, through its role
        KnownTargetScenario.stub(aws, true);
        aws.reply(AwsFake.ECR + "BatchGetImage", FOUND);
        ObjectNode payload = KnownTargetScenario.payload("run", "app", "push-lookup");
        ((ObjectNode) payload.at("/step/spec")).put("onExistingTag", "fail");
        // when
        assertThrows(TagExistsException.class, () -> service().handle(payload, TriggerType.MANUAL));
        // then: one lookup, in the payload's account, with the credentials of the role the run assumed
        List<AwsFake.AwsRequest> lookups = aws.requests(AwsFake.ECR + "BatchGetImage");
        assertEquals(1, lookups.size());
        assertEquals(KnownTargetScenario.TARGET_KEY, lookups.get(0).signedBy());
        assertEquals(TARGET_ACCOUNT, lookups.get(0).params().get("registryId"));
        assertEquals(List.of(), aws.requests(AwsFake.CODEBUILD + "StartBuild"));
    }
}
