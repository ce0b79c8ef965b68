package software.amazon.awssdk.services.demo.model;

public record PutThingResponse(Thing thing) {
}
