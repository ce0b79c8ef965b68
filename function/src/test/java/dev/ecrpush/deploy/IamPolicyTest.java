package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The IAM policies of {@code template.yaml} and {@code infra/target-account-role.yaml} against the AWS calls the
 * compiled code makes ({@link SdkCalls}): the function may make every call, is granted nothing else, and no
 * policy anywhere grants a wildcard action.
 */
class IamPolicyTest {
    /** Calls that the function makes without signing them, so its policy need not (and does not) allow them. */
    private static final Set<String> UNSIGNED = Set.of("sts:AssumeRoleWithWebIdentity");

    /**
     * Granted without a matching SDK call: the Lambda runtime writes the logs, ECS needs the roles passed, and ECR managed
     * signing signs an image with the identity that pushed it (the function pushes a multi-platform image's index).
     */
    private static final Set<String> IMPLIED = Set.of("logs:CreateLogStream", "logs:PutLogEvents", "iam:PassRole",
            "signer:SignPayload");


    private static Map<String, Set<String>> calls;
    private static CfnTemplate sam;
    private static CfnTemplate target;

    @BeforeAll
    static void scan() {
        calls = SdkCalls.scanFunction();
        sam = CfnTemplate.load(CfnTemplate.SAM);
        target = CfnTemplate.load(CfnTemplate.TARGET_ROLE);
    }

    @Test
    void scan_findsTheKnownCalls() {
        // A scanner that found nothing would let every policy pass: pin calls that certainly exist.
        for (String known : List.of("codebuild:StartBuild", "sts:AssumeRole", "ecr:CreateRepository",
                "secretsmanager:GetSecretValue", "ssm:PutParameter", "sts:AssumeRoleWithWebIdentity")) {
            assertTrue(calls.containsKey(known), known + " not found in the classes; found " + calls.keySet());
        }
    }

    @Test
    void functionPolicy_allowsEveryCallTheCodeMakes() {
        Set<String> granted = CfnTemplate.allowedActions(functionStatements());
        Map<String, Set<String>> missing = new TreeMap<>();
        calls.forEach((action, callers) -> {
            if (!UNSIGNED.contains(action) && !granted.contains(action)) {
                missing.put(action, callers);
            }
        });
        assertTrue(missing.isEmpty(), "template.yaml (FunctionRole) does not allow these calls the code makes; add them,"
                + " scoped to their resources: " + missing);
    }

    @Test
    void functionPolicy_grantsNothingTheCodeDoesNotCall() {
        Set<String> extra = new TreeSet<>(CfnTemplate.allowedActions(functionStatements()));
        extra.removeAll(calls.keySet());
        extra.removeAll(IMPLIED);
        assertTrue(extra.isEmpty(), "FunctionRole grants actions no code calls; remove them: " + extra);
    }

    @Test
    void unsignedCalls_areStillMadeAndNotGranted() {
        Set<String> granted = CfnTemplate.allowedActions(functionStatements());
        for (String action : UNSIGNED) {
            assertTrue(calls.containsKey(action), action + " is no longer called: remove it from IamPolicyTest.UNSIGNED");
            assertFalse(granted.contains(action), action + " is made unsigned; granting it changes nothing");
        }
    }

    @Test
    void passRole_onlyForTheEcsBuildRoles_andOnlyToEcsTasks() {
        List<JsonNode> passRole = functionStatements().stream()
                .filter(s -> CfnTemplate.actions(s).contains("iam:PassRole")).toList();
        assertEquals(1, passRole.size(), "one PassRole statement");
        JsonNode statement = passRole.get(0);
        assertEquals(List.of("iam:PassRole"), CfnTemplate.actions(statement), "PassRole shares its statement with nothing");
        List<String> roles = new ArrayList<>();
        statement.path("Resource").forEach(r -> roles.add(r.path("Fn::GetAtt").path(0).asText()));
        assertEquals(List.of("EcsTaskRole", "EcsTaskExecutionRole"), roles);
        assertEquals("ecs-tasks.amazonaws.com",
                statement.path("Condition").path("StringEquals").path("iam:PassedToService").asText());
    }

    @Test
    void oidcTokenStashes_areDeletedOnlyUnderTheirPrefix() {
        assertTrue(calls.containsKey("ssm:DeleteParameter"), "the stash cleanup deletes no parameter: " + calls.keySet());
        List<JsonNode> deletes = functionStatements().stream()
                .filter(s -> CfnTemplate.actions(s).contains("ssm:DeleteParameter")).toList();
        assertEquals(1, deletes.size(), "one DeleteParameter statement");
        assertEquals(List.of("ssm:DeleteParameter"), CfnTemplate.actions(deletes.get(0)), "it shares its statement with nothing");
        assertEquals("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${OidcParameterPrefix}*",
                deletes.get(0).path("Resource").path("Fn::Sub").asText(), deletes.get(0)::toString);
    }

