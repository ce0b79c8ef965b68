package dev.ecrpush.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.support.Repo;
import dev.ecrpush.support.FromEdge;

/**
 * The application behind the edge, through the Quarkus Lambda mock event server: every step payload in
 * {@code events/} reaches the pass-through route and is answered as the edge expects.
 */
@QuarkusTest
class EventsRouteTest {
    @TestFactory
    Stream<DynamicTest> everyStepEvent_isAnsweredThroughThePassThroughRoute() throws IOException {
        try (Stream<Path> files = Files.list(Repo.path("events"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("plan-")).sorted().toList().stream()
                    .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                        byte[] body = Files.readAllBytes(file);
                        if (file.getFileName().toString().contains("invalid")) {
                            FromEdge.given().body(body).contentType("application/json").post("/internal/events")
                                    .then().statusCode(400)
                                    .body("errorType", equalTo("InvalidStepException"))
                                    .body("retryable", equalTo(false))
                                    .body("errorMessage", containsString(": "));
                        } else {
                            FromEdge.given().body(body).contentType("application/json").post("/internal/events")
                                    .then().statusCode(200)
                                    .body("status", equalTo("PLANNED"))
                                    .body("plan", hasKey("env"))
                                    .body("plan", hasKey("secretEnv"));
                        }
                    }));
        }
    }

    @Test
    void nonObjectPayload_isAnInvalidStep() {
        FromEdge.given().body("[1,2]").contentType("application/json").post("/internal/events")
                .then().statusCode(400)
                .body("errorType", equalTo("InvalidStepException"))
                .body("errorMessage", containsString("payload: must be a JSON object"));
    }

    @Test
    void brokenJson_isAnInvalidStep_withoutQuotingTheInput() {
        FromEdge.given().body("{\"oidcToken\": \"eyJsecret").contentType("application/json").post("/internal/events")
                .then().statusCode(400)
                .body("errorType", equalTo("InvalidStepException"))
                .body("errorMessage", containsString("payload: is not valid JSON"))
                .body("errorMessage", not(containsString("eyJsecret")));
    }

    @Test
    void health_answersUp() {
        given().get("/health").then().statusCode(200).body("status", equalTo("UP"));
    }
}
