package dev.ecrpush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.ecrpush.bench.PrimingBenchmark.Figures;
import dev.ecrpush.bench.PrimingBenchmark.Route;

/** The priming benchmark's own arithmetic; the measuring itself is run by scripts/benchmark priming. */
class PrimingBenchmarkTest {
    /**
     * Round by round, not median by median: the first round's processes both ran slow, the second's fast, and each round
     * is judged against its own unprimed process.
     */
    @Test
    void theExcess_isEachRoundsGrowthLessWhatThatRoundSavedOverThePaths() {
        Figures without = figures(List.of(2000.0, 1500.0), List.of(900.0, 800.0), List.of(200.0, 150.0));
        Figures with = figures(List.of(3200.0, 2400.0), List.of(120.0, 100.0), List.of(110.0, 90.0));

        List<Double> excess = PrimingBenchmark.excessPerRound(without, with, List.of(Route.CODEBUILD_RUN, Route.ECS_RUN));

        // Round 1: +1200 for 780 + 90 saved; round 2: +900 for 700 + 60.
        assertEquals(List.of(330.0, 140.0), excess);
    }

    @Test
    void aRoundWhosePrimingSavedMoreThanInitGrew_isNegative() {
        Figures without = figures(List.of(1600.0), List.of(950.0), List.of(250.0));
        Figures with = figures(List.of(2500.0), List.of(100.0), List.of(110.0));

        assertEquals(List.of(900.0 - 850.0 - 140.0), PrimingBenchmark.excessPerRound(without, with,
                List.of(Route.CODEBUILD_RUN, Route.ECS_RUN)));
    }

    private static Figures figures(List<Double> init, List<Double> codeBuildRun, List<Double> ecsRun) {
        return new Figures(init, Map.of(Route.CODEBUILD_RUN, codeBuildRun, Route.ECS_RUN, ecsRun), Map.of(), List.of(), Map.of(),
                List.of());
    }
}