    @Test
    void noPolicyAnywhere_grantsAWildcardAction() {
        for (CfnTemplate template : List.of(sam, target)) {
            List<JsonNode> statements = template.allStatements();
            assertTrue(statements.size() >= 4, template.file() + ": the statement walk found only " + statements);
            for (JsonNode statement : statements) {
                assertFalse(statement.has("NotAction"), template.file() + ": NotAction grants everything else: " + statement);
                for (String action : CfnTemplate.actions(statement)) {
                    assertFalse(action.contains("*"), template.file() + " grants the wildcard action " + action);
                    assertTrue(action.matches("[a-z0-9-]+:[A-Za-z0-9]+"), template.file() + ": not an IAM action: " + action);
                }
            }
        }
    }

    @Test
    void targetRole_allowsExactlyTheEcrActionsOfTheRepositoryStageAndOfAPush() throws Exception {
        // given: what the function does with the target credentials (the registry stage), and what a build pushes
        Set<String> needed = new TreeSet<>(SdkCalls.scan("dev/ecrpush/registry/").keySet());
        assertTrue(needed.contains("ecr:CreateRepository"), "the registry stage's calls: " + needed);
        needed.addAll(pushActions());
        needed.add("ecr:GetAuthorizationToken");
        // and what closing a pull request does with them: delete the tags its builds recorded
        Set<String> closing = SdkCalls.scan("dev/ecrpush/flow/PullRequestImages").keySet();
        assertEquals(Set.of("ecr:BatchDeleteImage"), closing);
        needed.addAll(closing);
        // and what a scan gate does with them: read the pushed image's scan, and (untagOnFailure) look its tags up and
        // remove the moving ones
        Set<String> gate = new TreeSet<>(SdkCalls.scan("dev/ecrpush/scan/").keySet());
        gate.addAll(SdkCalls.scan("dev/ecrpush/flow/ScanGates").keySet());
        assertEquals(Set.of("ecr:DescribeImageScanFindings", "ecr:DescribeImages", "ecr:BatchDeleteImage"), gate);
        needed.addAll(gate);
        // and what ECR managed signing does with the identity that pushes (a cross-account push is this role's)
        needed.add("signer:SignPayload");
        // when
        Set<String> granted = CfnTemplate.allowedActions(target.statementsOfRole("TargetRole"));
        // then
        assertEquals(needed, new TreeSet<>(granted));
    }

    @Test
    void buildRoles_mayPushAndAssumeTheTargetRole_andReadTheirSecrets() throws Exception {
        Set<String> push = new TreeSet<>(pushActions());
        push.add("ecr:GetAuthorizationToken");
        push.add("sts:AssumeRole");
        for (String role : List.of("KanikoBuildRole", "DockerBuildRole", "EcsTaskRole")) {
            Set<String> granted = CfnTemplate.allowedActions(sam.statementsOfRole(role));
            assertTrue(granted.containsAll(push), role + " lacks " + difference(push, granted));
        }
        // CodeBuild resolves SECRETS_MANAGER / PARAMETER_STORE variables, and the ECS agent task-definition secrets,
        // with these roles.
        Set<String> secrets = Set.of("secretsmanager:GetSecretValue", "ssm:GetParameters");
        for (String role : List.of("KanikoBuildRole", "DockerBuildRole", "EcsTaskExecutionRole")) {
            Set<String> granted = CfnTemplate.allowedActions(sam.statementsOfRole(role));
            assertTrue(granted.containsAll(secrets), role + " lacks " + difference(secrets, granted));
        }
    }

    @Test
    void signing_grantedOnlyWithAProfile_andSignPayloadOnThatProfileOnly() {
        for (CfnTemplate template : List.of(sam, target)) {
            for (JsonNode statement : template.allStatementsWithConditions()) {
                List<String> actions = CfnTemplate.actions(statement.path("statement"));
                boolean signing = actions.stream().anyMatch(a -> a.startsWith("signer:") || a.contains("Signing"));
                if (!signing) {
                    continue;
                }
                assertTrue(statement.path("condition").asText().matches("Has(Repository)?Signing"),
                        template.file() + ": a signing grant without the signing condition: " + statement);
                if (actions.stream().anyMatch(a -> a.startsWith("signer:"))) {
                    assertTrue(statement.path("statement").path("Resource").path("Ref").asText().endsWith("SigningProfileArn"),
                            template.file() + ": a signer grant on anything but the profile: " + statement);
                }
            }
        }
    }

    @Test
    void targetRoleName_isTheOneTheBuildStackAssumes() {
        // The trust itself (exact role ARNs, the external ID) is LeastPrivilegeTemplateTest's.
        assertEquals(sam.root().at("/Parameters/TargetRoleName/Default").asText(),
                target.root().at("/Parameters/RoleName/Default").asText(), "the role name the function may assume");
    }

