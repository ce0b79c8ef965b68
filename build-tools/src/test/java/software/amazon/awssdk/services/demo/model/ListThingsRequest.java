package software.amazon.awssdk.services.demo.model;

public record ListThingsRequest(String prefix) {
}
