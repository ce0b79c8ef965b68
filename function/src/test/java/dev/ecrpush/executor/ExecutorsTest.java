package dev.ecrpush.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ecrpush.support.Fixtures;

/** Issue 11: every executor is registered in one place, which refuses to start without one of them or with two. */
class ExecutorsTest {
    @Test
    void registry_missingAnExecutor_failsAtStartUp() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Executors(List.of(Fixtures.CODEBUILD)));
        assertEquals("no executor is registered for ECS (executor.type ECS)", e.getMessage());
    }

    @Test
    void registry_twoExecutorsOfOneType_failsAtStartUp() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Executors(List.of(Fixtures.CODEBUILD, Fixtures.ECS, Fixtures.CODEBUILD)));
        assertEquals("two executors are registered for CODEBUILD", e.getMessage());
    }

    @Test
    void registry_firstExecutor_isTheDefaultOfAPayloadWithoutOne() {
        assertEquals("CodeBuild", Fixtures.SETTINGS.defaultExecutor());
        assertEquals(List.of("CodeBuild", "ECS"), List.copyOf(Fixtures.SETTINGS.executors().keySet()));
    }
}
