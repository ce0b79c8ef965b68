package dev.ecrpush.credentials;

import static dev.ecrpush.credentials.CredentialsFixtures.ACCESS_KEY;
import static dev.ecrpush.credentials.CredentialsFixtures.ASSUMED_KEY;
import static dev.ecrpush.credentials.CredentialsFixtures.ASSUMED_SECRET;
import static dev.ecrpush.credentials.CredentialsFixtures.ASSUMED_TOKEN;
import static dev.ecrpush.credentials.CredentialsFixtures.OIDC_ROLE;
import static dev.ecrpush.credentials.CredentialsFixtures.SECRET_ARN;
import static dev.ecrpush.credentials.CredentialsFixtures.SECRET_KEY;
import static dev.ecrpush.credentials.CredentialsFixtures.SESSION;
import static dev.ecrpush.credentials.CredentialsFixtures.SESSION_TOKEN;
import static dev.ecrpush.credentials.CredentialsFixtures.TARGET_ROLE;
import static dev.ecrpush.credentials.CredentialsFixtures.WEB_TOKEN;
import static dev.ecrpush.credentials.CredentialsFixtures.crossAccount;
import static dev.ecrpush.credentials.CredentialsFixtures.parameter;
import static dev.ecrpush.credentials.CredentialsFixtures.plainKeys;
import static dev.ecrpush.credentials.CredentialsFixtures.secretsManager;
import static dev.ecrpush.credentials.CredentialsFixtures.webIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;

import dev.ecrpush.support.MutableClock;
import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFake.AwsRequest;

class CredentialsResolverTest {
    private static final Region STEP_REGION = Region.US_EAST_1;
    private static final String GET_SECRET = "secretsmanager.GetSecretValue";
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";

    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final CredentialsResolver resolver = new CredentialsResolver(clients, clock, Duration.ofMinutes(15));

    @AfterEach
    void stop() {
        clients.close();
        aws.close();
    }

