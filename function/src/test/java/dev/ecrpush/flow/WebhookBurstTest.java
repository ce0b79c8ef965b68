package dev.ecrpush.flow;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;
import dev.ecrpush.support.WebhookSigning;

/**
 * A host that delivers one push fifty times at once (retries racing, or a misbehaving proxy) gets exactly one
 * build: every delivery goes through the whole path concurrently, as fifty Lambda environments would, and the
 * idempotency table in DynamoDB Local decides.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class WebhookBurstTest {
    private static final int DELIVERIES = 50;

    @InjectFake
    TriggerWorld world;
    @InjectFake
    AwsFake aws;

    @Inject
    WebhookDeliveries deliveries;

    @Test
    void fiftyConcurrentDeliveriesOfOnePush_startExactlyOneBuild() throws Exception {
        // given: CodeBuild takes its time, so the deliveries overlap while the first build starts
        world.stubDefaults();
        aws.stub("CodeBuild_20161006.StartBuild", aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1").withFixedDelay(400)
                .withBody("{\"build\":{\"id\":\"" + TriggerWorld.BUILD_ID + "\",\"arn\":\"arn:aws:codebuild:us-east-1:111111111111:build/"
                        + TriggerWorld.BUILD_ID + "\"}}"));
        // a push no other test has delivered: a delivery is its signed body, and runs stay in the table
        byte[] body = new String(WebhookSigning.recorded("github-push-branch.json"), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"testDelivery\": \"" + UUID.randomUUID() + "\", ").getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = new HashMap<>();
        headers.put("X-GitHub-Event", "push");
        headers.put("X-GitHub-Delivery", UUID.randomUUID().toString());
        headers.put("X-Hub-Signature-256", WebhookSigning.hubSignature(WebhookSigning.GITHUB_SECRET, body));
        ExecutorService pool = Executors.newFixedThreadPool(DELIVERIES);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<WebhookDeliveries.Answer>> answers = new ArrayList<>();
        // when
        for (int i = 0; i < DELIVERIES; i++) {
            answers.add(pool.submit(() -> {
                go.await();
                return deliveries.handle("github", new WebhookRequest(headers, body));
            }));
        }
        go.countDown();
        Map<String, Integer> statuses = new HashMap<>();
        for (Future<WebhookDeliveries.Answer> answer : answers) {
            WebhookDeliveries.Answer a = answer.get();
            assertEquals(202, a.status());
            List<TriggeredBuild> builds = a.body().refs().get(0).builds();
            statuses.merge(builds.get(0).status(), 1, Integer::sum);
        }
        pool.shutdown();
        // then: one build at CodeBuild, one STARTED answer, every other one a duplicate or still in progress
        assertEquals(1, aws.requests("CodeBuild_20161006.StartBuild").size());
        assertEquals(1, statuses.get("STARTED"), statuses.toString());
        assertEquals(DELIVERIES - 1, statuses.getOrDefault("DUPLICATE", 0) + statuses.getOrDefault("IN_PROGRESS", 0), statuses.toString());
        assertTrue(statuses.getOrDefault("IN_PROGRESS", 0) > 0, "no delivery overlapped the first: " + statuses);
    }
}
