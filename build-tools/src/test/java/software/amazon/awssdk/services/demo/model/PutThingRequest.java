package software.amazon.awssdk.services.demo.model;

public record PutThingRequest(String name) {
}
