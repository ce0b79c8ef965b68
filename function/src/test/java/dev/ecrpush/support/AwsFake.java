package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

import dev.ecrpush.aws.AwsClients;

/**
 * An in-process fake of the AWS APIs the function calls, on a dynamic loopback port: STS speaks the Query
 * protocol (form-encoded {@code Action=...}, XML answers), the others JSON 1.1 ({@code X-Amz-Target}).
 * Requests are read back as AWS receives them, including which access key signed each one.
 *
 * <p>The one fake of the AWS APIs in the tests. Each instance is its own server with its own stubs and
 * requests: unit tests make one, {@code @QuarkusTest}s get the one their test resource started
 * ({@link AwsFakeResource}, {@link TriggerWorldResource}) injected into an {@link InjectFake} field, and the
 * packaged zip's tests and the benchmark point the function's {@code AWS_ENDPOINT_URL} at {@link #endpoint()}.
 * Scenarios that several of them share stub an instance: {@link KnownTargetScenario}, {@link TriggerWorld}.
 *
 * <p>An operation is named as the wire names it: an STS {@code Action} ({@code "AssumeRole"}) or a JSON
 * target ({@code "secretsmanager.GetSecretValue"}, {@code ECR + "CreateRepository"}); Signer's one REST call is
 * {@code SIGNER + "GetSigningProfile"}.
 */
public final class AwsFake implements AutoCloseable {
    public static final String ECR = "AmazonEC2ContainerRegistry_V20150921.";
    public static final String CODEBUILD = "CodeBuild_20161006.";
    public static final String SSM = "AmazonSSM.";
    public static final String ECS = "AmazonEC2ContainerServiceV20141113.";
    public static final String LOGS = "Logs_20140328.";
    public static final String SECRETS_MANAGER = "secretsmanager.";
    public static final String STEP_FUNCTIONS = "AWSStepFunctions.";
    /** AWS Signer speaks REST JSON: {@code SIGNER + "GetSigningProfile"} is {@code GET /signing-profiles/NAME}. */
    public static final String SIGNER = "signer.";
    private static final String SIGNING_PROFILES = "/signing-profiles/";

    /** The function's own credentials in every test: never the environment's. */
    public static final String FUNCTION_ACCESS_KEY = "AKIAFUNCTIONROLE0001";
    public static final AwsCredentialsProvider FUNCTION_CREDENTIALS = StaticCredentialsProvider.create(
            AwsBasicCredentials.create(FUNCTION_ACCESS_KEY, "functionRoleSecretKey0000000000000000000"));

    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/\\d{8}/([^/]+)/([^/]+)/aws4_request");

