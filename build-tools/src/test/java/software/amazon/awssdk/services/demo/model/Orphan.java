package software.amazon.awssdk.services.demo.model;

/** Named by nothing: the shrinker removes it. */
public record Orphan(String name) {
}
