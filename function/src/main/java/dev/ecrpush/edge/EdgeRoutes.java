package dev.ecrpush.edge;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.GitHostRegistry;

/**
 * The HTTP routes the function declares, and the one decision whether an HTTP API event (payload 2.0, from API
 * Gateway or a Function URL) reaches the application: {@code GET /health} and {@code POST /webhooks/<host>} for
 * each registered Git host, matched exactly against the path as sent ({@code rawPath}), never as a framework would
 * normalize it. A path that could normalize into another route (percent-encoding, dot or empty segments,
 * {@code ;} parameters, backslashes, control or non-ASCII characters, another case, a trailing slash) matches
 * nothing and is answered 404 here, before any application code runs; an event whose fields are not what the
 * HTTP API sends (a {@code rawPath} that is missing or not a string, say) is answered 400.
 *
 * <p>The event forwarded is rebuilt from the fields checked here, so that the application reads exactly what was
 * judged: the path is {@code rawPath} (also as {@code requestContext.http.path}), and the internal route's header
 * ({@link InternalRoute#HEADER}) is removed, whatever its case.
 */
public final class EdgeRoutes {
    /** Longer than any declared route; a longer path is refused before it is looked at. */
    static final int MAX_PATH = 256;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** What {@code requestContext} may carry on to the application: its strings, as the HTTP API sends them. */
    private static final List<String> CONTEXT_TEXT = List.of("accountId", "apiId", "domainName", "domainPrefix", "requestId",
            "routeKey", "stage", "time");
    private static final List<String> HTTP_TEXT = List.of("protocol", "sourceIp", "userAgent");

    private final Set<String> routes;

    /** @param gitHostNames the names of the Git hosts whose webhook routes exist */
    public EdgeRoutes(List<String> gitHostNames) {
        Set<String> declared = new LinkedHashSet<>();
        declared.add("GET /health");
        gitHostNames.forEach(name -> declared.add("POST /webhooks/" + name));
        this.routes = Set.copyOf(declared);
    }

    /** The routes of the registered Git hosts. */
    public static EdgeRoutes declared() {
        return new EdgeRoutes(new GitHostRegistry().names());
    }

    /** {@code METHOD /path} of every declared route. */
    public Set<String> routes() {
        return routes;
    }

    /** What becomes of one HTTP API event. */
    public sealed interface Decision permits Forward, NotFound, Malformed {
    }

    /** A declared route: {@code event} goes to the application. */
    public record Forward(ObjectNode event) implements Decision {
    }

    /** No declared route; {@code reason} is for the log only. */
    public record NotFound(String reason) implements Decision {
    }

    /** Not an HTTP API event as API Gateway or a Function URL sends one; {@code reason} is for the log only. */
    public record Malformed(String reason) implements Decision {
    }

    /** @param event an event whose {@code requestContext.http.method} is a string (see {@link EdgeCodec#classify}) */
    public Decision route(JsonNode event) {
        JsonNode rawPath = event.get("rawPath");
        if (rawPath == null || !rawPath.isTextual()) {
            return new Malformed("rawPath is " + (rawPath == null ? "missing" : "not a string"));
        }
        String method = event.path("requestContext").path("http").path("method").asText();
        String path = rawPath.asText();
        String problem = pathProblem(path);
        if (problem != null) {
            return new NotFound(problem);
        }
        if (!routes.contains(method + " " + path)) {
            return new NotFound("no route is declared for this method and path");
        }
        return forwarded(event, path);
    }

    /**
     * Why {@code path} can be no declared route as it is spelt, before it is looked up; null when it may be one.
     * Each of these is a way to reach a route under another spelling.
     */
    static String pathProblem(String path) {
        if (path.length() > MAX_PATH) {
            return "the path is longer than " + MAX_PATH + " characters";
        }
        if (!path.startsWith("/")) {
            return "the path does not start with /";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return "the path has a control, space or non-ASCII character";
            }
            if (c == '%') {
                return "the path is percent-encoded";
            }
            if (c == '\\') {
                return "the path has a backslash";
            }
            if (c == ';') {
                return "the path has a ; parameter";
            }
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty()) {
                return "the path has an empty segment";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "the path has a dot segment";
            }
        }
        return null;
    }

    /** The event the application gets: the checked fields only, without the internal route's header. */
    private static Decision forwarded(JsonNode event, String path) {
        ObjectNode out = NODES.objectNode();
        out.put("version", "2.0");
        copyText(event, out, "routeKey");
        out.put("rawPath", path);
        JsonNode query = event.get("rawQueryString");
        if (query != null && !query.isNull() && !query.isTextual()) {
            return new Malformed("rawQueryString is not a string");
        }
        out.put("rawQueryString", query == null || query.isNull() ? "" : query.asText());
        JsonNode cookies = event.get("cookies");
        if (cookies != null && !cookies.isNull()) {
            if (!cookies.isArray() || !allText(cookies.elements())) {
                return new Malformed("cookies is not a list of strings");
            }
            out.set("cookies", cookies.deepCopy());
        }
        JsonNode headers = event.get("headers");
        if (headers != null && !headers.isNull()) {
            if (!headers.isObject()) {
                return new Malformed("headers is not an object");
            }
            ObjectNode kept = out.putObject("headers");
            for (Iterator<Map.Entry<String, JsonNode>> it = headers.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> header = it.next();
                if (!header.getValue().isTextual()) {
                    return new Malformed("a header's value is not a string");
                }
                if (!header.getKey().toLowerCase(Locale.ROOT).equals(InternalRoute.HEADER)) {
                    kept.put(header.getKey(), header.getValue().asText());
                }
            }
        }
        JsonNode context = event.get("requestContext");
        ObjectNode keptContext = out.putObject("requestContext");
        CONTEXT_TEXT.forEach(field -> copyText(context, keptContext, field));
        if (context.path("timeEpoch").isIntegralNumber()) {
            keptContext.put("timeEpoch", context.get("timeEpoch").asLong());
        }
        ObjectNode http = keptContext.putObject("http");
        http.put("method", context.path("http").path("method").asText());
        http.put("path", path);
        HTTP_TEXT.forEach(field -> copyText(context.path("http"), http, field));
        JsonNode body = event.get("body");
        if (body != null && !body.isNull()) {
            if (!body.isTextual()) {
                return new Malformed("body is not a string");
            }
            out.put("body", body.asText());
        }
        JsonNode base64 = event.get("isBase64Encoded");
        if (base64 != null && !base64.isNull() && !base64.isBoolean()) {
            return new Malformed("isBase64Encoded is not a boolean");
        }
        out.put("isBase64Encoded", base64 != null && base64.asBoolean(false));
        return new Forward(out);
    }

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        JsonNode value = from.get(field);
        if (value != null && value.isTextual()) {
            to.put(field, value.asText());
        }
    }

    private static boolean allText(Iterator<JsonNode> values) {
        while (values.hasNext()) {
            if (!values.next().isTextual()) {
                return false;
            }
        }
        return true;
    }
}
