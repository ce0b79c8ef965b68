package dev.ecrpush.registry;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImageSigningStatusResponse;
import software.amazon.awssdk.services.ecr.model.ImageSigningStatus;

import dev.ecrpush.launch.SigningStatus;

/**
 * A pushed image's signing status with the configured profile, as ECR reports it ({@code DescribeImageSigningStatus}):
 * ECR lists one status per profile whose rule matched the push, and only this profile's is reported. Reading it never
 * fails a status request or a completion: a refusal is reported as {@code NOT_CHECKED}, with ECR's error code.
 */
public final class ImageSigning {
    private static final Logger LOG = Logger.getLogger(ImageSigning.class);

    private final EcrClient ecr;
    private final SigningProfile profile;

    public ImageSigning(EcrClient ecr, SigningProfile profile) {
        this.ecr = ecr;
        this.profile = profile;
    }

    public SigningStatus status(String registryId, String repository, String digest) {
        DescribeImageSigningStatusResponse answer;
        try {
            answer = ecr.describeImageSigningStatus(r -> r.registryId(registryId).repositoryName(repository)
                    .imageId(i -> i.imageDigest(digest)));
        } catch (SdkException e) {
            String code = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException service
                    && service.awsErrorDetails() != null ? service.awsErrorDetails().errorCode() : e.getClass().getSimpleName();
            LOG.warnf("the signing status of %s@%s in %s was not read: %s", repository, digest, registryId, e.getMessage());
            return SigningStatus.notChecked(profile.arn(), "ecr.DescribeImageSigningStatus failed: " + code);
        }
        if (answer.hasSigningStatuses()) {
            for (ImageSigningStatus status : answer.signingStatuses()) {
                if (profile.arn().equals(status.signingProfileArn())) {
                    return of(status);
                }
            }
        }
        return new SigningStatus(profile.arn(), SigningStatus.State.NOT_STARTED, null, null);
    }

    private SigningStatus of(ImageSigningStatus status) {
        SigningStatus.State state = switch (status.statusAsString() == null ? "" : status.statusAsString()) {
            case "IN_PROGRESS" -> SigningStatus.State.IN_PROGRESS;
            case "COMPLETE" -> SigningStatus.State.COMPLETE;
            case "FAILED" -> SigningStatus.State.FAILED;
            // A status this SDK does not know yet is no verdict on the signature.
            default -> null;
        };
        if (state == null) {
            return SigningStatus.notChecked(profile.arn(), "ECR reports the status " + status.statusAsString()
                    + ", which this version of the function does not know");
        }
        return state == SigningStatus.State.FAILED
                ? new SigningStatus(profile.arn(), state, status.failureCode(), status.failureReason())
                : new SigningStatus(profile.arn(), state, null, null);
    }
}
