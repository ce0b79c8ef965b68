package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.ArtifactsType;
import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentType;
import software.amazon.awssdk.services.codebuild.model.SourceType;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveStatus;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.StateMachineStatus;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.sts.StsClient;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.KnownRepositories;
import dev.ecrpush.registry.RepositoryDefaults;
import dev.ecrpush.registry.RepositoryEnsurer;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.executor.codebuild.CodeBuildLaunch;
import dev.ecrpush.executor.ecs.EcsLaunch;
import dev.ecrpush.executor.codebuild.CodeBuildLauncher;
import dev.ecrpush.support.Repo;

/**
 * The function's stages against LocalStack, a second AWS implementation besides the WireMock fakes the other tests
 * use: credentials from Secrets Manager and SSM then {@code AssumeRole} (STS), the OIDC token stash (SSM), the
 * idempotency table as the template declares it (DynamoDB) and the example workflow (Step Functions), all in
 * LocalStack's free edition; with {@code LOCALSTACK_AUTH_TOKEN} set, also repository creation (ECR), the build start
 * (CodeBuild) and the ECS task definition secrets, which only its paid edition has.
 *
 * <p>Skipped, with the reason, where Docker is not available. Never the only test of anything: each stage has its
 * wire test against a fake of the AWS API.
 */
class LocalStackIT {
    private static final String AUTH_TOKEN = System.getenv("LOCALSTACK_AUTH_TOKEN");
    private static final DockerImageName FREE = DockerImageName.parse("localstack/localstack:4.4");
    private static final DockerImageName PRO = DockerImageName.parse("localstack/localstack-pro:4.4")
            .asCompatibleSubstituteFor("localstack/localstack");

    private static LocalStackContainer localstack;
    private static AwsClients clients;
    private static Region region;
    private static AwsCredentialsProvider admin;

    private static boolean docker;

    @BeforeAll
    static void start() {
        docker = DockerClientFactory.instance().isDockerAvailable();
        if (!docker) {
            return;
        }
        localstack = new LocalStackContainer(AUTH_TOKEN == null ? FREE : PRO);
        if (AUTH_TOKEN != null) {
            localstack.withEnv("LOCALSTACK_AUTH_TOKEN", AUTH_TOKEN);
        }
        localstack.start();
        region = Region.of(localstack.getRegion());
        admin = StaticCredentialsProvider.create(AwsBasicCredentials.create(localstack.getAccessKey(), localstack.getSecretKey()));
        clients = new AwsClients(AwsClients.Options.defaults().withEndpointOverride(localstack.getEndpoint())
                .withFunctionCredentials(admin));
    }

    /** Each test, not the class, is skipped: that way the reason appears in the test report. */
    @BeforeEach
    void requireDocker() {
        assumeTrue(docker, "Docker is not available here: the LocalStack suite needs it to run LocalStack (the wire"
                + " tests against the AWS fakes cover the same stages)");
    }

    @AfterAll
    static void stop() {
        if (clients != null) {
            clients.close();
        }
        if (localstack != null) {
            localstack.stop();
        }
    }

    @Test
    void credentials_manualKeysFromSecretsManager_thenAssumeRoleWithExternalId() {
        // given: the connector's secret key in Secrets Manager, and cross-account access
        String secretArn;
        try (SecretsManagerClient secrets = clients.secretsManager(region, admin)) {
            secretArn = secrets.createSecret(r -> r.name("ci/aws-push").secretString("localstack-secret-key")).arn();
        }
        ObjectNode payload = payload();
        ObjectNode credential = (ObjectNode) payload.at("/connectors/aws/spec/credential");
        ((ObjectNode) credential.path("spec")).put("secretKeyRef", secretArn);
        credential.putObject("crossAccountAccess").put("crossAccountRoleArn", "arn:aws:iam::000000000000:role/ecr-build-push-target")
                .put("externalId", "ext-123");
        // when
        AwsCredentialsProvider target = resolver().resolve(Fixtures.plan(payload).credentials(), region);
        // then: temporary credentials of the assumed role, in the session named after the step
        assertTrue(target.resolveCredentials() instanceof AwsSessionCredentials, "not the assumed role's credentials");
        try (StsClient sts = clients.sts(region, target)) {
            String arn = sts.getCallerIdentity().arn();
            assertTrue(arn.endsWith(":assumed-role/ecr-build-push-target/ecr-build-push-build_app"), arn);
        }
    }

