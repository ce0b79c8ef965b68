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

    /** Granted without a matching SDK call: the Lambda runtime writes the logs, and ECS needs the roles passed. */
    private static final Set<String> IMPLIED = Set.of("logs:CreateLogStream", "logs:PutLogEvents", "iam:PassRole");


    private static Map<String, Set<String>> calls;
    private static CfnTemplate sam;
    private static CfnTemplate target;

    @BeforeAll
    static void scan() {
        calls = SdkCalls.scanAll();
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
    void targetRoleTrust_matchesTheBuildStacksRoleNames() {
        // given: the role names template.yaml gives, with its default prefix, in some region
        String prefix = sam.root().at("/Parameters/ResourcePrefix/Default").asText();
        String account = "111111111111";
        List<String> trusted = new ArrayList<>();
        for (String role : List.of("FunctionRole", "KanikoBuildRole", "DockerBuildRole", "EcsTaskRole")) {
            String name = sam.properties(role).path("RoleName").path("Fn::Sub").asText()
                    .replace("${ResourcePrefix}", prefix).replace("${AWS::Region}", "eu-west-1");
            trusted.add("arn:aws:iam::" + account + ":role/" + name);
        }
        // when: the target role's principal patterns, with the same prefix
        JsonNode trust = target.properties("TargetRole").at("/AssumeRolePolicyDocument/Statement/0");
        List<Pattern> patterns = new ArrayList<>();
        trust.at("/Condition/ArnLike/aws:PrincipalArn").forEach(p -> patterns.add(Pattern.compile(
                p.path("Fn::Sub").asText().replace("${AWS::Partition}", "aws").replace("${BuildAccountId}", account)
                        .replace("${ResourcePrefix}", prefix).replace("*", "[^/]*"))));
        // then: each role is trusted, the execution role (which never pushes) is not, and the external ID is required
        for (String arn : trusted) {
            assertTrue(patterns.stream().anyMatch(p -> p.matcher(arn).matches()), arn + " is not trusted by " + patterns);
        }
        String execution = "arn:aws:iam::" + account + ":role/" + prefix + "-eu-west-1-ecs-execution";
        assertFalse(patterns.stream().anyMatch(p -> p.matcher(execution).matches()), "the execution role is trusted");
        assertTrue(trust.at("/Condition/StringEquals/sts:ExternalId").has("Ref"), "no external ID condition: " + trust);
        assertEquals(sam.root().at("/Parameters/TargetRoleName/Default").asText(),
                target.root().at("/Parameters/RoleName/Default").asText(), "the role name the function may assume");
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
