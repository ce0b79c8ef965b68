package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The world the triggers run in: DynamoDB Local holding the idempotency table, and an {@link AwsFake} for every
 * other AWS API (Secrets Manager with the webhook secret, SSM with the trigger set, STS, ECR, CodeBuild, ECS,
 * Step Functions) answering the happy path of every call the triggers make. {@code @QuarkusTest}s get it from
 * {@link TriggerWorldResource}; the benchmark starts one for the packaged zip.
 */
public final class TriggerWorld implements AutoCloseable {
    public static final String TABLE = "ecr-build-push-idempotency";
    public static final String WEBHOOK_SECRET_ID = "ecr-build-push/webhooks";
    public static final String TRIGGERS_PARAMETER = "/ecr-build-push/triggers";
    public static final String BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    public static final String DIGEST = "sha256:" + "d".repeat(64);
    public static final String TASK_ARN = "arn:aws:ecs:us-east-1:111111111111:task/ecr-build-push/0f1e2d3c4b5a69788776655443322110";
    /** The target role's temporary key, which signs everything in the target account. */
    public static final String TARGET_KEY = "ASIATARGETROLE000002";

    private final AwsFake aws;
    private final DynamoDbLocal dynamoDb;

    private TriggerWorld(AwsFake aws, DynamoDbLocal dynamoDb) {
        this.aws = aws;
        this.dynamoDb = dynamoDb;
    }

    /** DynamoDB Local with the idempotency table, and the AWS fake with {@link #stubDefaults()}. */
    public static TriggerWorld start() {
        DynamoDbLocal dynamoDb = DynamoDbLocal.start();
        try {
            dynamoDb.createIdempotencyTable(TABLE);
            TriggerWorld world = new TriggerWorld(new AwsFake(), dynamoDb);
            world.stubDefaults();
            return world;
        } catch (RuntimeException e) {
            dynamoDb.close();
            throw e;
        }
    }

    public AwsFake aws() {
        return aws;
    }

    public DynamoDbLocal dynamoDb() {
        return dynamoDb;
    }

    public URI dynamoDbEndpoint() {
        return dynamoDb.endpoint();
    }

    /** The function's configuration for this world: its table, webhook secret, trigger set and CodeBuild region. */
    public Map<String, String> config() {
        return Map.of(
                "buildpush.codebuild.region", "us-east-1",
                "buildpush.idempotency.table", TABLE,
                "buildpush.webhooks.secret-id", WEBHOOK_SECRET_ID,
                "buildpush.triggers.parameter", TRIGGERS_PARAMETER,
                // The GitLab documentation's examples live on example.com, a self-managed GitLab for CodeBuild.
                "buildpush.codebuild.git-hosts", "example.com=GITLAB_SELF_MANAGED",
                // Gitea's builds run on ECS, which needs the roles the stack would give it.
                "buildpush.ecs.region", "us-east-1",
                "buildpush.ecs.cluster", "ecr-build-push",
                "buildpush.ecs.execution-role-arn", "arn:aws:iam::111111111111:role/ecr-build-push-execution",
                "buildpush.ecs.task-role-arn", "arn:aws:iam::111111111111:role/ecr-build-push-task");
    }