    @Test
    void credentials_secretKeyFromAnSsmSecureString() {
        // given
        try (SsmClient ssm = clients.ssm(region, admin)) {
            ssm.putParameter(r -> r.name("/ci/aws-push-key").value("ssm-secret-key\n").type(ParameterType.SECURE_STRING));
        }
        ObjectNode payload = payload();
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", "ssm:/ci/aws-push-key");
        // when
        var credentials = resolver().resolve(Fixtures.plan(payload).credentials(), region).resolveCredentials();
        // then: the decrypted value, stripped of the newline it was pasted with
        assertEquals("AKIAEXAMPLE", credentials.accessKeyId());
        assertEquals("ssm-secret-key", credentials.secretAccessKey());
    }

    @Test
    void oidcToken_isStashedAsASecureString_beforeTheBuildStart() {
        // given: an OIDC connector; no CodeBuild project exists, so the start itself fails
        ObjectNode payload = payload().put("mode", "run").put("oidcToken", "eyJ.localstack-oidc-token.sig");
        ((ObjectNode) payload.at("/connectors/aws/spec")).putObject("credential").put("type", "OidcAuthentication")
                .putObject("spec").put("iamRoleArn", "arn:aws:iam::000000000000:role/oidc-push");
        Plan plan = Fixtures.plan(payload);
        String parameter = stashName(plan);
        // when
        BuildPushException failure;
        try (CodeBuildClient codeBuild = clients.codeBuild(region, admin); SsmClient ssm = clients.ssm(region, admin)) {
            failure = assertThrows(BuildPushException.class, () -> new CodeBuildLauncher(codeBuild, ssm).launch(plan));
            // then: the token is in SSM as a SecureString under the plan's name, and in no message
            var stored = ssm.getParameter(r -> r.name(parameter).withDecryption(true)).parameter();
            assertEquals(ParameterType.SECURE_STRING, stored.type());
            assertEquals("eyJ.localstack-oidc-token.sig", stored.value());
        }
        assertFalse(String.valueOf(failure.getMessage()).contains("localstack-oidc-token"), failure.getMessage());
    }

    @Test
    void idempotencyTable_asTheTemplateDeclaresIt_takesOneConditionalPutPerKey() {
        // given: the table exactly as template.yaml declares it
        JsonNode table = CfnTemplate.load(CfnTemplate.SAM).properties("IdempotencyTable");
        String key = table.at("/KeySchema/0/AttributeName").asText();
        try (DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(localstack.getEndpoint()).region(region)
                .credentialsProvider(admin).build()) {
            dynamo.createTable(r -> r.tableName("idempotency")
                    .billingMode(table.path("BillingMode").asText())
                    .attributeDefinitions(a -> a.attributeName(table.at("/AttributeDefinitions/0/AttributeName").asText())
                            .attributeType(ScalarAttributeType.fromValue(table.at("/AttributeDefinitions/0/AttributeType").asText())))
                    .keySchema(k -> k.attributeName(key).keyType(KeyType.fromValue(table.at("/KeySchema/0/KeyType").asText()))));
            dynamo.waiter().waitUntilTableExists(r -> r.tableName("idempotency"));
            dynamo.updateTimeToLive(r -> r.tableName("idempotency").timeToLiveSpecification(t -> t
                    .attributeName(table.at("/TimeToLiveSpecification/AttributeName").asText()).enabled(true)));
            // when: the same key twice, each put conditional on the key being new
            var item = java.util.Map.of(key, AttributeValue.fromS("github:delivery-1"), "status", AttributeValue.fromS("IN_PROGRESS"),
                    "expiresAt", AttributeValue.fromN(String.valueOf(System.currentTimeMillis() / 1000 + 86400)));
            dynamo.putItem(r -> r.tableName("idempotency").item(item).conditionExpression("attribute_not_exists(" + key + ")"));
            // then
            assertThrows(ConditionalCheckFailedException.class, () -> dynamo.putItem(r -> r.tableName("idempotency")
                    .item(item).conditionExpression("attribute_not_exists(" + key + ")")));
            assertEquals(TimeToLiveStatus.ENABLED, dynamo.describeTimeToLive(r -> r.tableName("idempotency"))
                    .timeToLiveDescription().timeToLiveStatus());
        }
    }

    @Test
    void exampleStateMachine_isAcceptedByStepFunctions() throws Exception {
        // given: the workflow with the function's alias substituted, as the template deploys it
        String definition = Files.readString(StateMachineTest.ASL).replace("${BuildPushFunctionArn}",
                "arn:aws:lambda:" + region.id() + ":000000000000:function:ecr-build-push:live");
        try (SfnClient sfn = SfnClient.builder().endpointOverride(localstack.getEndpoint()).region(region)
                .credentialsProvider(admin).build()) {
            // when
            String arn = sfn.createStateMachine(r -> r.name("ecr-build-push").definition(definition)
                    .roleArn("arn:aws:iam::000000000000:role/states")).stateMachineArn();
            // then
            assertEquals(StateMachineStatus.ACTIVE, sfn.describeStateMachine(r -> r.stateMachineArn(arn)).status());
        }
    }

