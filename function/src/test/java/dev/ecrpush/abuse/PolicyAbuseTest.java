package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.completion.TaskCompletions;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.Executors;
import dev.ecrpush.executor.codebuild.CodeBuildExecutor;
import dev.ecrpush.executor.ecs.EcsExecutor;
import dev.ecrpush.flow.AwsStages;
import dev.ecrpush.flow.Runs;
import dev.ecrpush.flow.StepService;
import dev.ecrpush.flow.TriggeredBuild;
import dev.ecrpush.flow.TriggeredRuns;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.policy.Policy;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerPayloads;
import dev.ecrpush.trigger.TriggerSetParser;

/**
 * The reported abuses, one test each, against the function as the stack deploys it (its configuration as the
 * template's environment gives it, the real stages and SDK clients, every AWS API faked): each payload is refused with
 * a {@link NotAllowedException} naming the field, and AWS is never called, not even for what a warm container has
 * cached.
 */
class PolicyAbuseTest {
    /** The stack's webhook secret, as the template passes it ({@code !Ref WebhookSecret}: the ARN). */
    private static final String WEBHOOK_SECRET = "arn:aws:secretsmanager:us-east-1:111111111111:secret:"
            + "ecr-build-push/us-east-1/webhooks-AbCdEf";
    /** What the webhook secret holds: it must never be read for a payload, nor leave the function. */
    private static final String WEBHOOK_SECRET_VALUE = "{\"github\":\"whsecretOfTheStackNeverToBeRead\"}";
    private static final String OWN_ACCOUNT = "111111111111";
    private static final String OTHER_ACCOUNT = "210987654321";

    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();

    @AfterEach
    void close() {
        clients.close();
        aws.close();
    }