    /** Every fake answer a test does not change: the happy path of every call the triggers make. */
    public void stubDefaults() {
        aws.reset();
        ObjectNode secret = Fixtures.JSON.createObjectNode();
        new TreeMap<>(WebhookSigning.BY_KEY).forEach(secret::put);
        aws.replyWhenBodyContains(AwsFake.SECRETS_MANAGER + "GetSecretValue", WEBHOOK_SECRET_ID,
                AwsFake.json(Fixtures.JSON.createObjectNode().put("Name", WEBHOOK_SECRET_ID)
                        .put("SecretString", secret.toString()).toString()));
        aws.replyWhenBodyContains(AwsFake.SECRETS_MANAGER + "GetSecretValue", "ci/aws-ci-user",
                AwsFake.json("{\"Name\":\"ci/aws-ci-user\",\"SecretString\":\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY9\"}"));
        ObjectNode parameter = Fixtures.JSON.createObjectNode();
        parameter.putObject("Parameter").put("Name", TRIGGERS_PARAMETER).put("Type", "String")
                .put("Value", resource("/triggers/run-triggers.json")).put("Version", 1);
        aws.reply(AwsFake.SSM + "GetParameter", parameter.toString());
        aws.stub("AssumeRole", aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
                <Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>t</SecretAccessKey>
                <SessionToken>s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
                <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/push/x</Arn>\
                <AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
                </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"""
                .formatted(TARGET_KEY)));
        aws.fail(AwsFake.ECR + "CreateRepository", 400, "RepositoryAlreadyExistsException", "exists");
        // None of a run's tags exists yet: every run builds (onExistingTag).
        aws.reply(AwsFake.ECR + "BatchGetImage", "{\"images\": [], \"failures\": []}");
        startBuildAnswers(BUILD_ID);
        aws.fail(AwsFake.ECS + "DescribeTaskDefinition", 400, "ClientException", "Unable to describe task definition.");
        aws.reply(AwsFake.ECS + "RegisterTaskDefinition", "{\"taskDefinition\": {\"taskDefinitionArn\":"
                + " \"arn:aws:ecs:us-east-1:111111111111:task-definition/ecr-build-push-0000000000000000:1\", \"status\": \"ACTIVE\"}}");
        aws.reply(AwsFake.ECS + "RunTask", "{\"tasks\": [{\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"PROVISIONING\"}],"
                + " \"failures\": []}");
        aws.reply(AwsFake.STEP_FUNCTIONS + "SendTaskSuccess", "{}");
        aws.reply(AwsFake.STEP_FUNCTIONS + "SendTaskFailure", "{}");
    }

    /**
     * StartBuild answers with this build, and BatchGetBuilds with it succeeded, having exported {@link #DIGEST}:
     * the digest the build reports for itself.
     */
    public void startBuildAnswers(String buildId) {
        aws.reply(AwsFake.CODEBUILD + "StartBuild", "{\"build\":{\"id\":\"" + buildId
                + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + buildId + "\"}}");
        aws.reply(AwsFake.CODEBUILD + "BatchGetBuilds", "{\"builds\":[{\"id\":\"" + buildId
                + "\",\"buildStatus\":\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\",\"exportedEnvironmentVariables\":"
                + "[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + DIGEST + "\"}]}]}");
    }

    /**
     * DescribeTasks answers with this task of the function's layout: its status, the plugin container's exit code
     * (null: not exited), its creation and the step timeout in the source container's overrides; in the cluster its
     * ARN names, with the function's mark (its {@code startedBy} and a task definition of its family).
     */
    public void describeTasksAnswers(String taskArn, String lastStatus, String desiredStatus, Integer pluginExit,
            Instant createdAt, long timeoutSeconds) {
        describeTasksAnswers(taskArn, lastStatus, desiredStatus, pluginExit, createdAt, timeoutSeconds, "ecr-build-push",
                "ecr-build-push-0f1e2d3c4b5a6978");
    }

    /** As above, started by {@code startedBy} from a definition of {@code family}; null leaves either out. */
    public void describeTasksAnswers(String taskArn, String lastStatus, String desiredStatus, Integer pluginExit,
            Instant createdAt, long timeoutSeconds, String startedBy, String family) {
        describeTasksAnswers(aws, taskArn, lastStatus, desiredStatus, pluginExit, createdAt, timeoutSeconds, startedBy, family);
    }

    /** As above, on {@code aws} (the benchmark's fake, which runs without a world). */
    public static void describeTasksAnswers(AwsFake aws, String taskArn, String lastStatus, String desiredStatus, Integer pluginExit,
            Instant createdAt, long timeoutSeconds, String startedBy, String family) {
        String arnPrefix = taskArn.substring(0, taskArn.indexOf(":task/"));
        String cluster = taskArn.substring(taskArn.indexOf(":task/") + ":task/".length(), taskArn.lastIndexOf('/'));
        ObjectNode task = Fixtures.JSON.createObjectNode().put("taskArn", taskArn).put("lastStatus", lastStatus)
                .put("desiredStatus", desiredStatus).put("createdAt", createdAt.getEpochSecond())
                .put("clusterArn", arnPrefix + ":cluster/" + cluster);
        if (startedBy != null) {
            task.put("startedBy", startedBy);
        }
        if (family != null) {
            task.put("taskDefinitionArn", arnPrefix + ":task-definition/" + family + ":1");
        }
        if ("STOPPED".equals(lastStatus)) {
            task.put("stopCode", "EssentialContainerExited").put("stoppedReason", "Essential container in task exited");
        }
        ArrayNode containers = task.putArray("containers");
        containers.addObject().put("name", "source").put("exitCode", 0);
        ObjectNode plugin = containers.addObject().put("name", "plugin");
        if (pluginExit != null) {
            plugin.put("exitCode", pluginExit);
        }
        ArrayNode overrides = task.putObject("overrides").putArray("containerOverrides");
        overrides.addObject().put("name", "source").putArray("environment").addObject()
                .put("name", "BUILDPUSH_TIMEOUT_SECONDS").put("value", String.valueOf(timeoutSeconds));
        ArrayNode env = overrides.addObject().put("name", "plugin").putArray("environment");
        env.addObject().put("name", "PLUGIN_REGISTRY").put("value", "123456789012.dkr.ecr.us-east-1.amazonaws.com");
        env.addObject().put("name", "PLUGIN_REPO").put("value", "acme/app");
        env.addObject().put("name", "PLUGIN_TAGS").put("value", "v1");
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        answer.putArray("tasks").add(task);
        answer.putArray("failures");
        aws.replyWhenBodyContains(AwsFake.ECS + "DescribeTasks", taskArn, AwsFake.json(answer.toString()));
    }

    @Override
    public void close() {
        try {
            aws.close();
        } finally {
            dynamoDb.close();
        }
    }

    /** A file of the test resources, from the class path: the benchmark runs this class from the tests' jar. */
    private static String resource(String name) {
        try (InputStream in = TriggerWorld.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("no " + name + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