    @Test
    void resolve_manualKeysWithSecretArn_readsSecretInItsRegionWithFunctionCredentials() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
        CredentialsPlan plan = new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), null);

        // when
        AwsCredentials credentials = resolver.resolve(plan, STEP_REGION).resolveCredentials();

        // then
        assertEquals(ACCESS_KEY, credentials.accessKeyId());
        assertEquals(SECRET_KEY, credentials.secretAccessKey());
        assertFalse(credentials instanceof AwsSessionCredentials);
        AwsRequest read = single(aws.requests());
        assertEquals(GET_SECRET, read.operation());
        assertEquals(Map.of("SecretId", SECRET_ARN), read.params());
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, read.signedBy());
        assertEquals("eu-west-1", read.signingRegion());
    }

    @Test
    void resolve_manualKeysWithSessionToken_returnsSessionCredentials() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString("{\"access\":\"ignored\",\"secret_key\":\"" + SECRET_KEY + "\"}"));
        aws.stub(GET_PARAMETER, AwsFake.parameter("/ci/aws/session-token", SESSION_TOKEN));
        CredentialsPlan plan = new CredentialsPlan(new CredentialsPlan.Base.StaticKeys(new AwsCredential.Value.Plain(ACCESS_KEY),
                secretsManager("ci/aws:secret_key"), parameter("ssm:/ci/aws/session-token")), null);

        // when
        AwsCredentials credentials = resolver.resolve(plan, STEP_REGION).resolveCredentials();

        // then
        AwsSessionCredentials session = assertInstanceOf(AwsSessionCredentials.class, credentials);
        assertEquals(ACCESS_KEY, session.accessKeyId());
        assertEquals(SECRET_KEY, session.secretAccessKey());
        assertEquals(SESSION_TOKEN, session.sessionToken());
        AwsRequest secret = single(aws.requests(GET_SECRET));
        assertEquals(Map.of("SecretId", "ci/aws"), secret.params());
        assertEquals("us-east-1", secret.signingRegion());
        AwsRequest token = single(aws.requests(GET_PARAMETER));
        assertEquals(Map.of("Name", "/ci/aws/session-token", "WithDecryption", "true"), token.params());
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, token.signedBy());
    }

    @Test
    void resolve_manualAccessKeyRef_readsTheAccessKeyFromItsParameter() {
        // given
        aws.stub(GET_PARAMETER, AwsFake.parameter("/ci/aws/access-key", "AKIAFROMPARAMETER001\n"));
        aws.stub(GET_SECRET, AwsFake.secretString("{\"secret_key\":\"" + SECRET_KEY + "\"}"));
        CredentialsPlan plan = new CredentialsPlan(new CredentialsPlan.Base.StaticKeys(
                new AwsCredential.Value.Secret(parameter("ssm:/ci/aws/access-key")),
                secretsManager(SECRET_ARN + ":secret_key"), null), null);

        // when
        AwsCredentials credentials = resolver.resolve(plan, STEP_REGION).resolveCredentials();

        // then
        assertEquals("AKIAFROMPARAMETER001", credentials.accessKeyId());
        assertEquals(SECRET_KEY, credentials.secretAccessKey());
        assertEquals(Map.of("Name", "/ci/aws/access-key", "WithDecryption", "true"), single(aws.requests(GET_PARAMETER)).params());
        assertEquals(Map.of("SecretId", SECRET_ARN), single(aws.requests(GET_SECRET)).params());
    }

    @Test
    void resolve_manualCrossAccount_assumesRoleSignedWithTheKeysFromTheSecret() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
        aws.stub("AssumeRole", AwsFake.stsCredentials("AssumeRole", ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN,
                clock.instant().plusSeconds(3600)));
        CredentialsPlan plan = new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), crossAccount("ext-123"));

        // when
        AwsCredentialsProvider provider = resolver.resolve(plan, STEP_REGION);
        try (EcrClient ecr = clients.ecr(STEP_REGION, provider)) {
            aws.stub("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories", AwsFake.json("{}"));
            ecr.describeRepositories();
        }

        // then
        AwsRequest assume = single(aws.requests("AssumeRole"));
        assertEquals(TARGET_ROLE, assume.params().get("RoleArn"));
        assertEquals("ext-123", assume.params().get("ExternalId"));
        assertEquals(SESSION, assume.params().get("RoleSessionName"));
        assertEquals(ACCESS_KEY, assume.signedBy());
        assertEquals("us-east-1", assume.signingRegion());
        AwsSessionCredentials assumed = assertInstanceOf(AwsSessionCredentials.class, provider.resolveCredentials());
        assertEquals(ASSUMED_TOKEN, assumed.sessionToken());
        assertEquals(ASSUMED_KEY, single(aws.requests("AmazonEC2ContainerRegistry_V20150921.DescribeRepositories")).signedBy());
    }

    @Test
    void resolve_functionRole_usesTheFunctionsCredentialsWithoutACall() {
        // given
        CredentialsPlan plan = new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), null);

        // when
        AwsCredentials credentials = resolver.resolve(plan, STEP_REGION).resolveCredentials();

        // then
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, credentials.accessKeyId());
        assertEquals(List.of(), aws.requests());
    }

    @Test
    void resolve_functionRoleCrossAccount_assumesRoleSignedByTheFunctionWithoutExternalId() {
        // given
        aws.stub("AssumeRole", AwsFake.stsCredentials("AssumeRole", ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN,
                clock.instant().plusSeconds(3600)));
        CredentialsPlan plan = new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), crossAccount(null));

        // when
        AwsCredentials credentials = resolver.resolve(plan, STEP_REGION).resolveCredentials();

        // then
        assertEquals(ASSUMED_KEY, credentials.accessKeyId());
        AwsRequest assume = single(aws.requests());
        assertEquals(Map.of("Action", "AssumeRole", "Version", "2011-06-15", "RoleArn", TARGET_ROLE, "RoleSessionName", SESSION),
                assume.params());
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, assume.signedBy());
    }

    @Test
    void resolve_webIdentity_exchangesTheTokenInAnUnsignedCall() {
        // given
        aws.stub("AssumeRoleWithWebIdentity", AwsFake.stsCredentials("AssumeRoleWithWebIdentity", ASSUMED_KEY, ASSUMED_SECRET,
                ASSUMED_TOKEN, clock.instant().plusSeconds(3600)));
        CredentialsPlan plan = new CredentialsPlan(webIdentity(WEB_TOKEN), null);

        // when
        AwsCredentials credentials = resolver.resolve(plan, STEP_REGION).resolveCredentials();

        // then
        assertEquals(ASSUMED_KEY, credentials.accessKeyId());
        AwsRequest exchange = single(aws.requests());
        assertEquals("AssumeRoleWithWebIdentity", exchange.operation());
        assertEquals(OIDC_ROLE, exchange.params().get("RoleArn"));
        assertEquals(WEB_TOKEN, exchange.params().get("WebIdentityToken"));
        assertEquals(SESSION, exchange.params().get("RoleSessionName"));
        assertNull(exchange.signedBy());
    }

    @Test
    void resolve_sameTargetAgain_makesNoCall() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
        aws.stub("AssumeRole", AwsFake.stsCredentials("AssumeRole", ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN,
                clock.instant().plusSeconds(3600)));
        CredentialsPlan plan = new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), crossAccount("ext-123"));
        AwsCredentialsProvider first = resolver.resolve(plan, STEP_REGION);
        int callsBefore = aws.requests().size();
        clock.advance(Duration.ofMinutes(30));

        // when
        AwsCredentialsProvider second = resolver.resolve(
                new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), crossAccount("ext-123")), STEP_REGION);

        // then
        assertEquals(2, callsBefore);
        assertEquals(callsBefore, aws.requests().size());
        assertSame(first, second);
    }

    @Test
    void resolve_temporaryCredentialsWithinFiveMinutesOfExpiry_areRefreshed() {
        // given
        Instant expiration = clock.instant().plus(Duration.ofHours(1));
        aws.stub("AssumeRole", AwsFake.stsCredentials("AssumeRole", ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN, expiration));
        CredentialsPlan plan = new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), crossAccount("ext-123"));
        resolver.resolve(plan, STEP_REGION);
        clock.advance(Duration.ofMinutes(54));
        resolver.resolve(plan, STEP_REGION);
        int callsWellBeforeExpiry = aws.requests().size();
        clock.advance(Duration.ofMinutes(2));

        // when
        resolver.resolve(plan, STEP_REGION);

        // then
        assertEquals(1, callsWellBeforeExpiry);
        assertEquals(2, aws.requests("AssumeRole").size());
    }

    @Test
    void resolve_keysFromSecretsAfterTheirTtl_areReadAgain() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
        CredentialsPlan plan = new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), null);
        resolver.resolve(plan, STEP_REGION);
        clock.advance(Duration.ofMinutes(14));
        resolver.resolve(plan, STEP_REGION);
        int callsWithinTtl = aws.requests().size();
        clock.advance(Duration.ofMinutes(1));

        // when
        resolver.resolve(plan, STEP_REGION);

        // then
        assertEquals(1, callsWithinTtl);
        assertEquals(2, aws.requests(GET_SECRET).size());
    }

    @Test
    void resolve_webIdentityWithAnotherToken_exchangesItAgain() {
        // given
        aws.stub("AssumeRoleWithWebIdentity", AwsFake.stsCredentials("AssumeRoleWithWebIdentity", ASSUMED_KEY, ASSUMED_SECRET,
                ASSUMED_TOKEN, clock.instant().plusSeconds(3600)));
        resolver.resolve(new CredentialsPlan(webIdentity(WEB_TOKEN), null), STEP_REGION);

        // when
        resolver.resolve(new CredentialsPlan(webIdentity(WEB_TOKEN + "-next-execution"), null), STEP_REGION);

        // then: a token proves the caller may use the role, so another caller's token is checked by STS too
        assertEquals(2, aws.requests("AssumeRoleWithWebIdentity").size());
    }

    @Test
    void resolve_afterForget_resolvesAgain() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
        CredentialsPlan plan = new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), null);
        resolver.resolve(plan, STEP_REGION);

        // when
        resolver.forget(plan, STEP_REGION);
        resolver.resolve(plan, STEP_REGION);

        // then
        assertEquals(2, aws.requests(GET_SECRET).size());
    }

    private static AwsRequest single(List<AwsRequest> requests) {
        assertEquals(1, requests.size(), () -> "requests: " + requests);
        return requests.get(0);
    }
}
