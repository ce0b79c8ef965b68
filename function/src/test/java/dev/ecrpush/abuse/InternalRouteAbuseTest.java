package dev.ecrpush.abuse;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.edge.InternalRoute;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFakeResource;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * Case 4 behind the edge: the application's pass-through route serves the edge alone. An HTTP request for it, under
 * any spelling the router normalizes into it, is 404 without the edge's token, and the run payload it carries starts
 * nothing; the AWS fake answers every call the run would make, so a request that got through would show in its log.
 */
@QuarkusTest
@QuarkusTestResource(value = AwsFakeResource.class, restrictToAnnotatedClass = true)
class InternalRouteAbuseTest {
    @InjectFake
    AwsFake aws;

    @BeforeEach
    void stub() {
        KnownTargetScenario.stub(aws, true);
    }

    @ParameterizedTest(name = "POST {0}")
    @ValueSource(strings = {"/internal/events", "//internal/events", "/x/%2e%2e/internal/events", "/internal/./events",
            "/webhooks/../internal/events", "/%69nternal/events"})
    void requestWithoutTheEdgesToken_is404_andStartsNothing(String path) {
        given().urlEncodingEnabled(false).body(HttpAbuse.runPayload()).contentType("application/json").post(path)
                .then().statusCode(404);
        assertEquals(List.of(), aws.calls());
    }

    @ParameterizedTest(name = "token {0}")
    @ValueSource(strings = {"", "x", "token"})
    void requestWithAWrongToken_is404_andStartsNothing(String token) {
        String wrong = token.equals("token") ? InternalRoute.token().substring(1) : token;
        given().header(InternalRoute.HEADER, wrong).body(HttpAbuse.runPayload()).contentType("application/json")
                .post(InternalRoute.PATH).then().statusCode(404);
        assertEquals(List.of(), aws.calls());
    }

    /** The control: the same request with the edge's token runs, so the 404s above are the token's doing. */
    @Test
    void requestWithTheEdgesToken_isServed() {
        given().header(InternalRoute.HEADER, InternalRoute.token()).body(HttpAbuse.runPayload()).contentType("application/json")
                .post(InternalRoute.PATH).then().statusCode(200);
        assertEquals("StartBuild", aws.operations().get(aws.operations().size() - 1));
    }
}
