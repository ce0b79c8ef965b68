package dev.ecrpush.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

import org.jboss.logging.Logger;

import com.amazonaws.services.lambda.runtime.Context;

import io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler;

import dev.ecrpush.step.Rules;

/**
 * The function's configured handler ({@code dev.ecrpush.edge.LambdaEdge::handleRequest}). An HTTP API event
 * reaches the Quarkus REST routes only when its method and path are exactly a declared route ({@link EdgeRoutes});
 * any other is answered 404 (400 when it is malformed) here, with no application code run. Every other event is
 * posted to the internal pass-through route, marked as the edge's own ({@link InternalRoute}), and a failed answer
 * is rethrown as the typed exception so that Lambda reports its class as the {@code errorType}. Quarkus refuses a
 * second CDI handler next to the HTTP extension, which is why this is a plain class and not a
 * {@code RequestHandler} bean.
 */
public final class LambdaEdge {
    private static final Logger LOG = Logger.getLogger(LambdaEdge.class);
    private final Delegate delegate;
    private final EdgeRoutes routes;

    /** Lambda constructs the handler during the init phase, so SnapStart snapshots a booted application. */
    public LambdaEdge() {
        this(Booted.QUARKUS, EdgeRoutes.declared());
        // Quarkus has booted by now: the edge can take priming's request (SnapStart; buildpush.priming.at-init).
        EdgePriming.register(this);
    }

    /** An edge in front of another application (tests): it routes as the deployed one does. */
    public LambdaEdge(Delegate delegate) {
        this(delegate, EdgeRoutes.declared());
    }

    LambdaEdge(Delegate delegate, EdgeRoutes routes) {
        this.delegate = delegate;
        this.routes = routes;
    }

    /** One request through the application: an HTTP API event in, an HTTP API response out. */
    @FunctionalInterface
    public interface Delegate {
        byte[] handle(byte[] httpEvent, Context context) throws IOException;
    }

    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        if (EdgeCodec.classify(event) instanceof EdgeCodec.HttpEvent http) {
            output.write(http(http, context));
            return;
        }
        String requestId = context == null ? null : context.getAwsRequestId();
        output.write(EdgeCodec.unwrap(delegate.handle(EdgeCodec.wrap(event, requestId), context)));
    }

    private byte[] http(EdgeCodec.HttpEvent http, Context context) throws IOException {
        EdgeRoutes.Decision decision = routes.route(http.event());
        if (decision instanceof EdgeRoutes.Forward forward) {
            return delegate.handle(forward.event().toString().getBytes(StandardCharsets.UTF_8), context);
        }
        if (decision instanceof EdgeRoutes.Malformed malformed) {
            LOG.infof("HTTP event refused (400): %s", malformed.reason());
            return EdgeCodec.badRequest();
        }
        // The method and path are the caller's: quoted cut short and escaped, so they cannot forge a log line.
        LOG.infof("HTTP event refused (404): %s %s: %s", Rules.quoted(http.event().at("/requestContext/http/method").asText()),
                Rules.quoted(http.event().path("rawPath").asText("")), ((EdgeRoutes.NotFound) decision).reason());
        return EdgeCodec.notFound();
    }

    /** Holder, so that constructing an edge around another delegate (tests) does not boot Quarkus. */
    private static final class Booted {
        static final Delegate QUARKUS = quarkus();
    }

    private static Delegate quarkus() {
        QuarkusStreamHandler handler = new QuarkusStreamHandler();
        return (httpEvent, context) -> {
            var out = new java.io.ByteArrayOutputStream(4096);
            handler.handleRequest(new java.io.ByteArrayInputStream(httpEvent), out, context);
            return out.toByteArray();
        };
    }
}
