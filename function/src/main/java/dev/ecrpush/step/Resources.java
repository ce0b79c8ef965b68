package dev.ecrpush.step;

/** Container limits; either part may be null. Memory in bytes, CPU in millicores. */
public record Resources(Long memoryBytes, Integer milliCpu) {
}
