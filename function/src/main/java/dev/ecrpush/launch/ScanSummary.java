package dev.ecrpush.launch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A build's scan gate as a status request, a task's output or its failure shows it (docs/scan-gate.md).
 *
 * @param state          where the gate is
 * @param scanStatus     ECR's {@code imageScanStatus.status} as last read ({@code COMPLETE}, {@code ACTIVE}, ...); null
 *                       before the first read, or when no scan was found
 * @param counts         the counted findings per severity ({@code CRITICAL}, {@code HIGH}, ...; {@code UNDEFINED} and
 *                       {@code UNTRIAGED} as reported), every severity present, zero when none
 * @param ignoredUnfixed enhanced findings left out of the count by {@code ignoreUnfixed} (no fix available)
 * @param reason         why the gate waits, passed or failed, for a person
 * @param untagged       the moving tags a failing gate removed from the image ({@code untagOnFailure})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScanSummary(State state, String scanStatus, Map<String, Integer> counts, Integer ignoredUnfixed, String reason,
        List<String> untagged) {
    public ScanSummary {
        // In the order given (worst first), for a person reading the output.
        counts = counts == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        untagged = untagged == null ? null : List.copyOf(untagged);
    }

    public enum State {
        /** The build has not succeeded (yet): nothing to scan. */
        WAITING_FOR_BUILD,
        /** The build has pushed; its image's scan has not passed yet. */
        SCANNING,
        PASSED,
        FAILED
    }
}
