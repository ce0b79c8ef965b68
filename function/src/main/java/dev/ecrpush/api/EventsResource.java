package dev.ecrpush.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.edge.InternalRoute;
import dev.ecrpush.flow.EventDispatcher;
import dev.ecrpush.result.ResultJson;

/**
 * The pass-through route: every event that is not an HTTP request (a step payload from Step Functions or a
 * direct invoke, a status request, an EventBridge event) arrives here from the Lambda edge, verbatim. A request
 * without the edge's token ({@link InternalRoute}) is answered 404 before the event is looked at: it came over
 * HTTP, however its path was spelt, and HTTP callers never reach the events this route trusts.
 */
@Path(InternalRoute.PATH)
public class EventsResource {
    private final EventDispatcher dispatcher;
    private final ObjectMapper json;

    @Inject
    public EventsResource(EventDispatcher dispatcher, ObjectMapper json) {
        this.dispatcher = dispatcher;
        this.json = json;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonNode handle(@HeaderParam(InternalRoute.HEADER) String edgeToken, byte[] event) {
        if (!InternalRoute.admits(edgeToken)) {
            throw new NotFoundException();
        }
        return ResultJson.tree(dispatcher.dispatch(event), json);
    }
}
