package dev.ecrpush.launch;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The answer to a status request, for a polling loop: {@code buildId}, {@code status},
 * {@code phase}, {@code imageUris}, {@code digest}, {@code reason} and {@code timings}. Every field is always present;
 * {@code digest} is null until the build has succeeded and the image can be read back.
 *
 * @param buildId the CodeBuild build ID or the ECS task ARN
 * @param phase   CodeBuild's current phase ({@code SUBMITTED} ... {@code COMPLETED}), or the ECS task's last
 *                status ({@code PROVISIONING} ... {@code STOPPED})
 * @param reason  why an ECS task ended as it did when it did not succeed (its stopped reason, the exit code
 *                of the container that failed); null otherwise
 * @param stashedParameters the SSM parameters the build was started with (where an OIDC token may have been
 *                stashed for it), so that they can be deleted once it has ended; not part of the answer
 * @param timings where the build's time went, as far as its service tells ({@link PhaseTimings}); null only for a
 *                result made without reading the build back, and for a multi-platform whole (each platform has its own)
 * @param platforms each platform's build of a multi-platform step (then {@code digest} is the index's, written by
 *                  the function once every platform has pushed); absent for a build of one platform
 * @param scan      the scan gate of a step with {@code scanGate} (docs/scan-gate.md): its state, the scan's status, the
 *                  counts per severity and why; absent for a step without one
 * @param signing   the signing status of {@code digest} with the configured signing profile (docs/signing.md), once the
 *                  build has succeeded with a digest; absent without signing, and before
 */
public record BuildStatusResult(String buildId, Status status, String phase, List<String> imageUris, String digest,
        String reason, @JsonIgnore List<StashedParameter> stashedParameters, PhaseTimings timings,
        @JsonInclude(JsonInclude.Include.NON_NULL) List<PlatformStatus> platforms,
        @JsonInclude(JsonInclude.Include.NON_NULL) ScanSummary scan,
        @JsonInclude(JsonInclude.Include.NON_NULL) SigningStatus signing) {
    public BuildStatusResult {
        imageUris = List.copyOf(imageUris);
        stashedParameters = List.copyOf(stashedParameters);
        platforms = platforms == null ? null : List.copyOf(platforms);
    }

    /** A build without a scan gate, or a multi-platform whole, before its signing status is known. */
    public BuildStatusResult(String buildId, Status status, String phase, List<String> imageUris, String digest, String reason,
            List<StashedParameter> stashedParameters, PhaseTimings timings, List<PlatformStatus> platforms) {
        this(buildId, status, phase, imageUris, digest, reason, stashedParameters, timings, platforms, null, null);
    }

    /**
     * The build as its scan gate judges it: {@code status}, {@code phase} and {@code reason} are the gate's
     * (a build that succeeded is IN_PROGRESS in phase {@code SCANNING} until its scan passes), everything else as read
     * back.
     */
    public BuildStatusResult gated(Status gatedStatus, String gatedPhase, String gatedReason, ScanSummary summary) {
        return new BuildStatusResult(buildId, gatedStatus, gatedPhase, imageUris, digest, gatedReason, stashedParameters, timings,
                platforms, summary, signing);
    }

    /** Whether the build failed because its scan did not pass: a task waiting for it fails with {@code ScanGateFailed}. */
    @JsonIgnore
    public boolean scanGateFailed() {
        return scan != null && scan.state() == ScanSummary.State.FAILED;
    }

    /** The same build with the signing status of its digest. */
    public BuildStatusResult withSigning(SigningStatus signingStatus) {
        return new BuildStatusResult(buildId, status, phase, imageUris, digest, reason, stashedParameters, timings, platforms,
                scan, signingStatus);
    }

    /** A build of one platform, or of none named, as its executor read it back. */
    public BuildStatusResult(String buildId, Status status, String phase, List<String> imageUris, String digest, String reason,
            List<StashedParameter> stashedParameters, PhaseTimings timings) {
        this(buildId, status, phase, imageUris, digest, reason, stashedParameters, timings, null);
    }

    /**
     * One platform's build of a multi-platform step, as its executor reads it back.
     *
     * @param imageUri the platform's own image ({@code <first tag>-linux-arm64})
     * @param digest   the image its build pushed, once it has
     */
    public record PlatformStatus(String platform, String buildId, Status status, String phase, String imageUri, String digest,
            String reason, PhaseTimings timings) {
        public static PlatformStatus of(String platform, BuildStatusResult build) {
            return new PlatformStatus(platform, build.buildId(), build.status(), build.phase(),
                    build.imageUris().isEmpty() ? null : build.imageUris().get(0), build.digest(), build.reason(), build.timings());
        }
    }

    /** A build whose timings are not known. */
    public BuildStatusResult(String buildId, Status status, String phase, List<String> imageUris, String digest, String reason,
            List<StashedParameter> stashedParameters) {
        this(buildId, status, phase, imageUris, digest, reason, stashedParameters, null);
    }

    /** A build that names no stashed parameter. */
    public BuildStatusResult(String buildId, Status status, String phase, List<String> imageUris, String digest, String reason) {
        this(buildId, status, phase, imageUris, digest, reason, List.of());
    }

    /**
     * The build as a Step Functions task that waited for it is completed with once it has succeeded: phase
     * {@code COMPLETED} whatever the executor's last phase was, the images the task's run asked for, no reason, and
     * everything else as read back.
     */
    public BuildStatusResult succeededWith(List<String> waitedImageUris) {
        return new BuildStatusResult(buildId, Status.SUCCEEDED, "COMPLETED", waitedImageUris, digest, null, stashedParameters,
                timings, platforms, scan, signing);
    }

    /** The caller's view of a build: a build waiting for capacity is QUEUED, and FAILED covers CodeBuild's FAULT. */
    public enum Status {
        QUEUED, IN_PROGRESS, SUCCEEDED, FAILED, STOPPED, TIMED_OUT;

        /** Whether the build has ended: a polling loop stops, a task token is completed. */
        public boolean terminal() {
            return this != QUEUED && this != IN_PROGRESS;
        }

        /**
         * The {@code error} a Step Functions task whose build ended so fails with, for a {@code Catch} to match;
         * null for a build that succeeded or has not ended.
         */
        public String taskError() {
            return switch (this) {
                case FAILED -> "BuildFailed";
                case STOPPED -> "BuildStopped";
                case TIMED_OUT -> "BuildTimedOut";
                case QUEUED, IN_PROGRESS, SUCCEEDED -> null;
            };
        }
    }
}
