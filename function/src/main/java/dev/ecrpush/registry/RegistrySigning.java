package dev.ecrpush.registry;

import java.util.List;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.SigningConfigurationNotFoundException;
import software.amazon.awssdk.services.ecr.model.SigningRule;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.RepositoryFailedException;

/**
 * Makes ECR managed signing sign a repository's images with the deployer's profile ({@code buildpush.repository.signing},
 * docs/signing.md). ECR's signing configuration is the registry's, shared with every other team of the account, so it is
 * read first ({@code GetSigningConfiguration}) and written back ({@code PutSigningConfiguration}) only when no rule of this
 * profile covers the repository yet, with every existing rule kept as it was and one rule added for exactly this
 * repository. Registry-wide rules of other profiles are left alone: ECR signs an image once per matching profile.
 *
 * <p>A full configuration (ECR takes {@value SigningRules#MAX_RULES} rules) is refused before anything is built, rather
 * than a rule dropped or another team's widened: the deployer adds a wildcard rule of the profile covering the
 * repositories (say {@code team/*}), which is then found to cover them. ECR has no conditional write, so a rule put by a
 * concurrent writer between the read and the write may be lost; the function reads once more after its write and, when
 * its own rule is missing, writes again (a few times at most), so that its own run never builds unsigned.
 *
 * <p>Neither {@code GetSigningConfiguration} nor {@code PutSigningConfiguration} takes a registry ID: both are the
 * registry of the account whose credentials sign them. The read's answer must name the target's registry (and when there
 * is no configuration yet, which names none, {@code DescribeRegistry} must), so that a configuration is never written
 * into another account than the target.
 */
public final class RegistrySigning {
    private static final Logger LOG = Logger.getLogger(RegistrySigning.class);
    /** Writes of the configuration for one repository before its rule is taken as refused. */
    static final int WRITES = 3;

    private final EcrClient ecr;
    private final SigningProfile profile;
    private final KnownRepositories known;

    public RegistrySigning(EcrClient ecr, SigningProfile profile, KnownRepositories known) {
        this.ecr = ecr;
        this.profile = profile;
        this.known = known;
    }

    /**
     * Ensures that the registry's signing configuration signs {@code repository} with the profile; no call when this
     * container has seen it so already.
     *
     * @return whether the configuration was written
     * @throws RepositoryFailedException when the configuration is full, or ECR refuses it
     */
    public boolean ensure(String registryId, String region, String repository) {
        String registry = registryId + "/" + region;
        if (known.signs(registry, repository, profile.arn())) {
            return false;
        }
        boolean written = false;
        for (int write = 0; ; write++) {
            Read read = read(registryId, repository);
            List<SigningRule> rules = read.rules();
            if (SigningRules.covers(rules, profile.arn(), repository)) {
                known.addSigning(registry, repository, profile.arn());
                return written;
            }
            if (write == WRITES) {
                throw new RepositoryFailedException("ecr.PutSigningConfiguration of " + describe(registryId, region, repository)
                        + ": the rule signing it with " + profile.arn() + " was written " + WRITES + " times and is still"
                        + " missing (another writer replaces the registry's signing configuration meanwhile); nothing was built");
            }
            if (rules.size() >= SigningRules.MAX_RULES) {
                throw new RepositoryFailedException("the signing configuration of registry " + registryId + " in " + region
                        + " has " + rules.size() + " rules, ECR's most, and none signs " + repository + " with " + profile.arn()
                        + " (" + SigningProfile.KEY + "); no rule of another team is changed or dropped, so nothing was built:"
                        + " add a rule of this profile whose filter covers the repository (e.g. a wildcard) and run again");
            }
            if (!read.registryConfirmed()) {
                confirmRegistry(registryId, repository);
            }
            put(registryId, region, repository, SigningRules.withRule(rules, profile.arn(), repository));
            written = true;
            LOG.infof("signing rule added: %s signs %s with %s (%d rules kept)", registry, repository, profile.arn(), rules.size());
        }
    }

    /** Preflight: whether the registry's configuration already signs {@code repository} with the profile (read-only). */
    public boolean covers(String registryId, String repository) {
        return SigningRules.covers(read(registryId, repository).rules(), profile.arn(), repository);
    }

    /** The registry's rules, and whether the answer named the registry (an absent configuration names none). */
    private record Read(List<SigningRule> rules, boolean registryConfirmed) {
    }

    private Read read(String registryId, String repository) {
        try {
            var answer = ecr.getSigningConfiguration(r -> { });
            requireTarget(answer.registryId(), registryId, repository);
            var configuration = answer.signingConfiguration();
            return new Read(configuration == null || !configuration.hasRules() ? List.of() : configuration.rules(),
                    answer.registryId() != null);
        } catch (SigningConfigurationNotFoundException e) {
            return new Read(List.of(), false);
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "ecr.GetSigningConfiguration", "registry " + registryId + " (signing " + repository
                    + ")", "nothing was built");
        }
    }

    /**
     * Neither signing-configuration call takes a registry ID: both are the signing account's own registry. A registry
     * that is not the target's is refused, so that no other account's configuration is ever written.
     */
    private static void requireTarget(String answered, String registryId, String repository) {
        if (answered != null && !answered.equals(registryId)) {
            throw new RepositoryFailedException("the target credentials for " + repository + " sign into registry " + answered
                    + ", not the target's " + registryId + "; ECR reads and writes the signing configuration of the signing"
                    + " account's own registry only, so nothing was written and nothing was built");
        }
    }

    private void confirmRegistry(String registryId, String repository) {
        try {
            String answered = ecr.describeRegistry(r -> { }).registryId();
            // Here an answer without a registry ID proves nothing, and the write that follows would be blind.
            requireTarget(answered == null ? "(none named)" : answered, registryId, repository);
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "ecr.DescribeRegistry", "registry " + registryId + " (signing " + repository + ")",
                    "nothing was built");
        }
    }

    private void put(String registryId, String region, String repository, List<SigningRule> rules) {
        try {
            ecr.putSigningConfiguration(r -> r.signingConfiguration(c -> c.rules(rules)));
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "ecr.PutSigningConfiguration", describe(registryId, region, repository),
                    "nothing was built");
        }
    }

    private static String describe(String registryId, String region, String repository) {
        return repository + " in " + registryId + "/" + region;
    }
}
