package dev.ecrpush.scan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code DescribeImageScanFindings} said of an image, read once (docs/scan-gate.md, "Every status"). */
public sealed interface ScanReading {
    /** {@code IN_PROGRESS} or {@code PENDING}: the scan is under way. */
    record Pending(String status, String description) implements ScanReading {
    }

    /** {@code ScanNotFoundException}: no scan of the image (yet): scanning not enabled, or not started. */
    record NotFound(String message) implements ScanReading {
    }

    /**
     * {@code COMPLETE} or {@code ACTIVE}: the findings, counted.
     *
     * @param enhanced       whether they are Inspector's ({@code enhancedFindings}); basic ones have no fix data
     * @param counts         the counted findings per severity as reported, worst first
     * @param ignoredUnfixed enhanced findings left out by {@code ignoreUnfixed}
     */
    record Findings(String status, boolean enhanced, Map<String, Integer> counts, int ignoredUnfixed) implements ScanReading {
        public Findings {
            counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        }

        /** Whether the scan reported no finding at all, counted or not. */
        public boolean none() {
            return ignoredUnfixed == 0 && counts.values().stream().allMatch(c -> c == 0);
        }
    }

    /**
     * A status the gate cannot pass an image on: {@code FAILED}, {@code UNSUPPORTED_IMAGE},
     * {@code SCAN_ELIGIBILITY_EXPIRED}, {@code FINDINGS_UNAVAILABLE}, {@code LIMIT_EXCEEDED}, {@code IMAGE_ARCHIVED},
     * one this SDK does not know, or more findings than the function reads.
     */
    record Unusable(String status, String description) implements ScanReading {
    }

    /** ECR could not be asked (denied, throttled, unreachable): the gate asks again until its timeout. */
    record Unreadable(String error) implements ScanReading {
    }
}
