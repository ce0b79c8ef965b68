package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.junit.jupiter.api.Test;

/** The field shapes, one table per rule. */
class RulesTest {
    @ParameterizedTest
    @CsvSource({"90s, PT1M30S", "30m, PT30M", "1h30m, PT1H30M", "1d, PT24H", "1500ms, PT1.5S"})
    void duration_accepted(String text, String expected) {
        assertEquals(Duration.parse(expected), Rules.duration(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0s", "ten minutes", "30", "1h 30m", "-5m", "99999999999h"})
    void duration_rejected(String text) {
        assertNull(Rules.duration(text));
    }

    @ParameterizedTest
    @CsvSource({"500Mi, 524288000", "2Gi, 2147483648", "1G, 1000000000", "1.5Gi, 1610612736", "128974848, 128974848"})
    void memory_accepted(String text, long bytes) {
        assertEquals(bytes, Rules.memoryBytes(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lots", "2GB", "-1Gi", "0", "1.5.5Gi"})
    void memory_rejected(String text) {
        assertNull(Rules.memoryBytes(text));
    }

    @ParameterizedTest
    @CsvSource({"400m, 400", "1, 1000", "1.5, 1500", "0.1, 100"})
    void cpu_accepted(String text, int milli) {
        assertEquals(milli, Rules.milliCpu(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "0", "0m", "1.5m", "-1"})
    void cpu_rejected(String text) {
        assertNull(Rules.milliCpu(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"us-east-1", "eu-central-2", "cn-north-1", "us-gov-west-1", "ap-southeast-5"})
    void region_known(String region) {
        assertTrue(Rules.isRegion(region));
    }

    @ParameterizedTest
    @ValueSource(strings = {"us-east-9", "aws-global", "US-EAST-1", "mars-1"})
    void region_unknown(String region) {
        assertFalse(Rules.isRegion(region));
    }

    @ParameterizedTest
    @ValueSource(strings = {"app", "team/app", "a/b/c-d_e.f", "ab"})
    void repository_accepted(String name) {
        assertTrue(Rules.isRepository(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "App", "team//app", "/app", "app/", "app-", "te am"})
    void repository_rejected(String name) {
        assertFalse(Rules.isRepository(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "feature/x", "v1.2.3", "release-2026.11", "user/jdoe/fix_1", "a.b", "v1.0@x",
            "caf\u00e9"})
    void gitRefName_valid_isAccepted(String name) {
        // given / when / then
        assertTrue(Rules.isGitRefName(name), () -> Rules.refNameProblem(name));
    }

    /** git check-ref-format's rules, one row each, plus the leading dash and the length bound. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
            "''                | it is empty",
            "--tags            | it starts with -",
            "-x                | it starts with -",
            "@                 | it is @",
            "ma\u0000in         | it contains a control character",
            "ma\u001fin         | it contains a control character",
            "main\u007f         | it contains a control character",
            "my branch         | it contains a space",
            "a~1               | it contains ~",
            "a^1               | it contains ^",
            "a:b               | it contains :",
            "a?                | it contains ?",
            "a*                | it contains *",
            "a[1]              | it contains [",
            "a\\b               | it contains \\",
            "/main             | it starts or ends with /",
            "main/             | it starts or ends with /",
            "a//b              | it contains //",
            "a..b              | it contains ..",
            "release/../main   | it contains ..",
            "refs@{0}          | it contains @{",
            "main.             | it ends with .",
            ".hidden           | a /-separated part starts with .",
            "a/.b              | a /-separated part starts with .",
            "v1.0.lock         | a /-separated part ends with .lock",
            "a.lock/b          | a /-separated part ends with .lock",
    })
    void gitRefName_invalid_isRefusedWithTheRuleItBreaks(String name, String problem) {
        // given: a name from the table (the compiler has turned its unicode escapes into characters)
        // when
        String found = Rules.refNameProblem(name);
        // then
        assertEquals(problem, found);
        assertFalse(Rules.isGitRefName(name));
    }

    @Test
    void gitRefName_255Characters_isAccepted_256AreNot() {
        assertTrue(Rules.isGitRefName("x".repeat(255)));
        assertEquals("it is longer than 255 characters", Rules.refNameProblem("x".repeat(256)));
    }

    @Test
    void printable_escapesControlCharacters() {
        assertEquals("main\\u0007\\u001b[2J caf\u00e9", Rules.printable("main\u0007\u001b[2J caf\u00e9"));
    }

    @Test
    void expressions_resolveFromTheCodebaseAndTrigger() {
        Expressions.Context context = new Expressions.Context(
                new Codebase(null, "main", "9f1c2d3e4b5a69788776655443322110ffeeddcc", null), TriggerType.WEBHOOK);
        assertEquals(new Expressions.Result.Resolved("main-9f1c2d3-webhook"),
                Expressions.resolve("<+codebase.branch>-<+codebase.shortCommitSha>-<+trigger.type>", context));
    }

    @Test
    void expressions_missingCodebaseValue_sayWhichOne() {
        Expressions.Context context = new Expressions.Context(Codebase.NONE, TriggerType.MANUAL);
        Expressions.Result result = Expressions.resolve("v-<+codebase.tag>", context);
        assertEquals("the payload's codebase has no tag", assertInstanceOf(Expressions.Result.Missing.class, result).reason());
    }

    @Test
    void expressions_unknown_areReportedWholeOrEmbedded() {
        Expressions.Context context = new Expressions.Context(Codebase.NONE, TriggerType.MANUAL);
        assertTrue(assertInstanceOf(Expressions.Result.Unknown.class, Expressions.resolve("<+input>", context)).whole());
        assertFalse(assertInstanceOf(Expressions.Result.Unknown.class, Expressions.resolve("a<+pipeline.x>", context)).whole());
    }
}
