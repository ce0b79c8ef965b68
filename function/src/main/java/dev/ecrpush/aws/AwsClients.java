package dev.ecrpush.aws;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.StandardRetryStrategy;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.signer.SignerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds the SDK clients of every stage the same way, so a cold start pays for one HTTP client and no
 * client guesses its region or credentials from the environment: one shared {@link UrlConnectionHttpClient},
 * an explicit region and credentials provider, and the SDK's STANDARD retry strategy.
 *
 * <p>Endpoints are the SDK's: {@code AWS_ENDPOINT_URL} / {@code AWS_ENDPOINT_URL_<SERVICE>} (or the
 * {@code aws.endpointUrl*} system properties) reach every client built here, so the function runs unchanged
 * against an emulator. {@link Options#withEndpointOverride} sends every client to one URL instead (tests).
 *
 * <p>Construction makes no network call and resolves no credentials, so a SnapStart snapshot holds none.
 *
 * <p>Clients are kept: one per service, region and credentials provider (compared by identity, so a refreshed
 * provider gets a client of its own), made on first use and reused by warm invocations. The factory closes them
 * when it is closed, and closes the least recently used ones beyond {@value #MAX_CLIENTS}; callers never close
 * a client they got here.
 */
@ApplicationScoped
public class AwsClients {
    private final SdkHttpClient httpClient;
    private final AwsCredentialsProvider functionCredentials;
    private final URI endpointOverride;
    private final BackoffStrategy backoff;
    /** Least recently used first; a function uses a few services in a region or two, and a few target accounts. */
    private final Map<ClientKey, SdkClient> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientKey, SdkClient> eldest) {
            if (size() > MAX_CLIENTS) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };
    static final int MAX_CLIENTS = 64;

    private record ClientKey(Class<? extends SdkClient> service, Region region, AwsCredentialsProvider credentials) {
        @Override
        public boolean equals(Object other) {
            return other instanceof ClientKey key && key.service == service && key.region.equals(region)
                    && key.credentials == credentials;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * service.hashCode() + region.hashCode()) + System.identityHashCode(credentials);
        }
    }

    /** The production factory: the function's credentials from the SDK default chain, SDK endpoints and backoff. */
    @Inject
    public AwsClients() {
        this(Options.defaults());
    }

    public AwsClients(Options options) {
        this(options, UrlConnectionHttpClient.builder().build());
    }

    /**
     * A factory whose clients all send through {@code httpClient}, which it closes with them: SnapStart priming's
     * clients answer locally ({@link dev.ecrpush.priming.CannedAws}) and never reach AWS.
     */
    public AwsClients(Options options, SdkHttpClient httpClient) {
        this.httpClient = httpClient;
        this.functionCredentials = options.functionCredentials() != null
                ? options.functionCredentials()
                : new LazyDefaultCredentials();
        this.endpointOverride = options.endpointOverride();
        this.backoff = options.backoff();
    }

    /**
     * How the factory is set up.
     *
     * @param functionCredentials the function's own credentials; null means the SDK default chain, created on
     *                            first use
     * @param endpointOverride    one URL for every client, ahead of the SDK's endpoint settings; null for none
     * @param backoff             the delay between retries (plain and throttled); null for the SDK's
     */
    public record Options(AwsCredentialsProvider functionCredentials, URI endpointOverride, BackoffStrategy backoff) {
        public static Options defaults() {
            return new Options(null, null, null);
        }

        public Options withFunctionCredentials(AwsCredentialsProvider credentials) {
            return new Options(credentials, endpointOverride, backoff);
        }

        public Options withEndpointOverride(URI endpoint) {
            return new Options(functionCredentials, endpoint, backoff);
        }

        public Options withBackoff(BackoffStrategy strategy) {
            return new Options(functionCredentials, endpointOverride, strategy);
        }
    }

    /**
     * The function's own credentials (its execution role on Lambda). Resolved on each call that signs with
     * it, never here, so that a SnapStart snapshot carries no credentials.
     */
    public AwsCredentialsProvider functionCredentials() {
        return functionCredentials;
    }

    /**
     * The function's own region, for the clients of its own resources (the idempotency table, Step Functions):
     * {@code AWS_REGION} as Lambda sets it, else the {@code aws.region} system property, else us-east-1.
     */
    public Region functionRegion() {
        String region = System.getenv("AWS_REGION");
        if (region == null || region.isBlank()) {
            region = System.getProperty("aws.region", "us-east-1");
        }
        return Region.of(region);
    }

    public StsClient sts(Region region, AwsCredentialsProvider credentials) {
        return kept(StsClient.class, region, credentials, () -> build(StsClient.builder(), region, credentials));
    }

    public EcrClient ecr(Region region, AwsCredentialsProvider credentials) {
        return kept(EcrClient.class, region, credentials, () -> build(EcrClient.builder(), region, credentials));
    }

    public CodeBuildClient codeBuild(Region region, AwsCredentialsProvider credentials) {
        return kept(CodeBuildClient.class, region, credentials, () -> build(CodeBuildClient.builder(), region, credentials));
    }

    public CloudWatchLogsClient logs(Region region, AwsCredentialsProvider credentials) {
        return kept(CloudWatchLogsClient.class, region, credentials, () -> build(CloudWatchLogsClient.builder(), region, credentials));
    }

    public EcsClient ecs(Region region, AwsCredentialsProvider credentials) {
        return kept(EcsClient.class, region, credentials, () -> build(EcsClient.builder(), region, credentials));
    }

    public SecretsManagerClient secretsManager(Region region, AwsCredentialsProvider credentials) {
        return kept(SecretsManagerClient.class, region, credentials, () -> build(SecretsManagerClient.builder(), region, credentials));
    }

    public SsmClient ssm(Region region, AwsCredentialsProvider credentials) {
        return kept(SsmClient.class, region, credentials, () -> build(SsmClient.builder(), region, credentials));
    }

    public DynamoDbClient dynamoDb(Region region, AwsCredentialsProvider credentials) {
        return kept(DynamoDbClient.class, region, credentials, () -> build(DynamoDbClient.builder(), region, credentials));
    }

    public SignerClient signer(Region region, AwsCredentialsProvider credentials) {
        return kept(SignerClient.class, region, credentials, () -> build(SignerClient.builder(), region, credentials));
    }

    public SfnClient sfn(Region region, AwsCredentialsProvider credentials) {
        return kept(SfnClient.class, region, credentials, () -> build(SfnClient.builder(), region, credentials));
    }

    private <C extends SdkClient> C kept(Class<C> service, Region region, AwsCredentialsProvider credentials, Supplier<C> make) {
        ClientKey key = new ClientKey(service, region, credentials);
        synchronized (clients) {
            return service.cast(clients.computeIfAbsent(key, k -> make.get()));
        }
    }

    /** Closes every client kept here and the shared HTTP client. */
    @PreDestroy
    public void close() {
        synchronized (clients) {
            clients.values().forEach(SdkClient::close);
            clients.clear();
        }
        httpClient.close();
        if (functionCredentials instanceof LazyDefaultCredentials lazy) {
            lazy.close();
        }
    }

    private <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(
            B builder, Region region, AwsCredentialsProvider credentials) {
        builder.httpClient(httpClient)
                .region(region)
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(retryStrategy()));
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
        }
        return builder.build();
    }

    /** A fresh strategy per client: the standard strategy's retry quota must not be shared between services. */
    private StandardRetryStrategy retryStrategy() {
        StandardRetryStrategy standard = AwsRetryStrategy.standardRetryStrategy();
        if (backoff == null) {
            return standard;
        }
        return standard.toBuilder().backoffStrategy(backoff).throttlingBackoffStrategy(backoff).build();
    }

    /** The SDK default chain, built on first use: building it at init would be harmless, resolving it is not. */
    private static final class LazyDefaultCredentials implements AwsCredentialsProvider {
        private volatile DefaultCredentialsProvider delegate;

        @Override
        public AwsCredentials resolveCredentials() {
            DefaultCredentialsProvider provider = delegate;
            if (provider == null) {
                synchronized (this) {
                    if (delegate == null) {
                        delegate = DefaultCredentialsProvider.builder().build();
                    }
                    provider = delegate;
                }
            }
            return provider.resolveCredentials();
        }

        synchronized void close() {
            if (delegate != null) {
                delegate.close();
            }
        }

        @Override
        public String toString() {
            return "FunctionCredentials(default chain)";
        }
    }
}
