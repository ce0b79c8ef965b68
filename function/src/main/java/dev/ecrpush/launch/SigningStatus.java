package dev.ecrpush.launch;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The signing of a pushed image by ECR managed signing with the configured profile (docs/signing.md), as ECR's
 * {@code DescribeImageSigningStatus} reports it when the build is read back. It never fails the build: ECR signs after
 * the push, so at a build's end the signature is usually still {@code IN_PROGRESS}; a status request later reads it
 * again.
 *
 * @param profile       the signing profile's ARN
 * @param failureCode   ECR's code when {@code FAILED}; absent otherwise
 * @param failureReason ECR's reason when {@code FAILED}, or why the function could not ask ({@code NOT_CHECKED});
 *                      absent otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SigningStatus(String profile, State status, String failureCode, String failureReason) {

    public enum State {
        /** ECR is signing the image. */
        IN_PROGRESS,
        /** The signature is stored next to the image. */
        COMPLETE,
        /** ECR could not sign it: {@code failureCode} and {@code failureReason} say why. */
        FAILED,
        /** ECR reports no signing of the image with this profile (yet, or no rule of it covered the push). */
        NOT_STARTED,
        /** The function could not ask ECR; {@code failureReason} says why. */
        NOT_CHECKED
    }

    public static SigningStatus notChecked(String profile, String why) {
        return new SigningStatus(profile, State.NOT_CHECKED, null, why);
    }
}
