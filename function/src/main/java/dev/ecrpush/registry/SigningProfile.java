package dev.ecrpush.registry;

import java.util.regex.Pattern;

import dev.ecrpush.aws.Arn;

/**
 * The AWS Signer signing profile new images are signed with by ECR managed signing ({@code buildpush.repository.signing},
 * docs/signing.md): the deployer's choice, never a payload's.
 *
 * @param arn     {@code arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME}, as ECR's signing rules name it
 * @param region  the profile's region, where Signer is asked about it
 * @param account the account that owns the profile (Signer's {@code profileOwner} when it is not the caller's)
 * @param name    the profile's name
 */
public record SigningProfile(String arn, String region, String account, String name) {
    /** The configuration key messages name. */
    public static final String KEY = "buildpush.repository.signing";
    /**
     * The one platform ECR managed signing signs container images with (a Notation signature in the OCI format); a profile
     * of another platform cannot sign an image.
     */
    public static final String PLATFORM_ID = "Notation-OCI-SHA384-ECDSA";

    /** The profile part of the ARN as ECR's {@code SigningRule.signingProfileArn} pattern takes it: 2 to 64 of [A-Za-z0-9_]. */
    private static final Pattern RESOURCE = Pattern.compile("/signing-profiles/([A-Za-z0-9_]{2,64})");

    /**
     * The profile named by {@code text}; null when unset or blank (no signing).
     *
     * @throws IllegalArgumentException naming {@value #KEY} when the value is not a Signer signing profile ARN
     */
    public static SigningProfile parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        String value = text.strip();
        Arn arn = Arn.parse(value);
        var resource = arn == null ? null : RESOURCE.matcher(arn.resource());
        if (arn == null || !arn.service().equals("signer") || arn.region().isEmpty() || !resource.matches() || value.length() > 200) {
            throw new IllegalArgumentException(KEY + " is the ARN of an AWS Signer signing profile"
                    + " (arn:PARTITION:signer:REGION:ACCOUNT:/signing-profiles/NAME, NAME of 2 to 64 letters, digits or _,"
                    + " no version suffix), not " + value);
        }
        return new SigningProfile(value, arn.region(), arn.account(), resource.group(1));
    }
}
