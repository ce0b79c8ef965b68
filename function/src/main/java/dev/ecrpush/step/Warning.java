package dev.ecrpush.step;

/** A remark about one field: {@code path} names it as in the payload, e.g. {@code step.spec.tags[1]}. */
public record Warning(String path, String message) {
    @Override
    public String toString() {
        return path + ": " + message;
    }
}
