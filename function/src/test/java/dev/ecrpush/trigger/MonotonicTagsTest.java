package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class MonotonicTagsTest {
    private static final String SHA = "9f1c2d3e4b5a69788776655443322110ffeeddcc";

    @Test
    void tagsThatNameTheCommit_inFullOrShort_areImmutable_theOthersMove() {
        MonotonicTags.Split split = MonotonicTags.split(List.of("9f1c2d3", "latest", "main-9f1c2d3", "main-latest", SHA,
                "v1.2.0", "build-9F1C2D3E"), SHA);
        assertEquals(List.of("9f1c2d3", "main-9f1c2d3", SHA, "build-9F1C2D3E"), split.immutable());
        assertEquals(List.of("latest", "main-latest", "v1.2.0"), split.moving());
    }

    @Test
    void aTagWithFewerThanTheShortFormsCharacters_doesNotNameTheCommit() {
        MonotonicTags.Split split = MonotonicTags.split(List.of("9f1c2d", "9f1c"), SHA);
        assertEquals(List.of(), split.immutable());
        assertEquals(List.of("9f1c2d", "9f1c"), split.moving());
    }

    @Test
    void withoutACommit_everyTagMoves() {
        assertEquals(List.of("latest", "0000000"), MonotonicTags.split(List.of("latest", "0000000"), null).moving());
    }
}
