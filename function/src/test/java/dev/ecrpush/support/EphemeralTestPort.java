package dev.ecrpush.support;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.junit.callback.QuarkusTestBeforeTestExecutionCallback;
import io.quarkus.test.junit.callback.QuarkusTestMethodContext;
import io.restassured.RestAssured;

/**
 * Points RestAssured at the Lambda mock event server on the ephemeral port it was given
 * ({@code %test.quarkus.lambda.mock-event-server.test-port=0}): Quarkus only knows the configured port, so
 * without this every {@code @QuarkusTest} would aim at port 0. Registered as a service, so it runs right before each
 * test of every {@code @QuarkusTest} class.
 */
public class EphemeralTestPort implements QuarkusTestBeforeTestExecutionCallback {
    /** Where the Lambda extension publishes the event server it started ({@code localhost:PORT/_lambda_}). */
    private static final String TEST_API = "quarkus-internal.aws-lambda.test-api";

    @Override
    public void beforeTestExecution(QuarkusTestMethodContext context) {
        String api = ConfigProvider.getConfig().getValue(TEST_API, String.class);
        // e.g. localhost:39881/_lambda_
        String port = api.substring(api.indexOf(':') + 1).replaceFirst("/.*", "");
        RestAssured.port = Integer.parseInt(port);
    }
}
