package dev.ecrpush.support;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

import dev.ecrpush.edge.InternalRoute;

/**
 * A request to the application as the Lambda edge makes it for a non-HTTP event: carrying the edge's token,
 * without which the pass-through route answers 404 ({@link InternalRoute}).
 */
public final class FromEdge {
    private FromEdge() {
    }

    /** RestAssured's {@code given()}, with the edge's header. */
    public static RequestSpecification given() {
        return RestAssured.given().header(InternalRoute.HEADER, InternalRoute.token());
    }
}
