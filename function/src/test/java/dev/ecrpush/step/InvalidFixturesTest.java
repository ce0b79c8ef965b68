package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.support.Fixtures;

/**
 * One validation rule per file in {@code invalid/}: the payload must be rejected with exactly the listed
 * field paths, each with a message.
 */
class InvalidFixturesTest {
    @TestFactory
    Stream<DynamicTest> everyRuleNamesItsField() {
        return Fixtures.files("invalid").stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(file)));
    }

    private static void check(Path file) {
        // given
        JsonNode fixture = Fixtures.read(file);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class, () -> Fixtures.plan(fixture.get("payload")),
                file.getFileName() + " was accepted");
        // then
        Set<String> paths = new TreeSet<>();
        for (String problem : e.problems()) {
            int colon = problem.indexOf(": ");
            assertTrue(colon > 0 && colon < problem.length() - 2, "no path or no message in: " + problem);
            paths.add(problem.substring(0, colon));
        }
        Set<String> expected = new TreeSet<>();
        fixture.get("errors").forEach(p -> expected.add(p.asText()));
        assertEquals(expected, paths, file.getFileName() + ": " + fixture.path("description").asText() + "\n" + e.getMessage());
    }
}
