package dev.ecrpush.abuse;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.TriggerWorld;
import dev.ecrpush.support.TriggerWorldResource;

/**
 * The stack's own webhook secret named by a payload, through the application's route as Lambda delivers a direct
 * invocation: refused with a 403 naming the field, and the fake, which would hand the secret out if asked, is never
 * called. The tests' policy allows every secret of account 123456789012 by ARN, so only the rule for the stack's own
 * secrets stands in the way.
 */
@QuarkusTest
@QuarkusTestResource(value = TriggerWorldResource.class, restrictToAnnotatedClass = true)
class PolicyRouteTest {
    /** The world's webhook secret ({@code buildpush.webhooks.secret-id}) by a full ARN, suffix included. */
    private static final String WEBHOOK_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
            + TriggerWorld.WEBHOOK_SECRET_ID + "-AbCdEf";

    @InjectFake
    TriggerWorld world;

    @BeforeEach
    void stub() {
        world.stubDefaults();
    }

    @Test
    void webhookSecret_asTheDockerPassword_toAnAttackersRegistry_isRefused_withNoAwsCall() throws IOException {
        // given: a base image connector sending the webhook secret to a registry of the caller's choosing
        ObjectNode payload = Fixtures.basePayload().put("mode", "run").put("infra", "VM");
        ((ObjectNode) payload.at("/step/spec")).putArray("baseImageConnectorRefs").add("hub");
        ObjectNode hub = (ObjectNode) Fixtures.JSON.readTree("""
                {"type": "DockerRegistry", "spec": {"dockerRegistryUrl": "https://attacker.example/",
                  "auth": {"type": "UsernamePassword", "spec": {"username": "x"}}}}""");
        ((ObjectNode) hub.at("/spec/auth/spec")).put("passwordRef", WEBHOOK_SECRET_ARN);
        ((ObjectNode) payload.at("/connectors")).set("hub", hub);
        // when / then
        FromEdge.given().body(payload.toString()).contentType("application/json").post("/internal/events").then().statusCode(403)
                .body("errorType", equalTo("NotAllowedException"))
                .body("retryable", equalTo(false))
                .body("errorMessage", equalTo(
                        "connectors.hub.spec.dockerRegistryUrl: attacker.example is not a registry this function may use"
                                + " (buildpush.policy.registries)\n"
                                + "connectors.hub.spec.auth.spec.passwordRef: names the webhook secret (buildpush.webhooks.secret-id),"
                                + " which belongs to this function's stack: no payload may name it"))
                .body("errorMessage", not(containsString(WEBHOOK_SECRET_ARN)));
        assertEquals(List.of(), world.aws().calls());
    }

    @Test
    void webhookSecret_asAConnectorsSecretKeyRef_isRefused_beforeTheFunctionReadsIt() {
        // given: the function's own role would read the secret as the connector's secret key
        ObjectNode payload = Fixtures.basePayload().put("mode", "run");
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", WEBHOOK_SECRET_ARN);
        // when / then
        FromEdge.given().body(payload.toString()).contentType("application/json").post("/internal/events").then().statusCode(403)
                .body("errorType", equalTo("NotAllowedException"))
                .body("errorMessage", equalTo("connectors.aws.spec.credential.spec.secretKeyRef: names the webhook secret"
                        + " (buildpush.webhooks.secret-id), which belongs to this function's stack: no payload may name it"));
        assertEquals(List.of(), world.aws().calls());
    }
}
