package dev.ecrpush.edge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.amazonaws.services.lambda.runtime.Context;

import io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler;

/**
 * The function's configured handler ({@code dev.ecrpush.edge.LambdaEdge::handleRequest}). HTTP API
 * events go to the Quarkus REST routes unchanged; every other event is posted to the internal
 * pass-through route, and a failed answer is rethrown as the typed exception so that Lambda reports its
 * class as the {@code errorType}. Quarkus refuses a second CDI handler next to the HTTP extension, which
 * is why this is a plain class and not a {@code RequestHandler} bean.
 */
public final class LambdaEdge {
    private final Delegate delegate;

    /** Lambda constructs the handler during the init phase, so SnapStart snapshots a booted application. */
    public LambdaEdge() {
        this(Booted.QUARKUS);
    }

    LambdaEdge(Delegate delegate) {
        this.delegate = delegate;
    }

    /** One request through the application: an HTTP API event in, an HTTP API response out. */
    @FunctionalInterface
    public interface Delegate {
        byte[] handle(byte[] httpEvent, Context context) throws IOException;
    }

    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        if (EdgeCodec.classify(event) instanceof EdgeCodec.HttpEvent http) {
            output.write(http.rawPath().startsWith(EdgeCodec.INTERNAL_PREFIX)
                    ? EdgeCodec.notFound()
                    : delegate.handle(event, context));
            return;
        }
        String requestId = context == null ? null : context.getAwsRequestId();
        output.write(EdgeCodec.unwrap(delegate.handle(EdgeCodec.wrap(event, requestId), context)));
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
