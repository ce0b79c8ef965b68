package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The run the call budget is about: manual keys in Secrets Manager, a role in another account, a
 * repository that exists (or not) and a CodeBuild project, answered by one WireMock server standing in for
 * every AWS API. Used by the run-path test in the application, by the packaged zip's test and by the
 * benchmark, so all three count the same calls.
 */
public final class KnownTargetScenario {
    /** The connector's secret key, as stored in Secrets Manager: it must never leave the function. */
    public static final String SECRET_KEY_VALUE = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY0";
    /** The connector's access key (in the payload) that signs AssumeRole. */
    public static final String CONNECTOR_KEY = "AKIAEXAMPLE";
    /** The target role's temporary key, which signs everything in the target account. */
    public static final String TARGET_KEY = "ASIATARGETROLE000001";
    public static final String BUILD_ID = "ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001";
    private static final String JSON_11 = "application/x-amz-json-1.1";
    private static final Pattern SIGNER = Pattern.compile("Credential=([A-Z0-9]+)/");

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

    public static void stub(WireMockServer aws, boolean repositoryExists) {
        aws.resetAll();
        aws.stubFor(post(urlPathEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(json("{\"Name\":\"ci/aws\",\"SecretString\":\"" + SECRET_KEY_VALUE + "\"}")));
        aws.stubFor(post(urlPathEqualTo("/")).withRequestBody(containing("Action=AssumeRole"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
                        <Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>target-secret</SecretAccessKey>
                        <SessionToken>target-session</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
                        <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/push/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
                        </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>
                        """.formatted(TARGET_KEY))));
        aws.stubFor(ecr("CreateRepository").willReturn(repositoryExists
                ? error("RepositoryAlreadyExistsException")
                : json("{\"repository\":{\"repositoryName\":\"app\",\"registryId\":\"123456789012\"}}")));
        aws.stubFor(ecr("PutLifecyclePolicy").willReturn(json("{}")));
        aws.stubFor(ecr("DescribeRepositories").willReturn(error("RepositoryNotFoundException")));
        aws.stubFor(codeBuild("BatchGetProjects").willReturn(json("{\"projects\":[{\"name\":\"ecr-build-push\","
                + "\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:project/ecr-build-push\","
                + "\"serviceRole\":\"arn:aws:iam::111111111111:role/build\"}]}")));
        aws.stubFor(codeBuild("StartBuild").willReturn(json("{\"build\":{\"id\":\"" + BUILD_ID + "\","
                + "\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/" + BUILD_ID + "\"}}")));
    }

    /** Each call the fake received, in order: the operation and the access key that signed it. */
    public static List<String> calls(WireMockServer aws) {
        return aws.getAllServeEvents().stream()
                .map(e -> e.getRequest())
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
                .map(KnownTargetScenario::describe)
                .toList();
    }

    private static String describe(LoggedRequest request) {
        String target = request.getHeader("X-Amz-Target");
        String operation = target != null ? target.substring(target.indexOf('.') + 1)
                : request.getBodyAsString().replaceAll(".*Action=([A-Za-z]+).*", "$1");
        Matcher signer = SIGNER.matcher(String.valueOf(request.getHeader("Authorization")));
        return operation + " by " + (signer.find() ? signer.group(1) : "nobody");
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder ecr(String operation) {
        return post(urlPathEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonEC2ContainerRegistry_V20150921." + operation));
    }

    private static com.github.tomakehurst.wiremock.client.MappingBuilder codeBuild(String operation) {
        return post(urlPathEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006." + operation));
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", JSON_11).withBody(body);
    }

    private static ResponseDefinitionBuilder error(String type) {
        return aResponse().withStatus(400).withHeader("Content-Type", JSON_11)
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + type + "\"}");
    }
}
