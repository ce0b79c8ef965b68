package dev.ecrpush.flow;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.priming.RunPathPriming;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.support.Fixtures;

/** {@code buildpush.priming.at-init}: priming in the init phase as well, and a failure there never stops the start. */
class SnapStartPrimingAtInitTest {
    private final StepService steps = mock(StepService.class);
    private final RunPathPriming runPath = mock(RunPathPriming.class);

    @Test
    void startup_primesTheRunPath_whenAtInitIsSet_andSurvivesAFailure() {
        when(runPath.primeAtInit()).thenThrow(new IllegalStateException("boom"));
        SnapStartPriming priming = new SnapStartPriming(steps, new ObjectMapper(),
                Fixtures.config(Map.of("BUILDPUSH_PRIMING_AT_INIT", "true")), runPath);
        // when: the application starts (a priming failure is logged, not thrown)
        priming.register(null);
        // then: the run path was primed, as at init (no two-platform run); the plan path is left to the edge's priming,
        // which plans through the HTTP layer
        verify(runPath, times(1)).primeAtInit();
        verify(runPath, times(0)).prime();
        verify(steps, times(0)).handle(any(), any(TriggerType.class));
    }

    @Test
    void beforeCheckpoint_primesThePlanPath_thenTheRunPath_evenAfterAFailure() {
        when(steps.handle(any(), any())).thenThrow(new IllegalStateException("boom"));
        SnapStartPriming priming = new SnapStartPriming(steps, new ObjectMapper(), Fixtures.config(Map.of()), runPath);
        // when: the snapshot is about to be taken (a priming failure is logged, not thrown)
        priming.beforeCheckpoint(null);
        // then: both, the second despite the first's failure
        verify(steps, times(1)).handle(any(), any(TriggerType.class));
        verify(runPath, times(1)).prime();
        verify(runPath, times(0)).primeAtInit();
    }

    @Test
    void startup_leavesPrimingToTheSnapshot_byDefault() {
        SnapStartPriming priming = new SnapStartPriming(steps, new ObjectMapper(), Fixtures.config(Map.of()), runPath);
        // when
        priming.register(null);
        // then
        verify(steps, times(0)).handle(any(), any(TriggerType.class));
        verify(runPath, times(0)).prime();
        verify(runPath, times(0)).primeAtInit();
    }
}
