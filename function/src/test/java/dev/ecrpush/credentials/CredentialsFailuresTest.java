package dev.ecrpush.credentials;

import static dev.ecrpush.credentials.CredentialsFixtures.ASSUMED_KEY;
import static dev.ecrpush.credentials.CredentialsFixtures.ASSUMED_SECRET;
import static dev.ecrpush.credentials.CredentialsFixtures.ASSUMED_TOKEN;
import static dev.ecrpush.credentials.CredentialsFixtures.OIDC_ROLE;
import static dev.ecrpush.credentials.CredentialsFixtures.SECRET_ARN;
import static dev.ecrpush.credentials.CredentialsFixtures.SECRET_KEY;
import static dev.ecrpush.credentials.CredentialsFixtures.SECRET_MARK;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.support.MutableClock;
import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.LogCapture;

/** What AWS's refusals, throttling and outages become, and that no secret value escapes on the way. */
class CredentialsFailuresTest {
    private static final Region STEP_REGION = Region.US_EAST_1;
    private static final String GET_SECRET = "secretsmanager.GetSecretValue";
    private static final String GET_PARAMETER = "AmazonSSM.GetParameter";
    private static final String TOKEN_PARAMETER = "/ci/aws/session-token";

    /** Manual keys with a session token, then a cross-account role: one call to each fake service. */
    private static final CredentialsPlan EVERY_SERVICE = new CredentialsPlan(new CredentialsPlan.Base.StaticKeys(
            new AwsCredential.Value.Plain(CredentialsFixtures.ACCESS_KEY), secretsManager(SECRET_ARN),
            parameter("ssm:" + TOKEN_PARAMETER)), crossAccount("ext-123"));

    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final CredentialsResolver resolver = new CredentialsResolver(clients, clock, Duration.ofMinutes(15));

    @AfterEach
    void stop() {
        clients.close();
        aws.close();
    }

    static Stream<Arguments> nonRetryableStsCodes() {
        return AwsFailures.NON_RETRYABLE_STS_ERROR_CODES.stream().sorted()
                .flatMap(code -> Stream.of(Arguments.of("AssumeRole", code), Arguments.of("AssumeRoleWithWebIdentity", code)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nonRetryableStsCodes")
    void resolve_stsAnswersNonRetryableCode_throwsCredentialsRefusedAfterOneCall(String action, String code) {
        // given
        aws.stub(action, AwsFake.stsError(403, code));
        boolean web = action.equals("AssumeRoleWithWebIdentity");
        CredentialsPlan plan = web
                ? new CredentialsPlan(webIdentity(WEB_TOKEN), null)
                : new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), crossAccount("ext-123"));

        // when
        CredentialsRefusedException refused = assertThrows(CredentialsRefusedException.class, () -> resolver.resolve(plan, STEP_REGION));

        // then
        assertEquals("sts:" + action + " for " + (web ? OIDC_ROLE : TARGET_ROLE) + " refused: " + code
                + " (HTTP 403): refused by the fake", refused.getMessage());
        assertEquals(1, aws.requests(action).size());
    }

    @Test
    void resolve_secretNotFound_throwsCredentialsRefusedNamingTheReference() {
        // given
        aws.stub(GET_SECRET, AwsFake.jsonError(400, "ResourceNotFoundException"));

        // when
        CredentialsRefusedException refused = assertThrows(CredentialsRefusedException.class,
                () -> resolver.resolve(new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), null), STEP_REGION));