    @Test
    void run_createsTheRepositoryWithItsPolicies_andStartsTheBuild() throws Exception {
        assumeTrue(AUTH_TOKEN != null, "LOCALSTACK_AUTH_TOKEN is not set: ECR and CodeBuild are in LocalStack's paid edition only");
        // given: the project, and an InheritFromDelegate step (the function's own credentials) in LocalStack's account
        ObjectNode payload = payload().put("mode", "run");
        ((ObjectNode) payload.at("/step/spec")).put("account", "000000000000").put("region", region.id());
        ((ObjectNode) payload.at("/connectors/aws/spec")).putObject("credential").put("type", "InheritFromDelegate");
        ((ObjectNode) payload.at("/connectors/aws/spec")).putArray("delegateSelectors").add("codebuild");
        Plan plan = Fixtures.plan(payload);
        String buildspec = Files.readString(Repo.path("infra/buildspec-kaniko.yml"));
        try (CodeBuildClient codeBuild = clients.codeBuild(region, admin); SsmClient ssm = clients.ssm(region, admin);
             EcrClient ecr = clients.ecr(region, admin)) {
            codeBuild.createProject(r -> r.name("ecr-build-push").serviceRole("arn:aws:iam::000000000000:role/build")
                    .artifacts(a -> a.type(ArtifactsType.NO_ARTIFACTS))
                    .source(s -> s.type(SourceType.NO_SOURCE).buildspec(buildspec))
                    .environment(e -> e.type(EnvironmentType.LINUX_CONTAINER).computeType(ComputeType.BUILD_GENERAL1_SMALL)
                            .image("aws/codebuild/amazonlinux-x86_64-standard:5.0")));
            // when
            boolean created = new RepositoryEnsurer(ecr, RepositoryDefaults.defaults(), new KnownRepositories()).ensure(plan);
            LaunchResult launch = new CodeBuildLauncher(codeBuild, ssm).launch(plan);
            // then
            assertTrue(created);
            var repository = ecr.describeRepositories(r -> r.repositoryNames("app")).repositories().get(0);
            assertTrue(repository.imageScanningConfiguration().scanOnPush());
            assertTrue(ecr.getLifecyclePolicy(r -> r.repositoryName("app")).lifecyclePolicyText().contains("untagged"));
            assertTrue(launch.buildId().startsWith("ecr-build-push:"), launch.buildId());
        }
    }

    @Test
    void ecsPlan_secretsAreAcceptedAsTaskDefinitionSecrets() {
        assumeTrue(AUTH_TOKEN != null, "LOCALSTACK_AUTH_TOKEN is not set: ECS is in LocalStack's paid edition only");
        // given: the ECS plan of the sample event, whose connector keys travel as task definition secrets
        ObjectNode payload = (ObjectNode) Fixtures.read(Repo.path("events/plan-ecs.json"));
        payload.set("connectors", payload().path("connectors"));
        ((ObjectNode) payload.at("/step/spec")).put("connectorRef", "aws");
        EcsLaunch launch = (EcsLaunch) Fixtures.plan(payload).launch();
        try (EcsClient ecs = clients.ecs(region, admin)) {
            // when
            var registered = ecs.registerTaskDefinition(r -> r.family("ecr-build-push")
                    .requiresCompatibilities(Compatibility.FARGATE).networkMode(NetworkMode.AWSVPC).cpu("1024").memory("2048")
                    .executionRoleArn("arn:aws:iam::000000000000:role/ecs-execution")
                    .containerDefinitions(c -> c.name("plugin").image("plugins/kaniko-ecr:1.13.3").essential(true)
                            .secrets(launch.taskDefinitionSecrets()))).taskDefinition();
            // then: the references, as given
            var secrets = ecs.describeTaskDefinition(r -> r.taskDefinition(registered.taskDefinitionArn()))
                    .taskDefinition().containerDefinitions().get(0).secrets();
            assertFalse(secrets.isEmpty(), "the manual keys' references");
            assertEquals(launch.taskDefinitionSecrets(), secrets);
        }
    }

    private static CredentialsResolver resolver() {
        return new CredentialsResolver(clients, Clock.systemUTC(), Duration.ofMinutes(15));
    }

    private static ObjectNode payload() {
        return Fixtures.basePayload();
    }

    /** The SSM name the plan stashes the OIDC token under, as the StartBuild request references it. */
    private static String stashName(Plan plan) {
        var request = ((CodeBuildLaunch) plan.launch()).request();
        return request.environmentVariablesOverride().stream().filter(v -> v.name().equals("PLUGIN_OIDC_TOKEN_ID"))
                .findFirst().orElseThrow().value();
    }
}
