package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.registry.RepositoryDefaults;

/**
 * The AWS side of least privilege as deployed: the build roles push only to the repositories the deployer allows
 * (this account's by default, never any account's), the repositories the function creates elsewhere let in
 * exactly the build roles (never the build account's root), and the target accounts' role trusts exactly the
 * build stack's roles by ARN, with the external ID.
 */
class LeastPrivilegeTemplateTest {
    private static final List<String> BUILD_ROLES = List.of("KanikoBuildRole", "DockerBuildRole", "EcsTaskRole");

    private static CfnTemplate sam;
    private static CfnTemplate target;

    @BeforeAll
    static void load() {
        sam = CfnTemplate.load(CfnTemplate.SAM);
        target = CfnTemplate.load(CfnTemplate.TARGET_ROLE);
    }

    @Test
    void buildRoles_pushOnlyToTheAllowedRepositories_thisAccountsByDefault() {
        for (String role : BUILD_ROLES) {
            List<JsonNode> push = sam.statementsOfRole(role).stream()
                    .filter(s -> "Allow".equals(s.path("Effect").asText()) && CfnTemplate.actions(s).contains("ecr:PutImage"))
                    .toList();
            assertEquals(1, push.size(), role + ": one push statement");
            JsonNode resource = push.get(0).path("Resource");
            // then: the deployer's list when given, else this account's repositories; no account wildcard anywhere
            JsonNode choice = resource.path("Fn::If");
            assertEquals("HasAllowedRepositoryArns", choice.path(0).asText(), role + ": " + resource);
            assertEquals("AllowedRepositoryArns", choice.path(1).path("Ref").asText(), role + ": " + resource);
            assertEquals("arn:${AWS::Partition}:ecr:*:${AWS::AccountId}:repository/*", choice.path(2).path("Fn::Sub").asText(),
                    role + ": " + resource);
        }
        JsonNode condition = sam.root().at("/Conditions/HasAllowedRepositoryArns/Fn::Not/0/Fn::Equals");
        assertEquals("AllowedRepositoryArns", condition.at("/0/Fn::Join/1/Ref").asText(), condition.toString());
        assertEquals("", condition.path(1).asText(), condition.toString());
        assertEquals("", sam.root().at("/Parameters/AllowedRepositoryArns/Default").asText(), "empty: this account's only");
    }

    @Test
    void allowedRepositoryArns_nameAccountsExactly_neverAnyAccountOrEverything() {
        Pattern allowed = Pattern.compile(sam.root().at("/Parameters/AllowedRepositoryArns/AllowedPattern").asText());
        for (String refused : List.of("*", "arn:aws:ecr:*:*:repository/*", "arn:aws:ecr:us-east-1:*:repository/team/*",
                "arn:aws:ecr:*:22222222222:repository/*", "arn:aws:s3:::bucket", "arn:aws:ecr:*:222222222222:*")) {
            assertFalse(allowed.matcher(refused).matches(), refused + " is accepted");
        }
        for (String accepted : List.of("", "arn:aws:ecr:*:222222222222:repository/team/*",
                "arn:aws-cn:ecr:cn-north-1:222222222222:repository/app", "arn:aws:ecr:eu-west-1:222222222222:repository/*")) {
            assertTrue(allowed.matcher(accepted).matches(), accepted + " is refused");
        }
    }

    @Test
    void function_namesTheBuildRolesByArn_asRepositoryPolicyPrincipals_notTheAccount() {
        // given: the build principal the template configures, and the roles it exports for the target accounts
        JsonNode principal = sam.properties("BuildPushFunction").at("/Environment/Variables/BUILDPUSH_REPOSITORY_BUILD_PRINCIPAL");
        JsonNode output = sam.root().at("/Outputs/BuildRoleArns/Value");
        // then: exactly the three build roles' ARNs, the same list in both
        assertEquals(BUILD_ROLES, joinedRoles(principal), principal.toString());
        assertEquals(principal, output);
        assertFalse(principal.toString().contains("AccountId"), principal.toString());
        // and the code refuses the account form the template used to set (the repository tests pin the policy)
        assertThrows(IllegalArgumentException.class, () -> RepositoryDefaults.defaults().withBuildRoles("111111111111"));
        assertThrows(IllegalArgumentException.class,
                () -> RepositoryDefaults.defaults().withBuildRoles("arn:aws:iam::111111111111:root"));
    }

