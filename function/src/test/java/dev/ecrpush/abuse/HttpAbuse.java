package dev.ecrpush.abuse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.KnownTargetScenario;
import dev.ecrpush.support.Repo;

/**
 * HTTP API events that try to reach the internal pass-through route (or any other undeclared route) by spelling
 * its path so that a router would normalize it there, each carrying a run payload that would start a build if it
 * got through. Shared by the edge's unit test and the packaged zip's test, so that both hold the same list.
 */
public final class HttpAbuse {
    /**
     * The paths reported (the first ten), their relatives, and undeclared routes: each must be answered 404 by the
     * edge, with no application code run.
     */
    public static final List<String> NOT_ROUTES = List.of(
            "/%69nternal/events",
            "//internal/events",
            "/./internal/events",
            "/internal;x=1/events",
            "/webhooks/../internal/events",
            "/x/%2e%2e/internal/events",
            "/%2e/internal/events",
            "/internal/%65vents",
            "/webhooks/%2e%2e/internal/events",
            "/webhooks/github/%2e%2e/%2e%2e/internal/events",
            "/INTERNAL/events",
            "/Internal/Events",
            "/internal/events/",
            "/internal%2fevents",
            "/%2finternal/events",
            "/internal/./events",
            "/webhooks/github/../../internal/events",
            "/internal/events",
            "/internal//events",
            "/internal/events/.",
            "/internal/events;",
            "/internal/events\t",
            "/internal/events\u0000",
            "/internal/events%00",
            "/\\internal\\events",
            "/\\internal/events",
            "internal/events",
            "/internal/events?x=1",
            "/internal/events\u00a0",
            "/webhooks/GitHub",
            "/webhooks/gogs",
            "/webhooks/github/",
            "/webhooks/github/x",
            "/webhooks",
            "/health/",
            "/");

    private HttpAbuse() {
    }

    /** {@code events/apigw-health.json} as a {@code method} request for {@code rawPath}, with {@code body}. */
    public static ObjectNode event(String method, JsonNode rawPath, String body) {
        ObjectNode event = (ObjectNode) read("events/apigw-health.json");
        if (rawPath == null) {
            event.remove("rawPath");
        } else {
            event.set("rawPath", rawPath);
        }
        event.put("routeKey", "$default");
        ((ObjectNode) event.get("headers")).put("content-type", "application/json");
        ObjectNode context = (ObjectNode) event.get("requestContext");
        context.put("routeKey", "$default");
        ((ObjectNode) context.get("http")).put("method", method).put("path", rawPath != null && rawPath.isTextual()
                ? rawPath.asText() : "/internal/events");
        event.put("body", body);
        return event;
    }

    /**
     * A run payload that starts a CodeBuild build when it is run ({@link KnownTargetScenario}, whose answers an
     * {@code AwsFake} gives): what each of these events carries.
     */
    public static String runPayload() {
        return KnownTargetScenario.payload("run", "app", "edge-abuse").toString();
    }

    private static JsonNode read(String file) {
        try {
            return Fixtures.JSON.readTree(Files.readAllBytes(Repo.path(file)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
