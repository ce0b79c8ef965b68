package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.CommitStatusWorldResource;
import dev.ecrpush.support.GitHostFake;
import dev.ecrpush.support.Repo;
import dev.ecrpush.support.TriggerWorld;

/**
 * Commit statuses through the packaged zip, as Lambda runs it: GitHub's API is a fake on loopback, its token in the
 * Secrets Manager fake, the runs and the remembered statuses in DynamoDB Local. The recorded signed GitHub push
 * ({@code events/webhook-github-push.json}) starts its build and posts {@code pending} with the build's logs; the
 * build's state-change event ({@code events/codebuild-state-change.json}) posts {@code success}, as GitHub receives
 * them, and the token is in neither answer nor the function's log.
 */
class CommitStatusZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATUSES = "/repos/Codertocat/Hello-World/statuses/6113728f27ae82c7b1a177c8d03f9e96e0adf246";

    private static GitHostFake github;
    @RegisterExtension
    static final ZipWorld ZIP = ZipWorld.startedWith((world, environment) -> {
        CommitStatusWorldResource.stubDefaults(world);
        github = new GitHostFake();
        // as the template sets them from GitHubApiUrl and GitHubTokenSecretArn
        environment.put("BUILDPUSH_GITHOSTS_GITHUB_API_URL", github.url(""));
        environment.put("BUILDPUSH_GITHOSTS_GITHUB_TOKEN_REF", CommitStatusWorldResource.GITHUB_TOKEN_REF);
    });

    @AfterAll
    static void closeGitHub() throws IOException {
        if (github != null) {
            github.close();
        }
    }

    private static JsonNode invoke(JsonNode event) throws IOException {
        return JSON.readTree(ZIP.zip().runtime().invoke(JSON.writeValueAsBytes(event), TIMEOUT).success().payload());
    }

    @Test
    void signedPush_postsPending_andTheBuildsStateChange_postsSuccess() throws IOException {
        // when: the recorded signed push, through the HTTP API
        JsonNode response = invoke(JSON.readTree(Repo.path("events/webhook-github-push.json").toFile()));
        // then: the build started, and GitHub got pending with the build's logs, the token in its header
        assertEquals(202, response.path("statusCode").asInt(), response::toString);
        String body = response.path("body").asText();
        JsonNode build = JSON.readTree(body).at("/refs/0/builds/0");
        assertEquals("STARTED", build.path("status").asText(), body);
        assertEquals(1, ZIP.world().aws().requests(AwsFake.CODEBUILD + "StartBuild").size());
        String logs = build.at("/result/logsUrl").asText();
        assertTrue(logs.startsWith("https://console.aws.amazon.com/codesuite/codebuild/projects/"), logs);
        assertEquals(List.of("POST " + STATUSES), github.calls());
        LoggedRequest pending = github.requests().get(0);
        assertEquals("Bearer " + CommitStatusWorldResource.GITHUB_TOKEN, pending.getHeader("Authorization"));
        assertEquals(JSON.readTree("{\"state\":\"pending\",\"target_url\":\"" + logs + "\",\"description\":\"The image build has"
                + " started\",\"context\":\"ecr-push/" + build.path("trigger").asText() + "\"}"), JSON.readTree(pending.getBodyAsString()));
        // when: the build's state change, as EventBridge invokes the function (CodeBuild reads it back SUCCEEDED)
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(Repo.path("events/codebuild-state-change.json")));
        ((ObjectNode) event.get("detail")).put("build-id", "arn:aws:codebuild:us-east-1:111111111111:build/" + TriggerWorld.BUILD_ID);
        invoke(event);
        // then: success, on the same commit, context and link
        assertEquals(List.of("POST " + STATUSES, "POST " + STATUSES), github.calls());
        LoggedRequest success = github.requests().get(1);
        assertEquals("Bearer " + CommitStatusWorldResource.GITHUB_TOKEN, success.getHeader("Authorization"));
        assertEquals(JSON.readTree("{\"state\":\"success\",\"target_url\":\"" + logs + "\",\"description\":\"The image was built"
                + " and pushed\",\"context\":\"ecr-push/" + build.path("trigger").asText() + "\"}"),
                JSON.readTree(success.getBodyAsString()));
        // and the token is in no answer and not in the function's log
        assertFalse(body.contains(CommitStatusWorldResource.GITHUB_TOKEN));
        assertFalse(ZIP.zip().log().contains(CommitStatusWorldResource.GITHUB_TOKEN), "the token was logged");
    }
}
