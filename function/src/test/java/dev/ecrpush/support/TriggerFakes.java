package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The world the triggers run in, for {@code @QuarkusTest}s: DynamoDB Local holding the idempotency table (the
 * SDK's {@code aws.endpointUrlDynamoDb}), and one WireMock server for every other AWS API (Secrets Manager with
 * the webhook secret, SSM with the trigger set, ECR, CodeBuild, Step Functions), reached through
 * {@code aws.endpointUrl}, with the function's own credentials as the SDK's system properties.
 */
public class TriggerFakes implements QuarkusTestResourceLifecycleManager {
    public static final String FUNCTION_ACCESS_KEY = "AKIAFUNCTIONROLE0002";
    public static final String TABLE = "ecr-build-push-idempotency";
    public static final String WEBHOOK_SECRET_ID = "ecr-build-push/webhooks";
    public static final String TRIGGERS_PARAMETER = "/ecr-build-push/triggers";
    public static final String BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    public static final String DIGEST = "sha256:" + "d".repeat(64);
    private static final Pattern SIGNER = Pattern.compile("Credential=([A-Z0-9]+)/");
    /** Its own: the benchmark runs this class without the function's classes on its classpath. */
    private static final ObjectMapper JSON = new ObjectMapper();

    public static WireMockServer aws;
    public static DynamoDbLocal dynamoDb;

    @Override
    public Map<String, String> start() {
        dynamoDb = DynamoDbLocal.start();
        dynamoDb.createIdempotencyTable(TABLE);
        aws = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        aws.start();
        System.setProperty("aws.endpointUrl", aws.baseUrl());
        System.setProperty("aws.endpointUrlDynamoDb", dynamoDb.endpoint().toString());
        System.setProperty("aws.accessKeyId", FUNCTION_ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", "function-role-secret");
        System.setProperty("aws.region", "us-east-1");
        stubDefaults();
        return Map.of(
                "buildpush.codebuild.region", "us-east-1",
                "buildpush.idempotency.table", TABLE,
                "buildpush.webhooks.secret-id", WEBHOOK_SECRET_ID,
                "buildpush.triggers.parameter", TRIGGERS_PARAMETER,
                // The GitLab documentation's examples live on example.com, a self-managed GitLab for CodeBuild.
                "buildpush.codebuild.git-hosts", "example.com=GITLAB_SELF_MANAGED");
    }

    @Override
    public void stop() {
        for (String property : new String[] {"aws.endpointUrl", "aws.endpointUrlDynamoDb", "aws.accessKeyId",
                "aws.secretAccessKey", "aws.region"}) {
            System.clearProperty(property);
        }
        aws.stop();
        dynamoDb.close();
    }

    /** Every fake answer a test does not change: the happy path of every call the triggers make. */
    public static void stubDefaults() {
        aws.resetAll();
        ObjectNode secret = JSON.createObjectNode()
                .put("github", WebhookSigning.GITHUB_SECRET).put("gitlab", WebhookSigning.GITLAB_TOKEN)
                .put("gitlabSigningToken", WebhookSigning.GITLAB_SIGNING_TOKEN).put("bitbucket", WebhookSigning.BITBUCKET_SECRET);
        stub(target("secretsmanager.GetSecretValue").withRequestBody(containing(WEBHOOK_SECRET_ID)),
                json(JSON.createObjectNode().put("Name", WEBHOOK_SECRET_ID).put("SecretString", secret.toString())));
        stub(target("secretsmanager.GetSecretValue").withRequestBody(containing("ci/aws-ci-user")),
                json("{\"Name\":\"ci/aws-ci-user\",\"SecretString\":\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY9\"}"));
        ObjectNode parameter = JSON.createObjectNode();
        parameter.putObject("Parameter").put("Name", TRIGGERS_PARAMETER).put("Type", "String")
                .put("Value", read(Path.of("src/test/resources/triggers/run-triggers.json"))).put("Version", 1);
        stub(target("AmazonSSM.GetParameter"), json(parameter));
        stub(post(urlPathEqualTo("/")).withRequestBody(containing("Action=AssumeRole")), aResponse().withStatus(200)
                .withHeader("Content-Type", "text/xml").withBody("""
                        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
                        <Credentials><AccessKeyId>ASIATARGETROLE000002</AccessKeyId><SecretAccessKey>t</SecretAccessKey>
                        <SessionToken>s</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
                        <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/push/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
                        </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"""));
        stub(target("AmazonEC2ContainerRegistry_V20150921.CreateRepository"),
                aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"RepositoryAlreadyExistsException\",\"message\":\"exists\"}"));
        startBuildAnswers(BUILD_ID);
        stub(target("AWSStepFunctions.SendTaskSuccess"), json("{}"));
        stub(target("AWSStepFunctions.SendTaskFailure"), json("{}"));
    }

    /**
     * StartBuild answers with this build, and BatchGetBuilds with it succeeded, having exported {@link #DIGEST}:
     * the digest the build reports for itself.
     */
    public static void startBuildAnswers(String buildId) {
        stub(target("CodeBuild_20161006.StartBuild"), json("{\"build\":{\"id\":\"" + buildId
                + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + buildId + "\"}}"));
        stub(target("CodeBuild_20161006.BatchGetBuilds"), json("{\"builds\":[{\"id\":\"" + buildId
                + "\",\"buildStatus\":\"SUCCEEDED\",\"currentPhase\":\"COMPLETED\",\"exportedEnvironmentVariables\":"
                + "[{\"name\":\"BUILDPUSH_IMAGE_DIGEST\",\"value\":\"" + DIGEST + "\"}]}]}"));
    }

    public static MappingBuilder target(String target) {
        return post(urlPathEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
    }

    public static void stub(MappingBuilder request, ResponseDefinitionBuilder response) {
        aws.stubFor(request.willReturn(response));
    }

    public static ResponseDefinitionBuilder json(Object body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body.toString());
    }

    /** The requests of one operation (its X-Amz-Target, e.g. {@code CodeBuild_20161006.StartBuild}), oldest first. */
    public static List<LoggedRequest> requests(String target) {
        return aws.getAllServeEvents().stream().map(e -> e.getRequest())
                .filter(r -> target.equals(r.getHeader("X-Amz-Target")))
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate())).toList();
    }

    /** Every call the WireMock fake received, as "Operation by AccessKey", oldest first. */
    public static List<String> calls() {
        return aws.getAllServeEvents().stream().map(e -> e.getRequest())
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
                .map(TriggerFakes::describe).toList();
    }

    public static JsonNode body(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String describe(LoggedRequest request) {
        String target = request.getHeader("X-Amz-Target");
        String operation = target != null ? target.substring(target.indexOf('.') + 1)
                : request.getBodyAsString().replaceAll(".*Action=([A-Za-z]+).*", "$1");
        Matcher signer = SIGNER.matcher(String.valueOf(request.getHeader("Authorization")));
        return operation + " by " + (signer.find() ? signer.group(1) : "nobody");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
