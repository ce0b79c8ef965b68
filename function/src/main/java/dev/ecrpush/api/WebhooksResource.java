package dev.ecrpush.api;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import dev.ecrpush.flow.WebhookDeliveries;
import dev.ecrpush.webhook.Provider;
import dev.ecrpush.webhook.WebhookRequest;

/**
 * The Git hosts' push webhooks on the HTTP API. The body is taken as raw bytes: the signatures are over exactly
 * what was sent, so it is not parsed before they are checked.
 */
@Path("/webhooks")
public class WebhooksResource {
    @Inject
    WebhookDeliveries deliveries;

    @POST
    @Path("/github")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response github(byte[] body, @Context HttpHeaders headers) {
        return deliver(Provider.GITHUB, body, headers);
    }

    @POST
    @Path("/gitlab")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response gitlab(byte[] body, @Context HttpHeaders headers) {
        return deliver(Provider.GITLAB, body, headers);
    }

    @POST
    @Path("/bitbucket")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response bitbucket(byte[] body, @Context HttpHeaders headers) {
        return deliver(Provider.BITBUCKET, body, headers);
    }

    private Response deliver(Provider provider, byte[] body, HttpHeaders headers) {
        Map<String, String> flat = new HashMap<>();
        for (Map.Entry<String, List<String>> header : headers.getRequestHeaders().entrySet()) {
            flat.put(header.getKey(), String.join(",", header.getValue()));
        }
        WebhookDeliveries.Answer answer = deliveries.handle(new WebhookRequest(provider, flat, body == null ? new byte[0] : body));
        return Response.status(answer.status()).type(MediaType.APPLICATION_JSON_TYPE).entity(answer.body()).build();
    }
}
