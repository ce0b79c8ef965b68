package dev.ecrpush.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.flow.WebhookDeliveries;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.result.ResultJson;

/**
 * The Git hosts' push webhooks on the HTTP API, one route for every host: the Git host registry decides what
 * {@code host} names. The body is taken as raw bytes: the signatures are over exactly what was sent, so it is
 * not parsed before they are checked.
 */
@Path("/webhooks")
public class WebhooksResource {
    private final WebhookDeliveries deliveries;
    private final ObjectMapper json;

    @Inject
    public WebhooksResource(WebhookDeliveries deliveries, ObjectMapper json) {
        this.deliveries = deliveries;
        this.json = json;
    }

    @POST
    @Path("/{host}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response deliver(@PathParam("host") String host, byte[] body, @Context HttpHeaders headers) {
        Map<String, String> flat = new HashMap<>();
        for (Map.Entry<String, List<String>> header : headers.getRequestHeaders().entrySet()) {
            flat.put(header.getKey(), String.join(",", header.getValue()));
        }
        WebhookDeliveries.Answer answer = deliveries.handle(host, new WebhookRequest(flat, body == null ? new byte[0] : body));
        return Response.status(answer.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(ResultJson.tree(answer.body(), json)).build();
    }
}
