package software.amazon.awssdk.services.demo.model;

public record ListThingsResponse(String body) {
}
