package software.amazon.awssdk.services.demo.model;

public record Thing(String name) {
}
