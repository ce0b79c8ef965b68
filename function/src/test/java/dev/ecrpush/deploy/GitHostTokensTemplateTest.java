package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The function role reads the Git hosts' API tokens it is configured with, and no other secret for them: the one
 * statement that grants it is scoped to the token parameters the function's environment passes on.
 */
class GitHostTokensTemplateTest {
    private static final List<String> TOKENS = List.of("GitHubTokenSecretArn", "GitLabTokenSecretArn", "BitbucketTokenSecretArn",
            "GiteaTokenSecretArn");

    @Test
    void theTokenStatement_readsExactlyTheConfiguredTokenSecrets() {
        CfnTemplate sam = CfnTemplate.load(CfnTemplate.SAM);
        List<JsonNode> statements = sam.allStatements().stream().filter(s -> "ReadGitHostTokens".equals(s.path("Sid").asText())).toList();
        assertEquals(1, statements.size(), statements::toString);
        JsonNode statement = statements.get(0);
        assertEquals(List.of("secretsmanager:GetSecretValue"), CfnTemplate.actions(statement));
        List<String> resources = new ArrayList<>();
        for (JsonNode resource : statement.path("Resource")) {
            JsonNode choice = resource.path("Fn::If");
            assertEquals("AWS::NoValue", choice.path(2).path("Ref").asText(), resource::toString);
            resources.add(choice.path(1).path("Ref").asText());
        }
        assertEquals(TOKENS, resources);
    }

    @Test
    void theFunctionIsGivenTheSameTokenSecrets() {
        JsonNode environment = CfnTemplate.load(CfnTemplate.SAM).properties("BuildPushFunction").at("/Environment/Variables");
        Map<String, String> refs = new TreeMap<>();
        environment.fields().forEachRemaining(e -> {
            if (e.getKey().startsWith("BUILDPUSH_GITHOSTS_") && e.getKey().endsWith("_TOKEN_REF")) {
                refs.put(e.getKey(), e.getValue().path("Fn::If").path(1).path("Ref").asText());
            }
        });
        assertEquals(Map.of("BUILDPUSH_GITHOSTS_BITBUCKET_TOKEN_REF", "BitbucketTokenSecretArn",
                "BUILDPUSH_GITHOSTS_GITEA_TOKEN_REF", "GiteaTokenSecretArn", "BUILDPUSH_GITHOSTS_GITHUB_TOKEN_REF", "GitHubTokenSecretArn",
                "BUILDPUSH_GITHOSTS_GITLAB_TOKEN_REF", "GitLabTokenSecretArn"), refs);
    }
}
