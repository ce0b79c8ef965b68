package dev.ecrpush.launch;

import java.util.List;

/**
 * The answer to a status request (SPEC §7), for a polling loop: exactly {@code buildId}, {@code status},
 * {@code phase}, {@code imageUris} and {@code digest}. Every field is always present; {@code digest} is null
 * until the build has succeeded and the image can be read back.
 *
 * @param phase CodeBuild's current phase ({@code SUBMITTED} ... {@code COMPLETED})
 */
public record BuildStatusResult(String buildId, Status status, String phase, List<String> imageUris, String digest) {
    public BuildStatusResult {
        imageUris = List.copyOf(imageUris);
    }

    /** The caller's view of a build: a build waiting for capacity is QUEUED, and FAILED covers CodeBuild's FAULT. */
    public enum Status { QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, STOPPED, TIMED_OUT }
}
