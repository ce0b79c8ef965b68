package dev.ecrpush.registry;

import static dev.ecrpush.support.AwsFake.ECR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import software.amazon.awssdk.services.ecr.EcrClient;

import dev.ecrpush.error.CredentialsRefusedException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Plan.RepositoryPlan.Purpose;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

class RepositoryEnsurerTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String BUILD_ROLE = "arn:aws:iam::210987654321:role/codebuild-ecr-build-push";
    private static final String DOCKER_ROLE = "arn:aws:iam::210987654321:role/ecr-build-push-us-east-1-codebuild-docker";
    private static final String TASK_ROLE = "arn:aws:iam::210987654321:role/ecr-build-push-us-east-1-ecs-task";

    /** K8 in eu-west-1 with a remote cache: an IMAGE and a CACHE repository. */
    private final Plan k8 = Fixtures.plan(Fixtures.read(Repo.path("events/plan-k8.json")));
    /** One repository, {@code app} in 123456789012/us-east-1. */
    private final Plan single = Fixtures.plan(Fixtures.basePayload());

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(ECR + "CreateRepository", "{\"repository\": {\"repositoryName\": \"created\"}}");
        AWS.reply(ECR + "PutLifecyclePolicy", "{}");
        AWS.reply(ECR + "SetRepositoryPolicy", "{}");
        AWS.reply(ECR + "DeleteRepository", "{}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    @Test
    void ensure_newRepositories_createsEachWithDefaultsAndLifecyclePolicy() {
        // given
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults(), Region.EU_WEST_1);
        // when
        boolean created = ensurer.ensure(k8);
        // then
        assertTrue(created);
        assertEquals(List.of("CreateRepository", "PutLifecyclePolicy", "CreateRepository", "PutLifecyclePolicy"), AWS.operations());
        List<JsonNode> creates = AWS.bodies(ECR + "CreateRepository");
        assertEquals("acme/payments-api", creates.get(0).get("repositoryName").asText());
        assertEquals("acme/payments-api-cache", creates.get(1).get("repositoryName").asText());
        for (JsonNode create : creates) {
            assertEquals("123456789012", create.get("registryId").asText());
            assertTrue(create.get("imageScanningConfiguration").get("scanOnPush").asBoolean());
            assertEquals("MUTABLE", create.get("imageTagMutability").asText());
            assertEquals("AES256", create.get("encryptionConfiguration").get("encryptionType").asText());
            assertFalse(create.get("encryptionConfiguration").has("kmsKey"));
        }
        List<JsonNode> lifecycles = AWS.bodies(ECR + "PutLifecyclePolicy");
        JsonNode imageRules = json(lifecycles.get(0).get("lifecyclePolicyText").asText()).get("rules");
        assertEquals(1, imageRules.size());
        assertEquals("untagged", imageRules.get(0).get("selection").get("tagStatus").asText());
        assertEquals("sinceImagePushed", imageRules.get(0).get("selection").get("countType").asText());
        assertEquals(14, imageRules.get(0).get("selection").get("countNumber").asInt());
        JsonNode cacheRules = json(lifecycles.get(1).get("lifecyclePolicyText").asText()).get("rules");
        assertEquals(2, cacheRules.size());
        assertEquals("any", cacheRules.get(1).get("selection").get("tagStatus").asText());
        assertEquals("imageCountMoreThan", cacheRules.get(1).get("selection").get("countType").asText());
        assertEquals(100, cacheRules.get(1).get("selection").get("countNumber").asInt());
    }

    @Test
    void ensure_repositoryAlreadyExists_succeedsWithoutTouchingIt() {
        // given
        AWS.fail(ECR + "CreateRepository", 400, "RepositoryAlreadyExistsException", "The repository already exists");
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults().withBuildRoles(BUILD_ROLE), Region.EU_WEST_1);
        // when
        boolean created = ensurer.ensure(k8);
        // then
        assertFalse(created);
        assertEquals(List.of("CreateRepository", "CreateRepository"), AWS.operations());
    }

    @Test
    void ensure_warmContainer_makesNoEcrCall() {
        // given
        KnownRepositories known = new KnownRepositories();
        new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), RepositoryDefaults.defaults(), known).ensure(k8);
        AWS.resetRequests();
        // when: the next invocation, with its own client for the step's credentials
        boolean created = new RepositoryEnsurer(AWS.ecr(Region.EU_WEST_1), RepositoryDefaults.defaults(), known).ensure(k8);
        // then
        assertFalse(created);
        assertEquals(0, AWS.requests().size());
    }

    @Test
    void ensure_buildRolesInAnotherAccount_allowsExactlyThemToPushAndPull() {
        // given
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults().withBuildRoles(BUILD_ROLE, DOCKER_ROLE, TASK_ROLE),
                Region.US_EAST_1);
        // when
        ensurer.ensure(single);
        // then: the policy as ECR receives it, byte for byte
        assertEquals(List.of("CreateRepository", "PutLifecyclePolicy", "SetRepositoryPolicy"), AWS.operations());
        JsonNode request = AWS.bodies(ECR + "SetRepositoryPolicy").get(0);
        assertEquals("123456789012", request.get("registryId").asText());
        assertEquals("app", request.get("repositoryName").asText());
        assertEquals("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"BuildRolesPushPull\",\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":[\"" + BUILD_ROLE + "\",\"" + DOCKER_ROLE + "\",\"" + TASK_ROLE + "\"]},"
                + "\"Action\":[\"ecr:BatchCheckLayerAvailability\",\"ecr:PutImage\",\"ecr:InitiateLayerUpload\","
                + "\"ecr:UploadLayerPart\",\"ecr:CompleteLayerUpload\",\"ecr:BatchGetImage\",\"ecr:GetDownloadUrlForLayer\"]}]}",
                request.get("policyText").asText());
    }

    @Test
    void ensure_buildRolesInTheTargetAccount_setsNoRepositoryPolicy() {
        // given
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults().withBuildRoles("arn:aws:iam::123456789012:role/codebuild"),
                Region.US_EAST_1);
        // when
        ensurer.ensure(single);
        // then
        assertEquals(List.of("CreateRepository", "PutLifecyclePolicy"), AWS.operations());
    }

    @Test
    void ensure_kmsKeyConfigured_encryptsWithThatKey() {
        // given
        String key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults().withKmsKey(key), Region.US_EAST_1);
        // when
        ensurer.ensure(single);
        // then
        JsonNode encryption = AWS.bodies(ECR + "CreateRepository").get(0).get("encryptionConfiguration");
        assertEquals("KMS", encryption.get("encryptionType").asText());
        assertEquals(key, encryption.get("kmsKey").asText());
    }

    @Test
    void ensure_immutableTagsConfigured_createsImmutableRepository() {
        // given
        RepositoryDefaults defaults = new RepositoryDefaults(false, RepositoryDefaults.TagMutability.IMMUTABLE, null, 3, 5, null);
        // when
        ensurer(defaults, Region.US_EAST_1).ensure(single);
        // then
        JsonNode create = AWS.bodies(ECR + "CreateRepository").get(0);
        assertEquals("IMMUTABLE", create.get("imageTagMutability").asText());
        assertFalse(create.get("imageScanningConfiguration").get("scanOnPush").asBoolean());
    }

    @Test
    void ensure_throttledTwice_succeedsAfterSdkRetries() {
        // given
        AWS.failThenReply(ECR + "CreateRepository", 2, 400, "ThrottlingException", "{}");
        // when
        boolean created = ensurer(RepositoryDefaults.defaults(), Region.US_EAST_1).ensure(single);
        // then
        assertTrue(created);
        assertEquals(List.of("CreateRepository", "CreateRepository", "CreateRepository", "PutLifecyclePolicy"), AWS.operations());
    }

    @Test
    void ensure_throttledPersistently_throwsThrottled() {
        // given
        AWS.fail(ECR + "CreateRepository", 400, "ThrottlingException", "Rate exceeded");
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults(), Region.US_EAST_1);
        // when
        ThrottledException e = assertThrows(ThrottledException.class, () -> ensurer.ensure(single));
        // then
        assertTrue(e.getMessage().startsWith("ecr.CreateRepository failed for app in 123456789012/us-east-1: ThrottlingException"),
                e.getMessage());
        assertTrue(e.retryable());
        assertTrue(AWS.operations().size() > 1, "the SDK retried");
        assertFalse(AWS.operations().contains("PutLifecyclePolicy"));
    }

    @Test
    void ensure_serverErrorPersistently_throwsThrottled() {
        // given
        AWS.fail(ECR + "CreateRepository", 500, "ServerException", "internal");
        // when
        ThrottledException e = assertThrows(ThrottledException.class,
                () -> ensurer(RepositoryDefaults.defaults(), Region.US_EAST_1).ensure(single));
        // then
        assertTrue(e.getMessage().contains("ServerException"), e.getMessage());
    }

    @Test
    void ensure_accessDenied_throwsPermissionDeniedAndRemembersNothing() {
        // given
        AWS.fail(ECR + "CreateRepository", 400, "AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/ecr-push/s is not authorized to perform: ecr:CreateRepository");
        KnownRepositories known = new KnownRepositories();
        RepositoryEnsurer ensurer = new RepositoryEnsurer(AWS.ecr(Region.US_EAST_1), RepositoryDefaults.defaults(), known);
        // when
        dev.ecrpush.error.PermissionDeniedException e = assertThrows(dev.ecrpush.error.PermissionDeniedException.class,
                () -> ensurer.ensure(single));
        // then
        assertTrue(e.getMessage().startsWith("ecr.CreateRepository failed for app in 123456789012/us-east-1: AccessDeniedException: User:"),
                e.getMessage());
        assertFalse(e.retryable());
        assertFalse(known.contains(single.registry(), "app"));
    }

    @Test
    void ensure_credentialsUnknownToAws_throwsCredentialsRefused() {
        // given
        AWS.fail(ECR + "CreateRepository", 400, "UnrecognizedClientException", "The security token included in the request is invalid.");
        // when
        CredentialsRefusedException e = assertThrows(CredentialsRefusedException.class,
                () -> ensurer(RepositoryDefaults.defaults(), Region.US_EAST_1).ensure(single));
        // then
        assertTrue(e.getMessage().startsWith("ecr.CreateRepository failed for app in 123456789012/us-east-1: UnrecognizedClientException"),
                e.getMessage());
    }

    @Test
    void ensure_lifecyclePolicyRefused_deletesTheNewRepositoryAgain() {
        // given
        AWS.fail(ECR + "PutLifecyclePolicy", 400, "InvalidParameterException", "Invalid parameter");
        KnownRepositories known = new KnownRepositories();
        RepositoryEnsurer ensurer = new RepositoryEnsurer(AWS.ecr(Region.US_EAST_1), RepositoryDefaults.defaults(), known);
        // when
        RepositoryFailedException e = assertThrows(RepositoryFailedException.class, () -> ensurer.ensure(single));
        // then
        assertEquals(List.of("CreateRepository", "PutLifecyclePolicy", "DeleteRepository"), AWS.operations());
        JsonNode delete = AWS.bodies(ECR + "DeleteRepository").get(0);
        assertEquals("app", delete.get("repositoryName").asText());
        assertFalse(delete.path("force").asBoolean());
        assertTrue(e.getMessage().startsWith("ecr.PutLifecyclePolicy failed for app in 123456789012/us-east-1: InvalidParameterException"),
                e.getMessage());
        assertTrue(e.getMessage().contains("deleted again"), e.getMessage());
        assertFalse(known.contains(single.registry(), "app"));
    }

    @Test
    void ensure_repositoryPolicyRefusedAndDeleteRefused_saysWhatIsLeft() {
        // given
        AWS.fail(ECR + "SetRepositoryPolicy", 400, "AccessDeniedException", "not authorized");
        AWS.fail(ECR + "DeleteRepository", 400, "AccessDeniedException", "not authorized");
        // when
        dev.ecrpush.error.PermissionDeniedException e = assertThrows(dev.ecrpush.error.PermissionDeniedException.class,
                () -> ensurer(RepositoryDefaults.defaults().withBuildRoles(BUILD_ROLE), Region.US_EAST_1).ensure(single));
        // then
        assertTrue(e.getMessage().startsWith("ecr.SetRepositoryPolicy failed for app in 123456789012/us-east-1: AccessDeniedException"),
                e.getMessage());
        assertTrue(e.getMessage().contains("could not be deleted again"), e.getMessage());
    }

    @Test
    void check_imageExistsCacheMissing_reportsWithoutChangingAnything() {
        // given
        AWS.reply(ECR + "DescribeRepositories", "{\"repositories\": [{\"repositoryName\": \"acme/payments-api\"}]}");
        AWS.failWhenBodyContains(ECR + "DescribeRepositories", "acme/payments-api-cache", 400, "RepositoryNotFoundException",
                "The repository with name 'acme/payments-api-cache' does not exist");
        RepositoryEnsurer ensurer = ensurer(RepositoryDefaults.defaults(), Region.EU_WEST_1);
        // when
        List<RepositoryCheck> checks = ensurer.check(k8);
        // then
        assertEquals(List.of(new RepositoryCheck("acme/payments-api", Purpose.IMAGE, true),
                new RepositoryCheck("acme/payments-api-cache", Purpose.CACHE, false)), checks);
        assertEquals(List.of("DescribeRepositories", "DescribeRepositories"), AWS.operations());
        JsonNode describe = AWS.bodies(ECR + "DescribeRepositories").get(0);
        assertEquals("123456789012", describe.get("registryId").asText());
        assertEquals("acme/payments-api", describe.get("repositoryNames").get(0).asText());
    }

    @Test
    void check_accessDenied_throwsPermissionDeniedSayingWhatWouldFail() {
        // given
        AWS.fail(ECR + "DescribeRepositories", 400, "AccessDeniedException", "not authorized to perform: ecr:DescribeRepositories");
        // when
        dev.ecrpush.error.PermissionDeniedException e = assertThrows(dev.ecrpush.error.PermissionDeniedException.class,
                () -> ensurer(RepositoryDefaults.defaults(), Region.US_EAST_1).check(single));
        // then
        assertTrue(e.getMessage().startsWith("ecr.DescribeRepositories failed for app in 123456789012/us-east-1: AccessDeniedException"),
                e.getMessage());
        assertTrue(e.getMessage().contains("a run would fail"), e.getMessage());
        assertEquals(List.of("DescribeRepositories"), AWS.operations());
    }

    @ParameterizedTest
    @ValueSource(strings = {"210987654321", "arn:aws:iam::210987654321:root", "arn:aws-cn:iam::210987654321:root"})
    void defaults_anAccountAsBuildPrincipal_isRefusedNamingTheKey(String account) {
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RepositoryDefaults.defaults().withBuildRoles(BUILD_ROLE, account));
        // then
        assertTrue(e.getMessage().startsWith("buildpush.repository.build-principal lists the exact ARNs of the roles"), e.getMessage());
        assertTrue(e.getMessage().contains(account + " is an account"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"arn:aws:iam::123:user/someone", "arn:aws:iam::210987654321:user/someone",
            "arn:aws:iam::210987654321:role/*", "arn:aws:iam::210987654321:role/build-*", "*", "build"})
    void defaults_anythingButAnExactRoleArn_isRefused(String principal) {
        // when
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RepositoryDefaults.defaults().withBuildRoles(principal));
        // then
        assertTrue(e.getMessage().contains(principal + " is not an IAM role ARN"), e.getMessage());
    }

    @Test
    void defaults_buildRolesAsConfigured_blanksAndRepeatsDropped() {
        // when
        RepositoryDefaults defaults = RepositoryDefaults.defaults().withBuildRoles(" " + BUILD_ROLE, "", TASK_ROLE, BUILD_ROLE);
        // then
        assertEquals(List.of(BUILD_ROLE, TASK_ROLE), defaults.buildRoles());
    }

    private static RepositoryEnsurer ensurer(RepositoryDefaults defaults, Region region) {
        EcrClient ecr = AWS.ecr(region);
        return new RepositoryEnsurer(ecr, defaults, new KnownRepositories());
    }

    private static JsonNode json(String text) {
        try {
            return Fixtures.JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
