package dev.ecrpush.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.services.sts.StsClient;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFake.AwsRequest;

class AwsClientsTest {
    private static final Region REGION = Region.EU_WEST_1;

    private final AwsFake aws = new AwsFake();

    @AfterEach
    void stop() {
        aws.close();
    }

    @Test
    void clients_built_makeNoCallAndResolveNoCredentials() {
        // given
        AtomicInteger resolutions = new AtomicInteger();
        AwsCredentialsProvider counting = () -> {
            resolutions.incrementAndGet();
            return AwsFake.FUNCTION_CREDENTIALS.resolveCredentials();
        };
        AwsClients clients = new AwsClients(AwsClients.Options.defaults().withFunctionCredentials(counting)
                .withEndpointOverride(aws.endpoint()));

        // when
        Stream.of(clients.sts(REGION, counting), clients.ecr(REGION, counting), clients.codeBuild(REGION, counting),
                clients.ecs(REGION, counting), clients.secretsManager(REGION, counting), clients.ssm(REGION, counting))
                .forEach(SdkClient::close);

        // then
        assertEquals(0, resolutions.get());
        assertEquals(0, aws.requests().size());
        clients.close();
    }

    @Test
    void sts_builtByFactory_retriesInStandardMode() {
        // given
        AwsClients clients = new AwsClients(AwsClients.Options.defaults().withFunctionCredentials(AwsFake.FUNCTION_CREDENTIALS));

        // when
        try (StsClient sts = clients.sts(REGION, AwsFake.FUNCTION_CREDENTIALS)) {
            // then
            var strategy = sts.serviceClientConfiguration().overrideConfiguration().retryStrategy().orElseThrow();
            assertInstanceOf(StandardRetryStrategy.class, strategy);
            assertEquals(3, strategy.maxAttempts());
        }
        clients.close();
    }

    @Test
    void functionCredentials_defaultOptions_areNotResolvedAtConstruction() {
        // given
        // when
        AwsClients clients = new AwsClients();

        // then: only a lazy wrapper exists; resolving it here would read whatever the build machine has
        assertTrue(clients.functionCredentials().toString().contains("default chain"));
        clients.close();
    }

    static Stream<Arguments> services() {
        String identity = "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
                + "<Arn>arn:aws:iam::111111111111:user/u</Arn><UserId>AIDA</UserId><Account>111111111111</Account>"
                + "</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>";
        return Stream.of(
                Arguments.of("aws.endpointUrlSts", "GetCallerIdentity", identity,
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.sts(REGION, p).getCallerIdentity()),
                Arguments.of("aws.endpointUrlEcr", "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", "{}",
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.ecr(REGION, p).describeRepositories()),
                Arguments.of("aws.endpointUrlCodeBuild", "CodeBuild_20161006.ListProjects", "{}",
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.codeBuild(REGION, p).listProjects()),
                Arguments.of("aws.endpointUrlEcs", "AmazonEC2ContainerServiceV20141113.ListClusters", "{}",
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.ecs(REGION, p).listClusters()),
                Arguments.of("aws.endpointUrlSecretsManager", "secretsmanager.ListSecrets", "{}",
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.secretsManager(REGION, p).listSecrets()),
                Arguments.of("aws.endpointUrlSsm", "AmazonSSM.DescribeParameters", "{}",
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.ssm(REGION, p).describeParameters()),
                Arguments.of("aws.endpointUrl", "secretsmanager.ListSecrets", "{}",
                        (BiConsumer<AwsClients, AwsCredentialsProvider>) (c, p) -> c.secretsManager(REGION, p).listSecrets()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("services")
    void client_endpointSystemProperty_sendsSignedRequestThere(String property, String operation, String answer,
                                                              BiConsumer<AwsClients, AwsCredentialsProvider> call) {
        // given
        aws.stub(operation, operation.contains(".") ? AwsFake.json(answer)
                : com.github.tomakehurst.wiremock.client.WireMock.aResponse().withHeader("Content-Type", "text/xml").withBody(answer));
        AwsClients clients = new AwsClients(AwsClients.Options.defaults().withFunctionCredentials(AwsFake.FUNCTION_CREDENTIALS));
        System.setProperty(property, aws.endpoint().toString());
        try {
            // when
            call.accept(clients, AwsFake.FUNCTION_CREDENTIALS);
        } finally {
            System.clearProperty(property);
            clients.close();
        }

        // then
        AwsRequest request = aws.requests().get(0);
        assertEquals(operation, request.operation());
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, request.signedBy());
        assertEquals(REGION.id(), request.signingRegion());
    }

    @Test
    void client_explicitEndpointOverride_winsOverSystemProperty() {
        // given
        aws.stub("secretsmanager.ListSecrets", AwsFake.json("{}"));
        AwsClients clients = aws.clients();
        System.setProperty("aws.endpointUrlSecretsManager", "http://127.0.0.1:9");
        try {
            // when
            clients.secretsManager(REGION, AwsFake.FUNCTION_CREDENTIALS).listSecrets();
        } finally {
            System.clearProperty("aws.endpointUrlSecretsManager");
            clients.close();
        }

        // then
        assertEquals(1, aws.requests("secretsmanager.ListSecrets").size());
    }

    @Test
    void client_givenProvider_signsWithIt() {
        // given
        aws.stub("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", AwsFake.json("{}"));
        AwsCredentials target = software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIATARGETACCOUNT001", "s");
        AwsClients clients = aws.clients();

        // when
        clients.ecr(Region.US_EAST_1, () -> target).describeRepositories();

        // then
        AwsRequest request = aws.requests().get(0);
        assertEquals("AKIATARGETACCOUNT001", request.signedBy());
        assertEquals("us-east-1", request.signingRegion());
        clients.close();
    }
}
