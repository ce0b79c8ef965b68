package dev.ecrpush.step;

/** One entry of a map input; maps keep the order the user wrote them in. */
public record KeyValue(String key, String value) {
}