    @Test
    void targetRole_trustsExactlyTheBuildStacksRolesByArn_withTheExternalId() {
        // given
        JsonNode statements = target.properties("TargetRole").at("/AssumeRolePolicyDocument/Statement");
        JsonNode trust = statements.path(0);
        // then: the principal is the two parameters, split to a list; no root, no pattern, the external ID required
        assertEquals("BuildStackRoles", trust.path("Sid").asText(), trust.toString());
        JsonNode split = trust.at("/Principal/AWS/Fn::Split");
        assertEquals(",", split.path(0).asText(), trust.toString());
        JsonNode joined = split.at("/1/Fn::Join/1");
        assertEquals("FunctionRoleArn", joined.at("/0/Ref").asText(), trust.toString());
        assertEquals("BuildRoleArns", joined.at("/1/Fn::Join/1/Ref").asText(), trust.toString());
        assertEquals(2, joined.size(), trust.toString());
        assertEquals(List.of("StringEquals"), fieldNames(trust.path("Condition")), "only the external ID condition: " + trust);
        assertEquals("ExternalId", trust.at("/Condition/StringEquals/sts:ExternalId/Ref").asText(), trust.toString());
        for (JsonNode statement : statements) {
            String text = statement.toString();
            assertFalse(text.contains(":root") || text.contains("ArnLike") || text.contains("*"), "a wide trust: " + text);
        }
        // and the build stack exports exactly what the parameters take: the function's role and the build roles
        assertEquals("FunctionRole", sam.root().at("/Outputs/FunctionRoleArn/Value/Fn::GetAtt/0").asText());
        assertEquals(BUILD_ROLES, joinedRoles(sam.root().at("/Outputs/BuildRoleArns/Value")));
    }

    @Test
    void targetRoleParameters_takeExactRoleArns_neverARootOrAPattern() {
        for (String parameter : List.of("FunctionRoleArn", "BuildRoleArns", "AdditionalTrustedPrincipalArns")) {
            Pattern allowed = Pattern.compile(target.root().at("/Parameters/" + parameter + "/AllowedPattern").asText());
            for (String refused : List.of("arn:aws:iam::111111111111:root", "111111111111", "*",
                    "arn:aws:iam::111111111111:role/ecr-build-push-*", "arn:aws:iam::*:role/ecr-build-push-target")) {
                assertFalse(allowed.matcher(refused).matches(), parameter + " accepts " + refused);
            }
            assertTrue(allowed.matcher("arn:aws:iam::111111111111:role/ecr-build-push-us-east-1-function").matches(), parameter);
        }
        assertTrue(target.root().at("/Parameters/FunctionRoleArn/Default").isMissingNode(), "no default: the deployer names it");
        assertTrue(target.root().at("/Parameters/BuildRoleArns/Default").isMissingNode(), "no default: the deployer names them");
    }

    /** The roles of {@code !Join [',', [!GetAtt A.Arn, ...]]}, by logical ID. */
    private static List<String> joinedRoles(JsonNode join) {
        assertEquals(",", join.at("/Fn::Join/0").asText(), join.toString());
        List<String> roles = new ArrayList<>();
        for (JsonNode part : join.at("/Fn::Join/1")) {
            assertEquals("Arn", part.at("/Fn::GetAtt/1").asText(), part.toString());
            roles.add(part.at("/Fn::GetAtt/0").asText());
        }
        return roles;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
