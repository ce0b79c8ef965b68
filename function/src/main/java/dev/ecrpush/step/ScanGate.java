package dev.ecrpush.step;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * {@code step.spec.scanGate} (beyond the seed's inputs; docs/scan-gate.md): the build only succeeds once the ECR scan
 * of the image it pushed passes.
 *
 * @param maxSeverity    the highest severity a counted finding may have; a finding above it fails the gate
 * @param ignoreUnfixed  whether enhanced findings without a fix ({@code fixAvailable: NO}) are left out of the count;
 *                       basic scanning has no fix data, so every basic finding counts either way
 * @param timeout        how long after the build succeeded the scan may take to pass; past it the gate fails
 * @param untagOnFailure whether a failing gate removes the step's moving tags (those not naming the commit) from the
 *                       failing image
 */
public record ScanGate(Severity maxSeverity, boolean ignoreUnfixed, Duration timeout, boolean untagOnFailure) {
    /** When {@code timeout} is not given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(30);
    /** The longest a gate may wait: a pipeline waiting longer for a scan is waiting for one that will not come. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(6);
    /** The shortest: a scan on push takes about a minute at best. */
    public static final Duration MIN_TIMEOUT = Duration.ofMinutes(1);

    /**
     * The severities ECR and Inspector report, in order. {@code NONE} is only a bar (no finding at all is allowed);
     * a finding whose severity is not known ({@code UNDEFINED} from basic scanning, {@code UNTRIAGED} from Inspector,
     * or anything new) ranks as {@code CRITICAL}: the gate fails closed.
     */
    public enum Severity {
        NONE, INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL;

        /** The bars a step may name. */
        public static final List<Severity> BARS = List.of(values());

        /** A bar as a step names it, or null. */
        public static Severity bar(String text) {
            for (Severity severity : values()) {
                if (severity.name().equals(text.toUpperCase(Locale.ROOT))) {
                    return severity;
                }
            }
            return null;
        }

        /** A finding's severity as ECR or Inspector reports it; unknown ones rank as CRITICAL. */
        public static Severity ofFinding(String reported) {
            Severity known = reported == null ? null : bar(reported);
            return known == null || known == NONE ? CRITICAL : known;
        }
    }

    /** Whether a finding of {@code severity} is above the bar. */
    public boolean exceeds(Severity severity) {
        return severity.ordinal() > maxSeverity.ordinal();
    }
}
