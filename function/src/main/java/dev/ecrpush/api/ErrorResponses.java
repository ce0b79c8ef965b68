package dev.ecrpush.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

import org.jboss.logging.Logger;

import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorBody;
import dev.ecrpush.error.InternalErrorException;

/**
 * Every failure leaves the application as {@code {errorType, errorMessage, retryable}} with the type's HTTP
 * status, so the edge can rethrow it typed and an HTTP caller (or a Step Functions {@code Choice}) can branch.
 */
public final class ErrorResponses {
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    public static Response of(BuildPushException e) {
        return Response.status(e.httpStatus()).type(MediaType.APPLICATION_JSON_TYPE).entity(ErrorBody.of(e)).build();
    }

    @Provider
    public static class Typed implements ExceptionMapper<BuildPushException> {
        @Override
        public Response toResponse(BuildPushException e) {
            LOG.infof("%s: %s", e.errorType(), e.getMessage());
            return of(e);
        }
    }

    /** Anything unexpected is reported without its message: it could quote input we did not vet. */
    @Provider
    public static class Unexpected implements ExceptionMapper<RuntimeException> {
        @Override
        public Response toResponse(RuntimeException e) {
            if (e instanceof jakarta.ws.rs.WebApplicationException web) {
                return web.getResponse();
            }
            LOG.error("unexpected failure", e);
            return of(new InternalErrorException("internal error (" + e.getClass().getSimpleName() + "); see the function's log"));
        }
    }
}
