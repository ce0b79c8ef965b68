package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * An in-process HTTP fake of the JSON 1.1 AWS APIs (ECR, CodeBuild, SSM, ECS), and real SDK clients pointed at it,
 * so tests see each request exactly as AWS would receive it. Operations are told apart by {@code X-Amz-Target}.
 */
public final class FakeAws implements AutoCloseable {
    public static final String ECR = "AmazonEC2ContainerRegistry_V20150921.";
    public static final String CODEBUILD = "CodeBuild_20161006.";
    public static final String SSM = "AmazonSSM.";
    public static final String ECS = "AmazonEC2ContainerServiceV20141113.";
    private static final String JSON_11 = "application/x-amz-json-1.1";

    private final WireMockServer server = new WireMockServer(options().dynamicPort());

    public FakeAws() {
        server.start();
    }

    public EcrClient ecr(Region region) {
        return configure(EcrClient.builder(), region).build();
    }

    public CodeBuildClient codeBuild(Region region) {
        return configure(CodeBuildClient.builder(), region).build();
    }

    public SsmClient ssm(Region region) {
        return configure(SsmClient.builder(), region).build();
    }

    public EcsClient ecs(Region region) {
        return configure(EcsClient.builder(), region).build();
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, Region region) {
        return builder.endpointOverride(URI.create(server.baseUrl()))
                .region(region)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDTESTONLY", "test-secret")))
                .httpClient(UrlConnectionHttpClient.create());
    }

    /** Answers {@code target} (e.g. {@code ECR + "CreateRepository"}) with 200 and {@code body}. */
    public void reply(String target, String body) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).willReturn(ok(body)));
    }

    /** Answers {@code target} with an AWS error of type {@code code}. */
    public void fail(String target, int status, String code, String message) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).willReturn(error(status, code, message)));
    }

    /** Answers {@code target} with an AWS error when the request body contains {@code fragment}; wins over earlier stubs. */
    public void failWhenBodyContains(String target, String fragment, int status, String code, String message) {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                .withRequestBody(containing(fragment)).willReturn(error(status, code, message)));
    }

    /** Fails {@code target} with {@code code} {@code times} times in a row, then answers {@code body}. */
    public void failThenReply(String target, int times, int status, String code, String body) {
        for (int i = 0; i <= times; i++) {
            server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))
                    .inScenario(target)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "failed-" + i)
                    .willReturn(i < times ? error(status, code, "Rate exceeded") : ok(body))
                    .willSetStateTo(i < times ? "failed-" + (i + 1) : "done"));
        }
    }

    /** Every request received, oldest first. */
    public List<LoggedRequest> requests() {
        List<LoggedRequest> requests = new ArrayList<>(server.findAll(anyRequestedFor(anyUrl())));
        requests.sort(Comparator.comparing(LoggedRequest::getLoggedDate));
        return requests;
    }

    /** The operations called, oldest first, e.g. {@code ["CreateRepository", "PutLifecyclePolicy"]}. */
    public List<String> operations() {
        return requests().stream().map(r -> {
            String target = r.getHeader("X-Amz-Target");
            return target == null ? r.getUrl() : target.substring(target.indexOf('.') + 1);
        }).toList();
    }

    /** The JSON bodies sent to {@code target}, oldest first. */
    public List<JsonNode> bodies(String target) {
        return requests().stream().filter(r -> target.equals(r.getHeader("X-Amz-Target"))).map(r -> {
            try {
                return Fixtures.JSON.readTree(r.getBodyAsString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    public void resetRequests() {
        server.resetRequests();
    }

    public void reset() {
        server.resetAll();
    }

    @Override
    public void close() {
        server.stop();
    }

    private static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", JSON_11).withBody(body);
    }

    private static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON_11)
                .withBody(Fixtures.JSON.createObjectNode().put("__type", code).put("message", message).toString());
    }
}
