package dev.ecrpush.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/** The policy's rules one at a time, on parsed payloads: what each list refuses, and how the configuration is read. */
class PolicyCheckTest {
    private static Policy policy(Map<String, String> overrides) {
        Map<String, String> env = new HashMap<>(Map.of("BUILDPUSH_POLICY_TARGET_ACCOUNTS", "123456789012",
                "BUILDPUSH_POLICY_SECRET_REFS", "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/*,ci/*,ssm:/ci/*"));
        env.putAll(overrides);
        return Policy.from(Fixtures.config(env));
    }

    private static StepPayload check(ObjectNode payload, Policy policy) {
        return PolicyCheck.apply(Fixtures.parse(payload), policy, ref -> "connectors." + ref);
    }

    private static String refusal(ObjectNode payload, Policy policy) {
        return assertThrows(NotAllowedException.class, () -> check(payload, policy)).getMessage();
    }

    private static ObjectNode withRepoUrl(String url) {
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        payload.putObject("codebase").put("repoUrl", url).put("branch", "main");
        return payload;
    }

    @Test
    void allowedPayload_passes_unchanged() {
        // given
        ObjectNode payload = withRepoUrl("https://GitHub.com:443/acme/app.git");
        // when
        StepPayload checked = check(payload, policy(Map.of()));
        // then
        assertEquals(Fixtures.parse(payload), checked);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "https://x-access-token@github.com/acme/app.git | codebase.repoUrl: must not carry a user name or password before the host",
        "http://github.com/acme/app.git | codebase.repoUrl: http://github.com is not a Git host this function may build from"
                + " (buildpush.policy.repo-hosts)",
        "https://git.evil.example/acme/app.git | codebase.repoUrl: git.evil.example is not a Git host this function may build from"
                + " (buildpush.policy.repo-hosts)"})
    void repoUrl_outsideTheRepoHosts_isRefused(String url, String message) {
        assertEquals(message, refusal(withRepoUrl(url), policy(Map.of())));
    }

    /** A wildcard never opens an address: the metadata service, loopback, the function's network, in any notation. */
    @ParameterizedTest
    @ValueSource(strings = {"https://169.254.169.254/latest/meta-data", "https://[fe80::1]/x", "https://0x7f.1/x",
        "https://2130706433/x", "https://127.0.0.1./x", "https://localhost/x", "https://metadata.localhost/x"})
    void addresses_areNotAllowedByAWildcard(String url) {
        ObjectNode payload = withRepoUrl(url);
        Policy anyHost = policy(Map.of("BUILDPUSH_POLICY_REPO_HOSTS", "*"));
        // Forms Java's URI reads as no host at all (0x7f.1, a trailing dot) are refused by the parser already, as no
        // URL a Git host has; the policy never sees them.
        BuildPushException refused = assertThrows(BuildPushException.class, () -> check(payload, anyHost));
        String message = refused.getMessage();
        assertTrue(refused instanceof InvalidStepException && message.startsWith("codebase.repoUrl: ")
                || refused instanceof NotAllowedException && message.startsWith("codebase.repoUrl: ")
                && message.endsWith(" is not a Git host this function may build from (buildpush.policy.repo-hosts)"), message);
    }

    @Test
    void address_namedExactly_isAllowed() {
        check(withRepoUrl("https://10.0.0.5/acme/app.git"), policy(Map.of("BUILDPUSH_POLICY_REPO_HOSTS", "github.com,10.0.0.5")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"git://github.com/acme/app.git", "ssh://git@github.com/acme/app.git", "git@github.com:acme/app.git",
        "file:///etc/passwd"})
    void urlsThatAreNotHttps_cannotBeAllowed(String url) {
        assertInstanceOf(HostRule.Read.Refused.class, HostRule.read(url));
    }

    @Test
    void targetAccountsUnset_refusesEveryRun_namingTheKey() {
        // given: a function not told its own account (a local run without the key)
        Policy unset = Policy.from(Fixtures.config(Map.of()));
        // when
        String message = refusal(Fixtures.basePayload().put("mode", "run"), unset);
        // then
        assertTrue(message.startsWith("step.spec.account: 123456789012 is not an account this function may push to ("
                + Policy.TARGET_ACCOUNTS + ", unset"), message);
    }

    /** A local plan ({@code scripts/invoke-local events/plan-k8.json}) needs no policy: what run would refuse is a warning. */
    @Test
    void planMode_withTheTargetAccountsUnset_plans_withTheRefusalsAsWarnings() {
        // given
        Policy unset = Policy.from(Fixtures.config(Map.of()));
        ObjectNode event = (ObjectNode) Fixtures.read(Repo.path("events/plan-k8.json"));
        // when
        StepPayload checked = check(event, unset);
        // then
        List<String> warnings = checked.warnings().stream().map(Object::toString).toList();
        assertTrue(warnings.stream().anyMatch(w -> w.contains("step.spec.account") && w.contains("123456789012 is not an account this"
                + " function may push to (" + Policy.TARGET_ACCOUNTS + ", unset") && w.endsWith("; run and preflight refuse it")),
                warnings.toString());
        // and the parser's own warnings are kept, first
        List<?> parsed = Fixtures.parse(event).warnings();
        assertEquals(parsed, checked.warnings().subList(0, parsed.size()));
    }

    @Test
    void aReferenceClimbingOutOfItsPrefix_isRefused_withoutQuotingIt() {
        // given
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", "ci/../prod/db");
        // when
        String message = refusal(payload, policy(Map.of()));
        // then
        assertEquals("connectors.aws.spec.credential.spec.secretKeyRef: is not a plain reference: a name or path has no empty, . or"
                + " .. parts", message);
        assertFalse(message.contains("prod/db"), message);
    }

    @Test
    void configuredExternalId_replacesAnAbsentOne_andRefusesADifferentOne_withoutQuotingEither() {
        // given: the deployer's external ID for account 123456789012
        Policy policy = policy(Map.of("BUILDPUSH_POLICY_EXTERNAL_IDS", "123456789012=acme-ci-7",
                "BUILDPUSH_POLICY_ROLE_ARNS", "arn:aws:iam::*:role/ecr-build-push-target"));
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        ObjectNode cross = ((ObjectNode) payload.at("/connectors/aws/spec/credential")).putObject("crossAccountAccess")
                .put("crossAccountRoleArn", "arn:aws:iam::123456789012:role/ecr-build-push-target");
        // when: the payload gives none
        StepPayload checked = check(payload, policy);
        // then
        assertEquals("acme-ci-7", checked.connector().crossAccount().externalId());
        // when: the payload gives another
        cross.put("externalId", "guessed");
        String message = refusal(payload, policy);
        // then
        assertEquals("connectors.aws.spec.credential.crossAccountAccess.externalId: is not the external ID configured for account"
                + " 123456789012 (" + Policy.EXTERNAL_IDS + "); leave it out and the configured one is used", message);
        assertFalse(message.contains("acme-ci-7") || message.contains("guessed"), message);
    }

    @Test
    void everyRefusal_isListed_oneLineEach() {
        // given: another account, an unlisted secret, an unlisted Git host
        ObjectNode payload = withRepoUrl("https://git.evil.example/acme/app.git");
        ((ObjectNode) payload.at("/step/spec")).put("account", "210987654321");
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", "prod/aws");
        // when
        List<String> lines = refusal(payload, policy(Map.of())).lines().toList();
        // then
        assertEquals(List.of("step.spec.account", "connectors.aws.spec.credential.spec.secretKeyRef", "codebase.repoUrl"),
                lines.stream().map(line -> line.substring(0, line.indexOf(':'))).toList());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "BUILDPUSH_POLICY_TARGET_ACCOUNTS | 12345 | buildpush.policy.target-accounts: \"12345\" is not an entry of this list",
        "BUILDPUSH_POLICY_REPO_HOSTS | github.com/acme | buildpush.policy.repo-hosts: \"github.com/acme\" is not an entry of this list",
        "BUILDPUSH_POLICY_EXTERNAL_IDS | 123456789012:acme | buildpush.policy.external-ids: entry 1 is not ACCOUNT=EXTERNAL_ID"})
    void malformedConfiguration_stopsTheStart_namingTheKey(String variable, String value, String message) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> policy(Map.of(variable, value)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
        if (variable.endsWith("EXTERNAL_IDS")) {
            assertFalse(e.getMessage().contains("acme"), e.getMessage());
        }
    }
}
