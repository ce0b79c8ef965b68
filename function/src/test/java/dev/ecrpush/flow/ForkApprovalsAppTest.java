package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.trigger.Trigger;

/**
 * The application's {@link ForkApprovals}, with the stack's idempotency table (DynamoDB Local): holding a fork's
 * request calls no AWS service but the table, and a member's approval releases it once.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class ForkApprovalsAppTest {
    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    ForkApprovals approvals;

    @BeforeEach
    void resetFakes() {
        world.stubDefaults();
        aws.resetRequests();
    }

    @Test
    void aForksRequest_isHeldInTheTable_withNoOtherAwsCall_andReleasedOnce() {
        Trigger trigger = ForkApprovalsTest.trigger("hello-world");
        PullRequest pr = ForkApprovalsTest.fork("github", 31, ForkApprovalsTest.SHA);
        TriggeredBuild held = approvals.hold(trigger, pr, "pull/31");
        assertEquals(TriggeredBuild.HELD, held.status());
        assertEquals(List.of(), aws.calls(), "no AWS call but DynamoDB's");
        try (DynamoDbClient client = world.dynamoDb().client()) {
            Map<String, AttributeValue> item = client.getItem(r -> r.tableName(TriggerWorld.TABLE).key(Map.of("idempotencyKey",
                    AttributeValue.fromS("build#fork#github/" + pr.repository().toLowerCase() + "/31")))).item();
            assertEquals(ForkApprovalsTest.SHA, item.get("headSha").s());
            assertEquals(Set.of("hello-world"), Set.copyOf(item.get("triggers").ss()));
        }
        assertEquals(new ForkApprovals.Approval.Approved(pr, List.of("hello-world")), approvals.approve(
                ForkApprovalsTest.comment(pr, "octocat", "MEMBER", null, "/build " + ForkApprovalsTest.SHA)));
        assertEquals(new ForkApprovals.Approval.Refused("nothing is held for pull request #31"), approvals.approve(
                ForkApprovalsTest.comment(pr, "octocat", "MEMBER", null, "/build " + ForkApprovalsTest.SHA)));
    }
}