    /**
     * The function's environment as {@code template.yaml} sets it with the policy parameters left at their defaults in
     * account 111111111111, with {@code overrides}.
     */
    private static Map<String, String> deployed(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of(
                "BUILDPUSH_CODEBUILD_REGION", "us-east-1",
                "BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE", "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr@sha256:"
                        + "5f0d2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817060f5e",
                "BUILDPUSH_WEBHOOKS_SECRET_ID", WEBHOOK_SECRET,
                "BUILDPUSH_TRIGGERS_PARAMETER", "/ecr-build-push/triggers",
                "BUILDPUSH_POLICY_RESOURCE_PREFIX", "ecr-build-push",
                "BUILDPUSH_POLICY_TARGET_ACCOUNTS", OWN_ACCOUNT,
                "BUILDPUSH_POLICY_ROLE_ARNS", "arn:aws:iam::*:role/ecr-build-push-target",
                "BUILDPUSH_POLICY_SECRET_REFS", "ci/*,arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/*,ssm:/ci/*"));
        env.putAll(overrides);
        return env;
    }

    /** The application's stages as CDI wires them, on the fake's clients. */
    private StepService service(ServiceConfig config) {
        GitHostRegistry hosts = new GitHostRegistry();
        Executors executors = new Executors(new CodeBuildExecutor(config, hosts, clients), new EcsExecutor(config, clients));
        AwsStages stages = new AwsStages(clients, new CredentialsResolver(clients, config), executors, config);
        IdempotencyTables tables = new IdempotencyTables(clients, config);
        Runs runs = new Runs(stages, tables, new TaskCompletions(clients, tables, Fixtures.JSON), Fixtures.JSON);
        return new StepService(new Settings(config, Fixtures.JSON, executors, hosts), stages, runs);
    }

    private StepService service(Map<String, String> overrides) {
        return service(Fixtures.config(deployed(overrides)));
    }

    /** A run to {@code account} by the function's own role (InheritFromDelegate), of repository {@code app}. */
    private static ObjectNode run(String account) {
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        ((ObjectNode) payload.at("/step/spec")).put("account", account);
        ((ObjectNode) payload.at("/connectors")).set("aws", json("""
                {"type": "Aws", "spec": {"delegateSelectors": ["codebuild"], "credential": {"type": "InheritFromDelegate"}}}"""));
        return payload;
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) Fixtures.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> refusal(StepService service, ObjectNode payload) {
        NotAllowedException e = assertThrows(NotAllowedException.class, () -> service.handle(payload, TriggerType.MANUAL));
        assertEquals(403, e.httpStatus());
        assertFalse(e.retryable());
        return e.getMessage().lines().toList();
    }

    // Case 1: payloads choose which secrets a build gets.

    /**
     * The webhook secret as the password the plugin sends to the attacker's registry: refused for the registry and for
     * the secret, however the reference spells the stack's secret, even by a deployer who allows every reference.
     */
    @ParameterizedTest
    @ValueSource(strings = {WEBHOOK_SECRET, "ecr-build-push/us-east-1/webhooks",
        "arn:aws:secretsmanager:us-east-1:111111111111:secret:ecr-build-push/us-east-1/webhooks:github",
        "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ECR-Build-Push/us-east-1/Webhooks",
        "ssm:/aws/reference/secretsmanager/ecr-build-push/us-east-1/webhooks"})
    void webhookSecret_asTheDockerPassword_toAnAttackersRegistry_isRefused_withNoAwsCall(String webhookSecret) {
        // given: a deployer who allows every reference, and a payload that names the stack's own secret
        StepService service = service(Map.of("BUILDPUSH_POLICY_SECRET_REFS", "*"));
        aws.reply(AwsFake.SECRETS_MANAGER + "GetSecretValue", "{\"SecretString\":" + Fixtures.JSON.valueToTree(WEBHOOK_SECRET_VALUE) + "}");
        ObjectNode payload = run(OWN_ACCOUNT).put("infra", "VM");
        ((ObjectNode) payload.at("/step/spec")).putArray("baseImageConnectorRefs").add("hub");
        ObjectNode hub = json("""
                {"type": "DockerRegistry", "spec": {"dockerRegistryUrl": "https://attacker.example/",
                  "auth": {"type": "UsernamePassword", "spec": {"username": "x"}}}}""");
        ((ObjectNode) hub.at("/spec/auth/spec")).put("passwordRef", webhookSecret);
        ((ObjectNode) payload.at("/connectors")).set("hub", hub);
        // when
        List<String> lines = refusal(service, payload);
        // then
        assertEquals(List.of(
                "connectors.hub.spec.dockerRegistryUrl: attacker.example is not a registry this function may use ("
                        + Policy.REGISTRIES + ")",
                "connectors.hub.spec.auth.spec.passwordRef: names the webhook secret (buildpush.webhooks.secret-id), which belongs to"
                        + " this function's stack: no payload may name it"), lines);
        assertEquals(List.of(), aws.calls());
    }

    /**
     * A Git host's API token (what commit statuses are sent with) as the password the plugin sends to the attacker's
     * registry, in every spelling AWS reads as the same secret: refused although the deployer's {@code secret-refs}
     * ({@code ci/*}) would allow its name, and never read.
     */
    @ParameterizedTest
    @CsvSource({
        "BUILDPUSH_GITHOSTS_GITHUB_TOKEN_REF, ci/github-status-token, ci/github-status-token, GitHub, github",
        "BUILDPUSH_GITHOSTS_GITLAB_TOKEN_REF, ci/gitlab-status-token, CI/GitLab-Status-Token, GitLab, gitlab",
        "BUILDPUSH_GITHOSTS_BITBUCKET_TOKEN_REF, arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/bb-token-AbCdEf,"
                + " ci/bb-token, Bitbucket, bitbucket",
        "BUILDPUSH_GITHOSTS_GITEA_TOKEN_REF, ci/gitea-token, ssm:/aws/reference/secretsmanager/ci/gitea-token, Gitea, gitea"})
    void gitHostApiToken_asTheDockerPassword_isRefused_withNoAwsCall(String variable, String configured, String named,
            String host, String key) {
        // given: the deployer's token for statuses, under a name its secret-refs would allow
        Map<String, String> env = new HashMap<>(Map.of(variable, configured));
        if (key.equals("gitea")) {
            env.put("BUILDPUSH_GITHOSTS_GITEA_API_URL", "https://git.example.com/api/v1");
        }
        StepService service = service(env);
        aws.reply(AwsFake.SECRETS_MANAGER + "GetSecretValue", "{\"SecretString\":\"hostTokenNeverToBeRead\"}");
        ObjectNode payload = run(OWN_ACCOUNT).put("infra", "VM");
        ((ObjectNode) payload.at("/step/spec")).putArray("baseImageConnectorRefs").add("hub");
        ObjectNode hub = json("""
                {"type": "DockerRegistry", "spec": {"dockerRegistryUrl": "https://index.docker.io/v1/",
                  "auth": {"type": "UsernamePassword", "spec": {"username": "x"}}}}""");
        ((ObjectNode) hub.at("/spec/auth/spec")).put("passwordRef", named);
        ((ObjectNode) payload.at("/connectors")).set("hub", hub);
        // when
        List<String> lines = refusal(service, payload);
        // then
        assertEquals(List.of("connectors.hub.spec.auth.spec.passwordRef: names the " + host + " API token (buildpush.githosts."
                + key + ".token-ref), which belongs to this function's stack: no payload may name it"), lines);
        assertEquals(List.of(), aws.calls());
    }

    /** The webhook secret as a manual connector's secret key: the function would read it with its own role. */
    @Test
    void webhookSecret_asAConnectorsSecretKeyRef_isRefused_beforeTheFunctionReadsIt() {
        // given: the secret would be answered if asked for
        StepService service = service(Map.of());
        aws.reply(AwsFake.SECRETS_MANAGER + "GetSecretValue", "{\"SecretString\":" + Fixtures.JSON.valueToTree(WEBHOOK_SECRET_VALUE) + "}");
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        ((ObjectNode) payload.at("/step/spec")).put("account", OWN_ACCOUNT);
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", WEBHOOK_SECRET);
        // when
        List<String> lines = refusal(service, payload);
        // then
        assertEquals(List.of("connectors.aws.spec.credential.spec.secretKeyRef: names the webhook secret"
                + " (buildpush.webhooks.secret-id), which belongs to this function's stack: no payload may name it"), lines);
        assertEquals(List.of(), aws.calls());
    }

    /** Docker secrets hand a secret to the Dockerfile: another team's secret, and the stack's trigger set. */
    @Test
    void dockerSecrets_namingSecretsOutsideThePolicy_areRefused_withNoAwsCall() {
        // given
        StepService service = service(Map.of());
        ObjectNode payload = run(OWN_ACCOUNT).put("infra", "VM");
        ObjectNode spec = (ObjectNode) payload.at("/step/spec");
        spec.putObject("envDockerSecrets").put("db", "arn:aws:secretsmanager:us-east-1:111111111111:secret:prod/db-password")
                .put("npm", "ssm:/ci/npmrc");
        spec.putObject("fileDockerSecrets").put("triggers", "ssm:/ecr-build-push/triggers")
                .put("oidc", "ssm:/ecr-build-push/oidc-tokens/x");
        // when
        List<String> lines = refusal(service, payload);
        // then: the ci/ reference passes; the others are refused, each at its own id
        assertEquals(List.of(
                "step.spec.envDockerSecrets.db: is not a secret reference this function may use (" + Policy.SECRET_REFS + ")",
                "step.spec.fileDockerSecrets.triggers: names the trigger set (buildpush.triggers.parameter), which belongs to this"
                        + " function's stack: no payload may name it",
                "step.spec.fileDockerSecrets.oidc: names a stashed OIDC token (buildpush.oidc.parameter-prefix), which belongs to this"
                        + " function's stack: no payload may name it"), lines);
        assertEquals(List.of(), aws.calls());
    }

    // Case 2: nothing limited which accounts or roles a payload targets.

    @Test
    void payloadTargetingAnotherAccount_isRefused_withNoAwsCall() {
        // given: the function's own role pushing to another account
        StepService service = service(Map.of());
        // when
        List<String> lines = refusal(service, run(OTHER_ACCOUNT));
        // then
        assertEquals(List.of("step.spec.account: 210987654321 is not an account this function may push to (" + Policy.TARGET_ACCOUNTS
                + ")"), lines);
        assertEquals(List.of(), aws.calls());
    }

    @Test
    void rolesOutsideThePatterns_orInAnotherAccount_areRefused_withNoAwsCall() {
        // given: a cross-account role of another name, and the target role of an account not allowed
        StepService service = service(Map.of());
        ObjectNode cross = Fixtures.basePayload().put("mode", "run");
        ((ObjectNode) cross.at("/step/spec")).put("account", OWN_ACCOUNT);
        ((ObjectNode) cross.at("/connectors/aws/spec/credential")).putObject("crossAccountAccess")
                .put("crossAccountRoleArn", "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole").put("externalId", "ext-1");
        ObjectNode oidc = Fixtures.basePayload().put("mode", "run").put("oidcToken", "eyJhbGciOiJSUzI1NiJ9.e30.sig");
        ((ObjectNode) oidc.at("/step/spec")).put("account", OWN_ACCOUNT);
        ((ObjectNode) oidc.at("/connectors/aws/spec")).set("credential", json("""
                {"type": "OidcAuthentication", "spec": {"iamRoleArn": "arn:aws:iam::210987654321:role/ecr-build-push-target"}}"""));
        // when
        List<String> crossLines = refusal(service, cross);
        List<String> oidcLines = refusal(service, oidc);
        // then
        assertEquals(List.of("connectors.aws.spec.credential.crossAccountAccess.crossAccountRoleArn:"
                + " \"arn:aws:iam::111111111111:role/OrganizationAccountAccessRole\" is not a role this function may assume ("
                + Policy.ROLE_ARNS + ")"), crossLines);
        assertEquals(List.of("connectors.aws.spec.credential.spec.iamRoleArn: the role's account 210987654321 is not an account this"
                + " function may push to (" + Policy.TARGET_ACCOUNTS + ")"), oidcLines);
        assertEquals(List.of(), aws.calls());
    }

    /**
     * A warm container: a first, allowed payload fills the caches (the repository is known, the function's credentials
     * need no call); a second payload to an account the policy refuses reaches none of it.
     */
    @Test
    void warmCaches_doNotLetAPayloadToADisallowedAccountThrough() {
        // given: the first run, allowed, warms the caches
        StepService service = service(Map.of());
        KnownTargetScenario.stub(aws, true);
        StepResult first = (StepResult) service.handle(run(OWN_ACCOUNT), TriggerType.MANUAL);
        assertEquals("STARTED", first.status());
        aws.resetRequests();
        // when
        List<String> lines = refusal(service, run(OTHER_ACCOUNT));
        // then
        assertEquals(List.of("step.spec.account: 210987654321 is not an account this function may push to (" + Policy.TARGET_ACCOUNTS
                + ")"), lines);
        assertEquals(List.of(), aws.calls());
    }

    /**
     * The same through a trigger confined to one account: its payload names a target the container's caches know (an
     * earlier direct run built there), which without the check would start a build with no STS or ECR call at all.
     */
    @Test
    void warmCaches_doNotLetATriggersRunOutsideItsNarrowing() {
        // given: the deployer allows two accounts; a direct run to the second warms its repository
        ServiceConfig config = Fixtures.config(deployed(Map.of("BUILDPUSH_POLICY_TARGET_ACCOUNTS", OWN_ACCOUNT + ",222222222222")));
        StepService service = service(config);
        KnownTargetScenario.stub(aws, true);
        assertEquals("STARTED", ((StepResult) service.handle(run("222222222222"), TriggerType.MANUAL)).status());
        aws.resetRequests();
        // and a trigger confined to the first account, whose payload targets the second
        Trigger trigger = trigger("""
                {"triggers": [{"name": "nightly", "schedules": ["nightly"], "policy": {"targetAccounts": ["111111111111"]},
                               "payload": %s}]}""".formatted(run("222222222222")), config);
        // when
        TriggeredBuild build = new TriggeredRuns(service).submit(trigger.name(), null, TriggerPayloads.forSchedule(trigger, "event-1"),
                TriggerType.SCHEDULE, trigger.policy());
        // then
        assertEquals("FAILED", build.status());
        NotAllowedException refused = assertInstanceOf(NotAllowedException.class, build.failure());
        assertEquals("step.spec.account: 222222222222 is not an account this function may push to (trigger nightly's"
                + " policy.targetAccounts)", refused.getMessage());
        assertEquals(List.of(), aws.calls());
    }

    // Per-trigger narrowing.

    /** A trigger's policy that reaches outside the deployer's is an error of the trigger set, naming trigger and entry. */
    @Test
    void triggerPolicyWiderThanTheDeployers_isATriggerSetError() {
        // given
        ServiceConfig config = Fixtures.config(deployed(Map.of()));
        String set = """
                {"triggers": [{"name": "nightly", "schedules": ["nightly"],
                               "policy": {"targetAccounts": ["210987654321"], "secretRefs": ["*"], "repoHosts": ["169.254.169.254"]},
                               "payload": %s}]}""".formatted(run(OWN_ACCOUNT));
        // when
        TriggerSetParser.Result result = TriggerSetParser.parse(json(set), Fixtures.SETTINGS, new GitHostRegistry(),
                Policy.from(config));
        // then
        List<String> problems = assertInstanceOf(TriggerSetParser.Result.Invalid.class, result).problems();
        assertEquals(List.of(
                "triggers[0].policy.targetAccounts[0]: \"210987654321\" is outside the deployer's " + Policy.TARGET_ACCOUNTS
                        + "; trigger nightly may only narrow it",
                "triggers[0].policy.secretRefs[0]: \"*\" is outside the deployer's " + Policy.SECRET_REFS
                        + "; trigger nightly may only narrow it",
                "triggers[0].policy.repoHosts[0]: \"169.254.169.254\" is outside the deployer's " + Policy.REPO_HOSTS
                        + "; trigger nightly may only narrow it"), problems);
    }

    /** A trigger's run is held to the intersection: what the deployer allows, but the trigger's policy leaves out. */
    @Test
    void triggersRun_outsideItsNarrowing_isRefused_withNoAwsCall() {
        // given: the deployer allows every ci/ secret; the trigger only its own
        ServiceConfig config = Fixtures.config(deployed(Map.of()));
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        ((ObjectNode) payload.at("/step/spec")).put("account", OWN_ACCOUNT);
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", "ci/other-team/aws");
        Trigger trigger = trigger("""
                {"triggers": [{"name": "app", "schedules": ["nightly"], "policy": {"secretRefs": ["ci/app/*"]},
                               "payload": %s}]}""".formatted(payload), config);
        // when
        TriggeredBuild build = new TriggeredRuns(service(config)).submit(trigger.name(), null,
                TriggerPayloads.forSchedule(trigger, "event-1"), TriggerType.SCHEDULE, trigger.policy());
        // then
        NotAllowedException refused = assertInstanceOf(NotAllowedException.class, build.failure());
        assertEquals("connectors.aws.spec.credential.spec.secretKeyRef: is not a secret reference this function may use (trigger app's"
                + " policy.secretRefs)", refused.getMessage());
        assertEquals(List.of(), aws.calls());
    }

    /** Plan mode calls no AWS API, so it reports what run would refuse as warnings, and plans. */
    @Test
    void planMode_reportsTheRefusalsAsWarnings_andPlans() {
        // given
        StepService service = service(Map.of());
        ObjectNode payload = run(OTHER_ACCOUNT).put("mode", "plan");
        // when
        StepResult result = (StepResult) service.handle(payload, TriggerType.MANUAL);
        // then
        assertEquals("PLANNED", result.status());
        assertTrue(result.warnings().contains("step.spec.account: 210987654321 is not an account this function may push to ("
                + Policy.TARGET_ACCOUNTS + "); run and preflight refuse it"), result.warnings().toString());
        assertEquals(List.of(), aws.calls());
    }

    private static Trigger trigger(String set, ServiceConfig config) {
        TriggerSetParser.Result result = TriggerSetParser.parse(json(set), Fixtures.SETTINGS, new GitHostRegistry(),
                Policy.from(config));
        return assertInstanceOf(TriggerSetParser.Result.Valid.class, result, result::toString).set().triggers().get(0);
    }
}
