package dev.ecrpush.registry;

import static dev.ecrpush.support.AwsFake.ECR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.error.PermissionDeniedException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/** ECR managed signing as the registry stage sets it up: real ECR clients against the fake, requests as ECR receives them. */
class RegistrySigningTest {
    private static final AwsFake AWS = new AwsFake();
    static final String PROFILE = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/builds_prod";
    private static final String OTHER_PROFILE = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/security_team";
    /** Another team's rules, with a filter of a shape the function never writes, so that any rewrite of them shows. */
    private static final String OTHER_RULES = "[{\"signingProfileArn\":\"" + OTHER_PROFILE + "\",\"repositoryFilters\":"
            + "[{\"filter\":\"payments/*\",\"filterType\":\"WILDCARD_MATCH\"},{\"filter\":\"*-prod\",\"filterType\":\"WILDCARD_MATCH\"}]},"
            + "{\"signingProfileArn\":\"" + OTHER_PROFILE + "\"}]";

    /** K8 in eu-west-1 with a remote cache: the IMAGE repository acme/payments-api and its CACHE repository. */
    private final Plan k8 = Fixtures.plan(Fixtures.read(Repo.path("events/plan-k8.json")));
    private final RepositoryDefaults signed = RepositoryDefaults.defaults().withSigning(SigningProfile.parse(PROFILE));

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.fail(ECR + "CreateRepository", 400, "RepositoryAlreadyExistsException", "exists");
        AWS.reply(ECR + "PutSigningConfiguration", "{}");
        AWS.reply(ECR + "DescribeRegistry", "{\"registryId\":\"123456789012\",\"replicationConfiguration\":{\"rules\":[]}}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    @Test
    void ensure_noSigningConfigured_makesNoSigningCall() {
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), RepositoryDefaults.defaults(), new KnownRepositories()).ensure(k8);
        // then
        assertEquals(List.of("CreateRepository", "CreateRepository"), AWS.operations());
    }

    @Test
    void ensure_registryHasNoSigningConfiguration_confirmsTheRegistryAndPutsOneRuleForTheImageRepository() {
        // given: no configuration, then the one written
        AWS.stubFailingFirst(ECR + "GetSigningConfiguration", 1,
                AwsFake.jsonError(400, "SigningConfigurationNotFoundException", "no signing configuration"),
                AwsFake.json(configuration(rule(PROFILE, "acme/payments-api"))));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8);
        // then: the cache repository is not signed; the write comes only after the registry is known to be the target's
        assertEquals(List.of("CreateRepository", "CreateRepository", "GetSigningConfiguration", "DescribeRegistry",
                "PutSigningConfiguration", "GetSigningConfiguration"), AWS.operations());
        JsonNode put = AWS.bodies(ECR + "PutSigningConfiguration").get(0);
        assertEquals(Fixtures.JSON.createObjectNode().set("signingConfiguration", json(configurationOf("[" + rule(PROFILE,
                "acme/payments-api") + "]"))), put);
    }

    @Test
    void ensure_otherTeamsRules_keepsThemExactlyAndAddsOne() {
        // given
        String written = OTHER_RULES.substring(0, OTHER_RULES.length() - 1) + "," + rule(PROFILE, "acme/payments-api") + "]";
        AWS.stubFailingFirst(ECR + "GetSigningConfiguration", 1, AwsFake.json(registry(OTHER_RULES)), AwsFake.json(registry(written)));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8);
        // then
        JsonNode rules = AWS.bodies(ECR + "PutSigningConfiguration").get(0).get("signingConfiguration").get("rules");
        JsonNode others = json(OTHER_RULES);
        assertEquals(3, rules.size());
        assertEquals(others.get(0), rules.get(0));
        assertEquals(others.get(1), rules.get(1));
        assertEquals(json(rule(PROFILE, "acme/payments-api")), rules.get(2));
        assertFalse(AWS.operations().contains("DescribeRegistry"), "the configuration's answer named the registry");
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme/payments-api", "acme/*", "*", "acme/payments-*"})
    void ensure_ruleOfTheProfileCoversTheRepository_putsNothing(String filter) {
        // given
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(PROFILE, filter)));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8);
        // then
        assertEquals(List.of("CreateRepository", "CreateRepository", "GetSigningConfiguration"), AWS.operations());
    }

    @Test
    void ensure_ruleWithoutFiltersOfTheProfile_coversEveryRepository() {
        // given
        AWS.reply(ECR + "GetSigningConfiguration", registry("[{\"signingProfileArn\":\"" + PROFILE + "\"}]"));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8);
        // then
        assertTrue(AWS.requests(ECR + "PutSigningConfiguration").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"acme/payments", "acme/payments-api-cache", "other/*", "acme/payments-api/*"})
    void ensure_ruleOfTheProfileForOtherRepositories_addsARule(String filter) {
        // given
        AWS.stubFailingFirst(ECR + "GetSigningConfiguration", 1, AwsFake.json(configuration(rule(PROFILE, filter))),
                AwsFake.json(configuration(rule(PROFILE, filter) + "," + rule(PROFILE, "acme/payments-api"))));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8);
        // then
        JsonNode rules = AWS.bodies(ECR + "PutSigningConfiguration").get(0).get("signingConfiguration").get("rules");
        assertEquals(List.of(json(rule(PROFILE, filter)), json(rule(PROFILE, "acme/payments-api"))), List.of(rules.get(0), rules.get(1)));
    }

    @Test
    void ensure_anotherProfileSignsTheRepository_addsThisProfilesRuleBesideIt() {
        // given: ECR signs once per matching profile, so the other team's signature stays and this one is added
        AWS.stubFailingFirst(ECR + "GetSigningConfiguration", 1, AwsFake.json(configuration(rule(OTHER_PROFILE, "acme/*"))),
                AwsFake.json(configuration(rule(OTHER_PROFILE, "acme/*") + "," + rule(PROFILE, "acme/payments-api"))));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8);
        // then
        JsonNode rules = AWS.bodies(ECR + "PutSigningConfiguration").get(0).get("signingConfiguration").get("rules");
        assertEquals(json("[" + rule(OTHER_PROFILE, "acme/*") + "," + rule(PROFILE, "acme/payments-api") + "]"), rules);
    }

    @Test
    void ensure_warmContainer_makesNoSigningCall() {
        // given
        KnownRepositories known = new KnownRepositories();
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(PROFILE, "acme/*")));
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, known).ensure(k8);
        AWS.resetRequests();
        // when: the next invocation, with its own client
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, known).ensure(k8);
        // then
        assertEquals(List.of(), AWS.operations());
    }

    @Test
    void ensure_anotherProfileConfigured_readsAgainInTheSameContainer() {
        // given: what is known is per profile, so a redeploy with another profile is not taken as set up
        KnownRepositories known = new KnownRepositories();
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(PROFILE, "acme/*")));
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, known).ensure(k8);
        AWS.resetRequests();
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(PROFILE, "acme/*") + "," + rule(OTHER_PROFILE, "acme/*")));
        RepositoryDefaults other = RepositoryDefaults.defaults().withSigning(SigningProfile.parse(OTHER_PROFILE));
        // when
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), other, known).ensure(k8);
        // then
        assertEquals(List.of("GetSigningConfiguration"), AWS.operations());
    }

    @Test
    void ensure_tenRulesNoneCovering_refusesBeforeBuildingAndWritesNothing() {
        // given
        StringBuilder rules = new StringBuilder();
        for (int i = 0; i < SigningRules.MAX_RULES; i++) {
            rules.append(i == 0 ? "" : ",").append(rule(OTHER_PROFILE, "team" + i + "/*"));
        }
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rules.toString()));
        KnownRepositories known = new KnownRepositories();
        // when
        RepositoryFailedException e = assertThrows(RepositoryFailedException.class,
                () -> new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, known).ensure(k8));
        // then
        assertTrue(AWS.requests(ECR + "PutSigningConfiguration").isEmpty());
        assertFalse(e.retryable());
        assertTrue(e.getMessage().contains("10 rules, ECR's most") && e.getMessage().contains("buildpush.repository.signing"),
                e.getMessage());
        assertFalse(known.signs("123456789012/eu-west-1", "acme/payments-api", PROFILE));
    }

    @Test
    void ensure_configurationOfAnotherRegistry_refusesAndWritesNothing() {
        // given: the target credentials are another account's, whose registry the calls would read and write
        AWS.reply(ECR + "GetSigningConfiguration", "{\"registryId\":\"999999999999\",\"signingConfiguration\":{\"rules\":[]}}");
        // when
        RepositoryFailedException e = assertThrows(RepositoryFailedException.class,
                () -> new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8));
        // then
        assertTrue(AWS.requests(ECR + "PutSigningConfiguration").isEmpty());
        assertTrue(e.getMessage().contains("registry 999999999999, not the target's 123456789012"), e.getMessage());
    }

    @Test
    void ensure_noConfigurationAndAnotherRegistry_refusesAndWritesNothing() {
        // given
        AWS.fail(ECR + "GetSigningConfiguration", 400, "SigningConfigurationNotFoundException", "none");
        AWS.reply(ECR + "DescribeRegistry", "{\"registryId\":\"999999999999\",\"replicationConfiguration\":{\"rules\":[]}}");
        // when
        RepositoryFailedException e = assertThrows(RepositoryFailedException.class,
                () -> new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8));
        // then
        assertTrue(AWS.requests(ECR + "PutSigningConfiguration").isEmpty());
        assertTrue(e.getMessage().contains("999999999999"), e.getMessage());
    }

    @Test
    void ensure_ruleLostToAConcurrentWriterEveryTime_failsAfterBoundedWrites() {
        // given: every read shows the configuration without the rule just written
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(OTHER_PROFILE, "team/*")));
        // when
        RepositoryFailedException e = assertThrows(RepositoryFailedException.class,
                () -> new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8));
        // then
        assertEquals(RegistrySigning.WRITES, AWS.requests(ECR + "PutSigningConfiguration").size());
        assertTrue(e.getMessage().contains("still missing"), e.getMessage());
    }

    @Test
    void ensure_putRefused_throwsPermissionDeniedAndRemembersNothing() {
        // given
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(OTHER_PROFILE, "team/*")));
        AWS.fail(ECR + "PutSigningConfiguration", 400, "AccessDeniedException", "not authorized to perform: ecr:PutSigningConfiguration");
        KnownRepositories known = new KnownRepositories();
        // when
        PermissionDeniedException e = assertThrows(PermissionDeniedException.class,
                () -> new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, known).ensure(k8));
        // then
        assertTrue(e.getMessage().startsWith("ecr.PutSigningConfiguration failed for acme/payments-api in 123456789012/eu-west-1"),
                e.getMessage());
        assertFalse(known.signs("123456789012/eu-west-1", "acme/payments-api", PROFILE));
    }

    @Test
    void matches_isEcrsWildcardOverTheWholeName() {
        assertTrue(SigningRules.matches("*prod*", "team/prod-api"));
        assertTrue(SigningRules.matches("a.b", "a.b"));
        assertFalse(SigningRules.matches("a.b", "aXb"), "a dot is no regex");
        assertFalse(SigningRules.matches("team/app", "team/app2"));
        assertFalse(SigningRules.matches(null, "team/app"));
    }

    @Test
    void parse_signingProfileArns() {
        SigningProfile profile = SigningProfile.parse(" " + PROFILE + " ");
        assertEquals(PROFILE, profile.arn());
        assertEquals("eu-west-1", profile.region());
        assertEquals("123456789012", profile.account());
        assertEquals("builds_prod", profile.name());
        assertEquals("cn-north-1", SigningProfile.parse("arn:aws-cn:signer:cn-north-1:123456789012:/signing-profiles/p1").region());
        assertNull(SigningProfile.parse(""));
        assertNull(SigningProfile.parse(null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"builds_prod", "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/builds_prod/AbCdEf1234",
            "arn:aws:signer::123456789012:/signing-profiles/builds_prod", "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/x",
            "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/bad-name", "arn:aws:kms:eu-west-1:123456789012:key/abc",
            "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/*", "arn:aws:signer:eu-west-1:1234:/signing-profiles/builds_prod"})
    void parse_notASigningProfileArn_namesTheKey(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SigningProfile.parse(value));
        assertTrue(e.getMessage().startsWith("buildpush.repository.signing is the ARN of an AWS Signer signing profile"), e.getMessage());
        assertTrue(e.getMessage().endsWith(value), e.getMessage());
    }

    @Test
    void from_configurationWithAnotherArn_stopsTheFunctionNamingTheKey() {
        // given
        var repository = org.mockito.Mockito.mock(dev.ecrpush.config.ServiceConfig.Repository.class);
        org.mockito.Mockito.when(repository.tagMutability()).thenReturn(RepositoryDefaults.TagMutability.MUTABLE);
        org.mockito.Mockito.when(repository.untaggedExpiryDays()).thenReturn(14);
        org.mockito.Mockito.when(repository.cacheImagesKept()).thenReturn(100);
        org.mockito.Mockito.when(repository.signing()).thenReturn(java.util.Optional.of("arn:aws:kms:eu-west-1:123456789012:key/k1"));
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepositoryDefaults.from(repository));
        // then
        assertTrue(e.getMessage().startsWith("buildpush.repository.signing is the ARN"), e.getMessage());
        org.mockito.Mockito.when(repository.signing()).thenReturn(java.util.Optional.of(PROFILE));
        assertEquals(PROFILE, RepositoryDefaults.from(repository).signing().arn());
        org.mockito.Mockito.when(repository.signing()).thenReturn(java.util.Optional.empty());
        assertNull(RepositoryDefaults.from(repository).signing());
    }

    @Test
    void ensure_noConfigurationAndDescribeRegistryNamesNone_refusesAndWritesNothing() {
        // given
        AWS.fail(ECR + "GetSigningConfiguration", 400, "SigningConfigurationNotFoundException", "none");
        AWS.reply(ECR + "DescribeRegistry", "{}");
        // when
        assertThrows(RepositoryFailedException.class,
                () -> new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), signed, new KnownRepositories()).ensure(k8));
        // then
        assertTrue(AWS.requests(ECR + "PutSigningConfiguration").isEmpty());
    }

    @Test
    void check_profileOfAnotherAccount_namesItsOwner_inTheProfilesRegion() {
        // given: the security account's profile, used by the target account 123456789012
        SigningProfile shared = SigningProfile.parse("arn:aws:signer:us-west-2:999999999999:/signing-profiles/org_builds");
        AWS.reply(AwsFake.SIGNER + "GetSigningProfile", "{\"profileName\":\"org_builds\",\"platformId\":\""
                + SigningProfile.PLATFORM_ID + "\",\"status\":\"Active\",\"arn\":\"" + shared.arn() + "\"}");
        AWS.reply(ECR + "GetSigningConfiguration", configuration(rule(shared.arn(), "acme/*")));
        var clients = AWS.clients();
        // when
        SigningCheck check = SigningCheck.of(clients.signer(Region.US_WEST_2, AwsFake.FUNCTION_CREDENTIALS), AWS.ecr(Region.EU_WEST_1),
                shared, "123456789012", "acme/payments-api");
        // then
        AwsFake.AwsRequest asked = AWS.requests(AwsFake.SIGNER + "GetSigningProfile").get(0);
        assertEquals("org_builds", asked.params().get("profileName"));
        assertEquals("999999999999", asked.params().get("profileOwner"));
        assertEquals("us-west-2", asked.signingRegion());
        assertTrue(check.registryCovered());
        assertEquals("Active", check.status());
    }

    static String rule(String profile, String filter) {
        return "{\"signingProfileArn\":\"" + profile + "\",\"repositoryFilters\":[{\"filter\":\"" + filter
                + "\",\"filterType\":\"WILDCARD_MATCH\"}]}";
    }

    static String configuration(String rules) {
        return registry("[" + rules + "]");
    }

    private static String registry(String rules) {
        return "{\"registryId\":\"123456789012\",\"signingConfiguration\":" + configurationOf(rules) + "}";
    }

    private static String configurationOf(String rules) {
        return "{\"rules\":" + rules + "}";
    }

    private static JsonNode json(String text) {
        try {
            return Fixtures.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