    private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));

    public AwsFake() {
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** A factory whose clients all come here, signed by {@link #FUNCTION_CREDENTIALS}, retrying without delay. */
    public AwsClients clients() {
        return new AwsClients(AwsClients.Options.defaults()
                .withFunctionCredentials(FUNCTION_CREDENTIALS)
                .withEndpointOverride(endpoint())
                .withBackoff(BackoffStrategy.retryImmediately()));
    }

    /** The function's clients of one service in {@code region}, as {@link #clients()} makes them. */
    public EcrClient ecr(Region region) {
        return clients().ecr(region, FUNCTION_CREDENTIALS);
    }

    public CodeBuildClient codeBuild(Region region) {
        return clients().codeBuild(region, FUNCTION_CREDENTIALS);
    }

    public SsmClient ssm(Region region) {
        return clients().ssm(region, FUNCTION_CREDENTIALS);
    }

    public EcsClient ecs(Region region) {
        return clients().ecs(region, FUNCTION_CREDENTIALS);
    }

    public CloudWatchLogsClient logs(Region region) {
        return clients().logs(region, FUNCTION_CREDENTIALS);
    }

    /** Answers {@code target} (e.g. {@code ECR + "CreateRepository"}) with 200 and the JSON {@code body}. */
    public void reply(String target, String body) {
        stub(target, json(body));
    }

    /** Answers {@code target} with an AWS error of type {@code code}. */
    public void fail(String target, int status, String code, String message) {
        stub(target, jsonError(status, code, message));
    }

    /** Answers {@code target} with an AWS error when the request body contains {@code fragment}; wins over earlier stubs. */
    public void failWhenBodyContains(String target, String fragment, int status, String code, String message) {
        server.stubFor(matching(target).withRequestBody(containing(fragment)).willReturn(jsonError(status, code, message)));
    }

    /** Answers {@code target} with {@code response} when the request body contains {@code fragment}; wins over earlier stubs. */
    public void replyWhenBodyContains(String target, String fragment, ResponseDefinitionBuilder response) {
        server.stubFor(matching(target).withRequestBody(containing(fragment)).willReturn(response));
    }

    /** Fails {@code target} with {@code code} {@code times} times in a row, then answers {@code body}. */
    public void failThenReply(String target, int times, int status, String code, String body) {
        stubFailingFirst(target, times, jsonError(status, code, "Rate exceeded"), json(body));
    }

    public void stub(String operation, ResponseDefinitionBuilder response) {
        server.stubFor(matching(operation).willReturn(response));
    }

    /** {@code failures} answers of {@code failure}, then {@code success} for good. */
    public void stubFailingFirst(String operation, int failures, ResponseDefinitionBuilder failure, ResponseDefinitionBuilder success) {
        String scenario = operation + " failing " + failures;
        String state = Scenario.STARTED;
        for (int i = 1; i <= failures; i++) {
            String next = "failed " + i;
            server.stubFor(matching(operation).inScenario(scenario).whenScenarioStateIs(state).willSetStateTo(next).willReturn(failure));
            state = next;
        }
        server.stubFor(matching(operation).inScenario(scenario).whenScenarioStateIs(state).willReturn(success));
    }

    /** A successful {@code AssumeRole} or {@code AssumeRoleWithWebIdentity} answer. */
    public static ResponseDefinitionBuilder stsCredentials(String action, String accessKey, String secretKey, String sessionToken,
            Instant expiration) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(
                "<" + action + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><" + action + "Result>"
                        + "<Credentials><AccessKeyId>" + accessKey + "</AccessKeyId><SecretAccessKey>" + secretKey
                        + "</SecretAccessKey><SessionToken>" + sessionToken + "</SessionToken><Expiration>" + expiration
                        + "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
                        + "<AssumedRoleId>AROAEXAMPLEID:s</AssumedRoleId></AssumedRoleUser></" + action + "Result>"
                        + "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></" + action + "Response>");
    }

    public static ResponseDefinitionBuilder stsError(int status, String code) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" + code
                        + "</Code><Message>refused by the fake</Message></Error><RequestId>req-e</RequestId></ErrorResponse>");
    }

    public static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }

    public static ResponseDefinitionBuilder jsonError(int status, String type) {
        return jsonError(status, type, "refused by the fake");
    }

    public static ResponseDefinitionBuilder jsonError(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(Fixtures.JSON.createObjectNode().put("__type", type).put("message", message).toString());
    }

    public static ResponseDefinitionBuilder secretString(String value) {
        return json(Fixtures.JSON.createObjectNode().put("ARN", "arn:aws:secretsmanager:us-east-1:111111111111:secret:x-AbCdEf")
                .put("Name", "x").put("SecretString", value).put("VersionId", "v1").toString());
    }

    public static ResponseDefinitionBuilder parameter(String name, String value) {
        var body = Fixtures.JSON.createObjectNode();
        body.putObject("Parameter").put("Name", name).put("Type", "SecureString").put("Value", value).put("Version", 1);
        return json(body.toString());
    }

    /** Every request received, oldest first. */
    public List<AwsRequest> requests() {
        List<AwsRequest> requests = new ArrayList<>();
        for (ServeEvent event : server.getAllServeEvents()) {
            requests.add(AwsRequest.of(event.getRequest()));
        }
        Collections.reverse(requests);
        return requests;
    }

    public List<AwsRequest> requests(String operation) {
        return requests().stream().filter(r -> r.operation().equals(operation)).toList();
    }

    /** The operations called, oldest first, without their service prefix: {@code ["CreateRepository", "PutLifecyclePolicy"]}. */
    public List<String> operations() {
        return requests().stream().map(r -> r.operation().substring(r.operation().indexOf('.') + 1)).toList();
    }

    /**
     * Every call received, oldest first, as {@code "Operation by ACCESSKEY"}: the operation without its service
     * prefix and the access key that signed it ({@code nobody} when unsigned).
     */
    public List<String> calls() {
        return requests().stream().map(r -> r.operation().substring(r.operation().indexOf('.') + 1) + " by "
                + (r.signedBy() != null ? r.signedBy() : "nobody")).toList();
    }

    /** The JSON bodies sent to {@code target}, oldest first. */
    public List<JsonNode> bodies(String target) {
        return requests(target).stream().map(r -> AwsRequest.readJson(r.body())).toList();
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

    private static MappingBuilder matching(String operation) {
        if (operation.equals(SIGNER + "GetSigningProfile")) {
            return get(urlPathMatching(SIGNING_PROFILES + "[^/]+"));
        }
        MappingBuilder request = post(urlPathEqualTo("/"));
        return operation.contains(".")
                ? request.withHeader("X-Amz-Target", equalTo(operation))
                : request.withFormParam("Action", equalTo(operation));
    }

    /**
     * One request as AWS would see it.
     *
     * @param params     the form fields (Query protocol) or the top-level JSON fields, as text
     * @param signedBy   the access key ID in the SigV4 {@code Authorization} header; null when unsigned
     * @param signingRegion the region in the signature's scope; null when unsigned
     * @param headers    every header as received, as text
     */
    public record AwsRequest(String operation, Map<String, String> params, String signedBy, String signingRegion, String body,
            String headers) {
        static AwsRequest of(LoggedRequest request) {
            String body = request.getBodyAsString();
            String target = request.getHeader("X-Amz-Target");
            Map<String, String> params = new LinkedHashMap<>();
            URI url = URI.create(request.getUrl());
            if (target == null && url.getPath().startsWith(SIGNING_PROFILES)) {
                // REST: the profile's name is the path's, its owner a query parameter.
                target = SIGNER + "GetSigningProfile";
                params.put("profileName", decode(url.getPath().substring(SIGNING_PROFILES.length())));
                if (url.getRawQuery() != null) {
                    for (String pair : url.getRawQuery().split("&")) {
                        String[] kv = pair.split("=", 2);
                        params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
                    }
                }
            } else if (target == null) {
                for (String pair : body.split("&")) {
                    String[] kv = pair.split("=", 2);
                    params.put(decode(kv[0]), kv.length > 1 ? decode(kv[1]) : "");
                }
            } else if (!target.startsWith(SIGNER)) {
                JsonNode json = readJson(body);
                json.fields().forEachRemaining(e -> params.put(e.getKey(),
                        e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            }
            String operation = target != null ? target : params.getOrDefault("Action", "?");
            Matcher credential = CREDENTIAL.matcher(String.valueOf(request.getHeader("Authorization")));
            boolean signed = credential.find();
            return new AwsRequest(operation, params, signed ? credential.group(1) : null, signed ? credential.group(2) : null, body,
                    request.getHeaders().all().toString());
        }

        private static String decode(String text) {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }

        static JsonNode readJson(String body) {
            try {
                return Fixtures.JSON.readTree(body.isEmpty() ? "{}" : body);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("not JSON: " + body, e);
            }
        }
    }
}
