package dev.ecrpush.registry;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.signer.SignerClient;
import software.amazon.awssdk.services.signer.model.GetSigningProfileResponse;
import software.amazon.awssdk.services.signer.model.ResourceNotFoundException;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.RepositoryFailedException;

/**
 * Preflight's look at signing (docs/signing.md), read-only and with the target credentials a run prepares the registry
 * with: the profile ({@code GetSigningProfile}, in its own region, with its owner named when it is another account's)
 * must exist, be {@code Active} and be of the one platform ECR managed signing signs images with; and whether the
 * target registry's signing configuration already signs the image repository with it, or a run would add the rule.
 *
 * @param profile         the profile's ARN
 * @param status          Signer's status of the profile ({@code Active})
 * @param platformId      its platform ({@value SigningProfile#PLATFORM_ID})
 * @param registryCovered whether a rule of the profile already covers the repository; false: a run adds one
 */
public record SigningCheck(String profile, String repository, String status, String platformId, boolean registryCovered) {

    /**
     * @throws RepositoryFailedException naming {@value SigningProfile#KEY} when the profile is missing, not active, or of
     *                                   another platform: a run would push images that are never signed
     */
    public static SigningCheck of(SignerClient signer, EcrClient ecr, SigningProfile profile, String account, String repository) {
        GetSigningProfileResponse answer;
        String what = SigningProfile.KEY + " " + profile.arn();
        try {
            answer = signer.getSigningProfile(r -> r.profileName(profile.name())
                    .profileOwner(profile.account().equals(account) ? null : profile.account()));
        } catch (ResourceNotFoundException e) {
            throw new RepositoryFailedException(what + ": no such signing profile"
                    + (profile.account().equals(account) ? "" : " shared with account " + account)
                    + "; ECR managed signing would sign nothing pushed to " + repository);
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "signer.GetSigningProfile", what, "a run's images could not be shown to be signed");
        }
        if (!"Active".equals(answer.statusAsString())) {
            throw new RepositoryFailedException(what + ": the signing profile is " + answer.statusAsString()
                    + (answer.statusReason() == null ? "" : " (" + answer.statusReason() + ")")
                    + ", not Active; ECR managed signing cannot sign with it");
        }
        if (!SigningProfile.PLATFORM_ID.equals(answer.platformId())) {
            throw new RepositoryFailedException(what + ": the signing profile's platform is " + answer.platformId() + ", not "
                    + SigningProfile.PLATFORM_ID + ", the one ECR managed signing signs container images with");
        }
        boolean covered = new RegistrySigning(ecr, profile, new KnownRepositories()).covers(account, repository);
        return new SigningCheck(profile.arn(), repository, answer.statusAsString(), answer.platformId(), covered);
    }
}
