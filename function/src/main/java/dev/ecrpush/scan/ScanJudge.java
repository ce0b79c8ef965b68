package dev.ecrpush.scan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.ecrpush.launch.ScanSummary;
import dev.ecrpush.step.ScanGate;

/**
 * The gate's decision on one reading of the scan, made here and nowhere else (docs/scan-gate.md, "Every status"):
 * <ul>
 * <li>{@code IN_PROGRESS}, {@code PENDING}, no scan found yet, ECR not answering: wait, until the timeout fails it;</li>
 * <li>{@code COMPLETE} or {@code ACTIVE} with findings: a counted finding above the bar fails it, else it passes;</li>
 * <li>{@code COMPLETE} or {@code ACTIVE} with no finding at all: trusted only {@link #SETTLE} after the build
 * succeeded, since Inspector answers COMPLETE before its findings exist (aws/aws-sdk #289); waits until then;</li>
 * <li>any other status ({@code FAILED}, {@code UNSUPPORTED_IMAGE}, {@code SCAN_ELIGIBILITY_EXPIRED},
 * {@code FINDINGS_UNAVAILABLE}, ...): fails, closed: an image the gate could not judge does not pass.</li>
 * </ul>
 */
public final class ScanJudge {
    /** How long after the build succeeded an empty COMPLETE is believed. */
    public static final Duration SETTLE = Duration.ofSeconds(90);

    private ScanJudge() {
    }

    /** What the gate does now. */
    public sealed interface Decision {
        ScanSummary summary();

        record Wait(ScanSummary summary) implements Decision {
        }

        record Pass(ScanSummary summary) implements Decision {
        }

        record Fail(ScanSummary summary) implements Decision {
        }
    }

    /** @param started when the build was first seen to have succeeded: the timeout and the settle time run from then */
    public static Decision decide(ScanGate gate, ScanReading reading, Instant started, Instant now) {
        Instant deadline = started.plus(gate.timeout());
        if (reading instanceof ScanReading.Findings findings) {
            List<String> above = findings.counts().entrySet().stream()
                    .filter(e -> e.getValue() > 0 && gate.exceeds(ScanGate.Severity.ofFinding(e.getKey())))
                    .map(e -> e.getValue() + " " + e.getKey()).toList();
            String counted = counts(findings.counts()) + (findings.ignoredUnfixed() > 0
                    ? "; " + findings.ignoredUnfixed() + " without a fix not counted" : "")
                    + (findings.enhanced() || !gate.ignoreUnfixed() ? ""
                            : "; basic scanning reports no fix data, so every finding counts");
            if (!above.isEmpty()) {
                return new Decision.Fail(summary(ScanSummary.State.FAILED, findings, "findings above " + gate.maxSeverity()
                        + ": " + String.join(", ", above) + " (" + counted + ")"));
            }
            if (findings.none() && now.isBefore(started.plus(SETTLE)) && now.isBefore(deadline)) {
                return new Decision.Wait(summary(ScanSummary.State.SCANNING, findings, findings.status()
                        + " with no findings yet; believed from " + started.plus(SETTLE) + ", as enhanced scanning reports"
                        + " COMPLETE before its findings exist"));
            }
            return new Decision.Pass(summary(ScanSummary.State.PASSED, findings, "nothing above " + gate.maxSeverity() + " ("
                    + counted + ")"));
        }
        if (reading instanceof ScanReading.Unusable unusable) {
            return new Decision.Fail(new ScanSummary(ScanSummary.State.FAILED, unusable.status(), null, null, "scan status "
                    + unusable.status() + (unusable.description() == null ? "" : ": " + unusable.description())
                    + "; an image the gate cannot judge does not pass", null));
        }
        String status;
        String why;
        if (reading instanceof ScanReading.Pending pending) {
            status = pending.status();
            why = "the scan is " + pending.status() + (pending.description() == null ? "" : ": " + pending.description());
        } else if (reading instanceof ScanReading.NotFound notFound) {
            status = null;
            why = "no scan of the image was found (is scan on push, or enhanced scanning, on for the repository?): "
                    + notFound.message();
        } else {
            status = null;
            why = "the scan could not be read: " + ((ScanReading.Unreadable) reading).error();
        }
        if (!now.isBefore(deadline)) {
            return new Decision.Fail(new ScanSummary(ScanSummary.State.FAILED, status, null, null, "timeout: no verdict "
                    + gate.timeout().toMinutes() + "m after the build succeeded; " + why, null));
        }
        return new Decision.Wait(new ScanSummary(ScanSummary.State.SCANNING, status, null, null, why + "; waiting until "
                + deadline, null));
    }

    private static ScanSummary summary(ScanSummary.State state, ScanReading.Findings findings, String reason) {
        return new ScanSummary(state, findings.status(), findings.counts(), findings.ignoredUnfixed(), reason, null);
    }

    /** {@code CRITICAL 1, HIGH 3, ...}: every severity, as the cause of a failed task names them. */
    public static String counts(Map<String, Integer> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
