package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RefPatternTest {
    @ParameterizedTest(name = "{0} ~ {1} -> {2}")
    @CsvSource({
            "main, main, true",
            "main, main2, false",
            "main, mai, false",
            "release/*, release/1.2, true",
            "release/*, release/1.2/hotfix, false",
            "release/**, release/1.2/hotfix, true",
            "release/**, release, false",
            "v*, v1.2.0, true",
            "v*, 1.2.0, false",
            "v*.*.*, v1.2.3, true",
            "v*.*.*, v1.2, false",
            "v?.*, v1.0, true",
            "v?.*, v10.0, false",
            "feature-(x), feature-(x), true",
            "feature-(x), feature-x, false",
            "**, any/thing/at/all, true"
    })
    void matches(String pattern, String ref, boolean expected) {
        assertEquals(expected, RefPattern.of(pattern).matches(ref));
    }
}
