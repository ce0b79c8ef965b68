package bench;

import java.util.Map;

import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The one route of the baseline: reads a JSON body and answers JSON, like the real pass-through route. */
@Path("/hello")
public class Hello {
    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> hello(Map<String, Object> body) {
        return Map.of("status", "OK", "fields", body.size());
    }
}
