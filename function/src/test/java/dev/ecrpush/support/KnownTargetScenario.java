package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The run the call budget is about: manual keys in Secrets Manager, a role in another account, a
 * repository that exists (or not) and a CodeBuild project, answered by an {@link AwsFake}. Used by the
 * run-path test in the application, by the packaged zip's test and by the benchmark, so all three count the
 * same calls ({@link AwsFake#calls()}).
 */
public final class KnownTargetScenario {
    /** The connector's secret key, as stored in Secrets Manager: it must never leave the function. */
    public static final String SECRET_KEY_VALUE = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY0";
    /** The connector's access key (in the payload) that signs AssumeRole. */
    public static final String CONNECTOR_KEY = "AKIAEXAMPLE";
    /** The target role's temporary key, which signs everything in the target account. */
    public static final String TARGET_KEY = "ASIATARGETROLE000001";
    public static final String BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";

    private KnownTargetScenario() {
    }

    /** A run or preflight payload for {@code image} through a role of its own (credentials are cached per role). */
    public static ObjectNode payload(String mode, String image, String role) {
        ObjectNode payload = Fixtures.basePayload().put("mode", mode);
        ((ObjectNode) payload.at("/step/spec")).put("imageName", image);
        ((ObjectNode) payload.at("/connectors/aws/spec/credential")).putObject("crossAccountAccess")
                .put("crossAccountRoleArn", "arn:aws:iam::123456789012:role/" + role).put("externalId", "ext-123");
        return payload;
    }

    /** Stubs {@code aws} afresh for this run: the connector's secret, the target role, ECR and CodeBuild. */
    public static void stub(AwsFake aws, boolean repositoryExists) {
        aws.reset();
        aws.reply(AwsFake.SECRETS_MANAGER + "GetSecretValue", "{\"Name\":\"ci/aws\",\"SecretString\":\"" + SECRET_KEY_VALUE + "\"}");
        aws.stub("AssumeRole", aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
                <Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>target-secret</SecretAccessKey>
                <SessionToken>target-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
                <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/push/x</Arn>\
                <AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
                </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
                """.formatted(TARGET_KEY)));
        if (repositoryExists) {
            aws.fail(AwsFake.ECR + "CreateRepository", 400, "RepositoryAlreadyExistsException", "RepositoryAlreadyExistsException");
        } else {
            aws.reply(AwsFake.ECR + "CreateRepository", "{\"repository\":{\"repositoryName\":\"app\",\"registryId\":\"123456789012\"}}");
        }
        aws.reply(AwsFake.ECR + "PutLifecyclePolicy", "{}");
        // None of the run's tags exists yet (onExistingTag): the run builds.
        aws.reply(AwsFake.ECR + "BatchGetImage", "{\"images\": [], \"failures\": []}");
        aws.fail(AwsFake.ECR + "DescribeRepositories", 400, "RepositoryNotFoundException", "RepositoryNotFoundException");
        aws.reply(AwsFake.CODEBUILD + "BatchGetProjects", "{\"projects\":[{\"name\":\"ecr-build-push\","
                + "\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:project/ecr-build-push\","
                + "\"serviceRole\":\"arn:aws:iam::111111111111:role/build\"}]}");
        aws.reply(AwsFake.CODEBUILD + "StartBuild", "{\"build\":{\"id\":\"" + BUILD_ID + "\","
                + "\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + BUILD_ID + "\"}}");
    }
}