        // then
        assertEquals("secretsmanager:GetSecretValue for " + SECRET_ARN
                + " failed: ResourceNotFoundException (HTTP 400): refused by the fake", refused.getMessage());
        assertEquals(1, aws.requests(GET_SECRET).size());
    }

    @Test
    void resolve_parameterAccessDenied_throwsPermissionDenied() {
        // given
        aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
        aws.stub(GET_PARAMETER, AwsFake.jsonError(400, "AccessDeniedException"));

        // when
        dev.ecrpush.error.PermissionDeniedException refused = assertThrows(dev.ecrpush.error.PermissionDeniedException.class,
                () -> resolver.resolve(EVERY_SERVICE, STEP_REGION));

        // then
        assertTrue(refused.getMessage().startsWith("ssm:GetParameter for ssm:" + TOKEN_PARAMETER + " failed: AccessDeniedException"),
                refused.getMessage());
    }

    static Stream<Arguments> transientFailures() {
        return Stream.of(
                Arguments.of("AssumeRole", AwsFake.stsError(400, "Throttling")),
                Arguments.of("AssumeRole", AwsFake.stsError(503, "ServiceUnavailable")),
                Arguments.of(GET_SECRET, AwsFake.jsonError(429, "ThrottlingException")),
                Arguments.of(GET_SECRET, AwsFake.jsonError(500, "InternalServiceError")),
                Arguments.of(GET_PARAMETER, AwsFake.jsonError(400, "ThrottlingException")),
                Arguments.of(GET_PARAMETER, AwsFake.jsonError(503, "ServiceUnavailable")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFailures")
    void resolve_twoTransientFailures_areSurvivedByTheSdksRetries(String operation, ResponseDefinitionBuilder failure) {
        // given
        stubEveryService(operation, 2, failure);

        // when
        String accessKey = resolver.resolve(EVERY_SERVICE, STEP_REGION).resolveCredentials().accessKeyId();

        // then
        assertEquals(ASSUMED_KEY, accessKey);
        assertEquals(3, aws.requests(operation).size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transientFailures")
    void resolve_persistentTransientFailure_throwsThrottledAfterTheSdksAttempts(String operation, ResponseDefinitionBuilder failure) {
        // given
        stubEveryService(operation, Integer.MAX_VALUE, failure);

        // when
        ThrottledException throttled = assertThrows(ThrottledException.class, () -> resolver.resolve(EVERY_SERVICE, STEP_REGION));

        // then
        assertTrue(throttled.getMessage().contains("still failing after the SDK's retries"), throttled.getMessage());
        assertEquals(3, aws.requests(operation).size());
    }

    @Test
    void resolve_connectionReset_throwsThrottled() {
        // given
        aws.stub(GET_SECRET, WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        // when
        ThrottledException throttled = assertThrows(ThrottledException.class,
                () -> resolver.resolve(new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN)), null), STEP_REGION));

        // then
        assertTrue(throttled.getMessage().startsWith("secretsmanager:GetSecretValue for " + SECRET_ARN + " could not reach AWS"),
                throttled.getMessage());
        assertEquals(3, aws.requests(GET_SECRET).size());
    }

    @Test
    void resolve_anyOutcome_neverShowsASecretValueInAMessageOrALogLine() {
        // given
        List<String> messages = new ArrayList<>();
        List<String> lines;
        try (LogCapture logs = LogCapture.of("software.amazon.awssdk", "dev.ecrpush")) {
            // when
            aws.stub(GET_SECRET, AwsFake.secretString(SECRET_KEY));
            aws.stub(GET_PARAMETER, AwsFake.parameter(TOKEN_PARAMETER, SESSION_TOKEN));
            aws.stub("AssumeRole", AwsFake.stsCredentials("AssumeRole", ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN,
                    clock.instant().plusSeconds(3600)));
            resolver.resolve(EVERY_SERVICE, STEP_REGION);
            // a JSON key asked of a secret that is plain text: a parser would quote the text it stopped at
            messages.addAll(failure(new CredentialsPlan(plainKeys(secretsManager(SECRET_ARN + ":secret_key")), null)));
            aws.stub(GET_SECRET, AwsFake.secretString("{\"other\":\"" + SECRET_KEY + "\""));
            messages.addAll(failure(new CredentialsPlan(plainKeys(secretsManager("ci/broken:secret_key")), null)));
            aws.stub(GET_SECRET, AwsFake.secretString("{\"other\":\"" + SECRET_KEY + "\"}"));
            messages.addAll(failure(new CredentialsPlan(plainKeys(secretsManager("ci/other:secret_key")), null)));
            aws.stub("AssumeRole", AwsFake.stsError(403, "AccessDenied"));
            messages.addAll(failure(new CredentialsPlan(plainKeys(secretsManager("ci/aws")), crossAccount("ext-123"))));
            aws.stub("AssumeRoleWithWebIdentity", AwsFake.stsError(400, "InvalidIdentityToken"));
            messages.addAll(failure(new CredentialsPlan(webIdentity(WEB_TOKEN), null)));
            lines = logs.lines();
        }

        // then
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("software.amazon.awssdk")), "the SDK's own logging was captured");
        assertTrue(lines.stream().anyMatch(line -> line.contains("credentials for static-keys")), "the resolver's logging was captured");
        for (String text : concat(messages, lines)) {
            assertFalse(text.contains(SECRET_MARK), () -> "a secret value escaped: " + text);
        }
    }

    /** The failure's message and its causes' messages. */
    private List<String> failure(CredentialsPlan plan) {
        BuildPushException failure = assertThrows(BuildPushException.class, () -> resolver.resolve(plan, STEP_REGION));
        List<String> texts = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            texts.add(t.toString());
        }
        return texts;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Every call of {@link #EVERY_SERVICE} answered, {@code operation} first failing {@code failures} times. */
    private void stubEveryService(String operation, int failures, ResponseDefinitionBuilder failure) {
        List<Arguments> answers = List.of(
                Arguments.of(GET_SECRET, AwsFake.secretString(SECRET_KEY)),
                Arguments.of(GET_PARAMETER, AwsFake.parameter(TOKEN_PARAMETER, SESSION_TOKEN)),
                Arguments.of("AssumeRole", AwsFake.stsCredentials("AssumeRole", ASSUMED_KEY, ASSUMED_SECRET, ASSUMED_TOKEN,
                        clock.instant().plusSeconds(3600))));
        for (Arguments answer : answers) {
            String op = (String) answer.get()[0];
            ResponseDefinitionBuilder success = (ResponseDefinitionBuilder) answer.get()[1];
            if (!op.equals(operation)) {
                aws.stub(op, success);
            } else if (failures == Integer.MAX_VALUE) {
                aws.stub(op, failure);
            } else {
                aws.stubFailingFirst(op, failures, failure, success);
            }
        }
    }
}