    @Test
    void imageBootstrapRole_allowsExactlyTheCallsOfItsCode_onTheBootstrapProjectAndThePluginRepositoryOnly() {
        // given: its package's calls, and the index writer's it shares with the build-push function
        Set<String> bootstrapCalls = new TreeSet<>(SdkCalls.scan(SdkCalls.IMAGE_BOOTSTRAP).keySet());
        bootstrapCalls.addAll(SdkCalls.scan(SdkCalls.IMAGE_INDEX_WRITER).keySet());
        assertEquals(Set.of("codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild", "ecr:BatchGetImage",
                "ecr:PutImage"), bootstrapCalls, "the scan of its package and the index writer");
        assertEquals("ImageBootstrapFunctionRole", sam.properties("ImageBootstrapFunction").at("/Role/Fn::GetAtt/0").asText());
        List<JsonNode> statements = sam.statementsOfRole("ImageBootstrapFunctionRole");
        // when
        Set<String> granted = new TreeSet<>(CfnTemplate.allowedActions(statements));
        granted.removeAll(IMPLIED);
        // then
        assertEquals(new TreeSet<>(bootstrapCalls), granted);
        for (JsonNode statement : statements) {
            if (CfnTemplate.actions(statement).stream().anyMatch(a -> a.startsWith("codebuild:"))) {
                assertEquals("ImageBootstrapProject", statement.at("/Resource/Fn::GetAtt/0").asText(), statement.toString());
            }
            if (CfnTemplate.actions(statement).stream().anyMatch(a -> a.startsWith("ecr:"))) {
                assertEquals("PluginImageRepository", statement.at("/Resource/Fn::GetAtt/0").asText(), statement.toString());
            }
        }
    }

    @Test
    void imageBootstrapBuildRole_pushesToThePluginRepositoryOnly_andPullsThroughThisAccountsCache() {
        List<JsonNode> statements = sam.statementsOfRole("ImageBootstrapBuildRole");
        for (JsonNode statement : statements) {
            if (CfnTemplate.actions(statement).contains("ecr:PutImage")) {
                assertEquals("PluginImageRepository", statement.at("/Resource/Fn::GetAtt/0").asText(), "push: " + statement);
            }
        }
        Set<String> granted = CfnTemplate.allowedActions(statements);
        assertTrue(granted.containsAll(Set.of("ecr:GetAuthorizationToken", "ecr:PutImage", "ecr:BatchImportUpstreamImage")),
                granted.toString());
        assertFalse(granted.contains("sts:AssumeRole"), "the bootstrap build assumes no target role");
    }

    @Test
    void buildRoles_mayPullThePluginImageRepository() {
        // given: the repository's ARN with the default prefix, in some account and region
        String repository = sam.properties("PluginImageRepository").path("RepositoryName").path("Fn::Sub").asText()
                .replace("${ResourcePrefix}", sam.root().at("/Parameters/ResourcePrefix/Default").asText());
        String arn = "arn:aws:ecr:eu-west-1:111111111111:repository/" + repository;
        Set<String> pull = Set.of("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer");
        // then: CodeBuild pulls an ECR image with the project's role, ECS with the task execution role
        for (String role : List.of("KanikoBuildRole", "DockerBuildRole", "EcsTaskExecutionRole")) {
            List<JsonNode> statements = sam.statementsOfRole(role);
            assertTrue(CfnTemplate.allowedActions(statements).contains("ecr:GetAuthorizationToken"), role);
            boolean covered = statements.stream().anyMatch(s -> "Allow".equals(s.path("Effect").asText())
                    && CfnTemplate.actions(s).containsAll(pull) && resources(s).stream().anyMatch(r -> r.matcher(arn).matches()));
            assertTrue(covered, role + " may not pull " + arn);
        }
    }

    /** A statement's resources as patterns, with the pseudo parameters of account 111111111111 in eu-west-1. */
    private static List<Pattern> resources(JsonNode statement) {
        List<Pattern> patterns = new ArrayList<>();
        JsonNode resource = statement.path("Resource");
        for (JsonNode r : resource.isArray() ? resource : List.of(resource)) {
            String text = r.isTextual() ? r.asText() : r.path("Fn::Sub").asText(null);
            if (text != null) {
                patterns.add(Pattern.compile(Pattern.quote(text.replace("${AWS::Partition}", "aws").replace("${AWS::Region}", "eu-west-1")
                        .replace("${AWS::AccountId}", "111111111111")).replace("*", "\\E.*\\Q")));
            }
        }
        return patterns;
    }

    private static List<JsonNode> functionStatements() {
        JsonNode role = sam.properties("BuildPushFunction").path("Role").path("Fn::GetAtt");
        if (!role.isArray()) {
            fail("BuildPushFunction must name its role (Role: !GetAtt SomeRole.Arn) for this test to read its policy");
        }
        return sam.statementsOfRole(role.get(0).asText());
    }

    /** What new repositories' policies let a build in another account do: the build roles need the same. */
    private static Set<String> pushActions() throws ReflectiveOperationException {
        Field field = Class.forName("dev.ecrpush.registry.RepositoryPolicies").getDeclaredField("PUSH_PULL_ACTIONS");
        field.setAccessible(true);
        return Set.of((String[]) field.get(null));
    }

    private static Set<String> difference(Set<String> wanted, Set<String> granted) {
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(granted);
        return missing;
    }
}
