package dev.ecrpush.registry;

import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.CreateRepositoryRequest;
import software.amazon.awssdk.services.ecr.model.EncryptionConfiguration;
import software.amazon.awssdk.services.ecr.model.EncryptionType;
import software.amazon.awssdk.services.ecr.model.ImageTagMutability;
import software.amazon.awssdk.services.ecr.model.RepositoryAlreadyExistsException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Plan.RepositoryPlan;

/**
 * Makes the plan's repositories exist in the target account and region before a build pushes to them, because
 * a push to a missing ECR repository fails only at the end of the build.
 *
 * <p>The {@link EcrClient} is signed by the target credentials, so it is made per step; {@link
 * KnownRepositories} is per container. Creation is {@code CreateRepository} directly (one call, and no race
 * between a describe and a create); an existing repository is success and is left exactly as it is. A new one
 * gets the {@link RepositoryDefaults}, a lifecycle policy and, when builds run in another account, a policy
 * letting exactly the build roles push (never that whole account). If those policies cannot be set, the new
 * (still empty) repository is deleted again, so that a retry creates it whole instead of finding it half set up
 * and leaving it so.
 */
public final class RepositoryEnsurer {
    private static final Logger LOG = Logger.getLogger(RepositoryEnsurer.class);

    private final EcrClient ecr;
    private final RepositoryDefaults defaults;
    private final KnownRepositories known;

    public RepositoryEnsurer(EcrClient ecr, RepositoryDefaults defaults, KnownRepositories known) {
        this.ecr = ecr;
        this.defaults = defaults;
        this.known = known;
    }

    /**
     * Ensures every repository of the plan. A new repository in an account other than the build roles' gets a
     * policy letting exactly those roles push and pull ({@link RepositoryDefaults#buildRoles()}).
     *
     * <p>With a signing profile configured ({@link RepositoryDefaults#signing()}), the registry's signing configuration is
     * then made to sign the image repository ({@link RegistrySigning}); without one, no signing call is made.
     *
     * @return whether any repository was created (the result's {@code repositoryCreated})
     * @throws dev.ecrpush.error.RepositoryFailedException   when ECR refuses
     * @throws dev.ecrpush.error.ThrottledException          when ECR still throttles after the SDK's retries
     * @throws dev.ecrpush.error.CredentialsRefusedException when the target credentials are refused
     */
    public boolean ensure(Plan plan) {
        return !ensureCreating(plan).isEmpty();
    }

    /**
     * The same, telling which repositories it created: one created by this run holds no image yet, so no tag of it
     * needs to be looked up ({@link ExistingTags}).
     *
     * @return the names of the repositories created, in the plan's order; empty when all existed
     */
    public List<String> ensureCreating(Plan plan) {
        Target target = Target.of(plan);
        List<String> pushRoles = crossAccountRoles(defaults.buildRoles(), target);
        List<String> created = new ArrayList<>();
        for (RepositoryPlan repository : plan.repositories()) {
            if (known.contains(plan.registry(), repository.name())) {
                continue;
            }
            if (ensureOne(target, repository, pushRoles)) {
                created.add(repository.name());
            }
            known.add(plan.registry(), repository.name());
        }
        if (defaults.signing() != null) {
            // Only the image repository: a cache repository holds layers no one deploys, and each signature is one more image.
            for (RepositoryPlan repository : plan.repositories()) {
                if (repository.purpose() == RepositoryPlan.Purpose.IMAGE) {
                    new RegistrySigning(ecr, defaults.signing(), known).ensure(target.account(), target.region(), repository.name());
                }
            }
        }
        return created;
    }

    /**
     * Preflight: whether each repository exists or would be created, read-only ({@code DescribeRepositories}).
     * It cannot prove that {@code CreateRepository} would be allowed, since ECR has no dry run.
     *
     * @throws dev.ecrpush.error.RepositoryFailedException when the target credentials may not even describe a
     *                                                     repository, which a run needs as well
     */
    public List<RepositoryCheck> check(Plan plan) {
        Target target = Target.of(plan);
        List<RepositoryCheck> checks = new ArrayList<>();
        for (RepositoryPlan repository : plan.repositories()) {
            checks.add(new RepositoryCheck(repository.name(), repository.purpose(), exists(target, repository.name())));
        }
        return checks;
    }

    private boolean exists(Target target, String name) {
        try {
            ecr.describeRepositories(r -> r.registryId(target.account()).repositoryNames(name));
            return true;
        } catch (RepositoryNotFoundException e) {
            return false;
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "ecr.DescribeRepositories", target.describe(name),
                    "a run would fail to ensure this repository");
        }
    }

    private boolean ensureOne(Target target, RepositoryPlan repository, List<String> pushRoles) {
        String name = repository.name();
        try {
            ecr.createRepository(create(target, name));
        } catch (RepositoryAlreadyExistsException e) {
            return false;
        } catch (SdkException e) {
            throw AwsFailures.repository(e, "ecr.CreateRepository", target.describe(name));
        }
        String call = "ecr.PutLifecyclePolicy";
        try {
            ecr.putLifecyclePolicy(r -> r.registryId(target.account()).repositoryName(name)
                    .lifecyclePolicyText(RepositoryPolicies.lifecycle(repository.purpose(), defaults)));
            if (!pushRoles.isEmpty()) {
                call = "ecr.SetRepositoryPolicy";
                ecr.setRepositoryPolicy(r -> r.registryId(target.account()).repositoryName(name)
                        .policyText(RepositoryPolicies.pushPull(pushRoles)));
            }
        } catch (SdkException e) {
            throw AwsFailures.repository(e, call, target.describe(name), rollBack(target, name));
        }
        LOG.infof("created ECR repository %s in %s/%s%s", name, target.account(), target.region(),
                pushRoles.isEmpty() ? "" : ", push allowed to " + String.join(", ", pushRoles));
        return true;
    }

    /** Deletes the repository just created; {@code force=false} so that it never takes an image with it. */
    private String rollBack(Target target, String name) {
        try {
            ecr.deleteRepository(r -> r.registryId(target.account()).repositoryName(name).force(false));
            return "the new repository was deleted again so that a retry creates it with its policies";
        } catch (SdkException e) {
            return "the new repository could not be deleted again (" + AwsFailures.repository(e, "ecr.DeleteRepository",
                    target.describe(name)).getMessage() + "); set its policies or delete it by hand";
        }
    }

    private CreateRepositoryRequest create(Target target, String name) {
        EncryptionConfiguration encryption = defaults.kmsKey() == null
                ? EncryptionConfiguration.builder().encryptionType(EncryptionType.AES256).build()
                : EncryptionConfiguration.builder().encryptionType(EncryptionType.KMS).kmsKey(defaults.kmsKey()).build();
        // registryId pins the account: credentials for the wrong account fail instead of creating it there.
        return CreateRepositoryRequest.builder()
                .registryId(target.account())
                .repositoryName(name)
                .imageScanningConfiguration(s -> s.scanOnPush(defaults.scanOnPush()))
                .imageTagMutability(ImageTagMutability.fromValue(defaults.tagMutability().name()))
                .encryptionConfiguration(encryption)
                .build();
    }

    /** The build roles to grant push to: those of another account than the target (its own need no policy). */
    static List<String> crossAccountRoles(List<String> buildRoles, Target target) {
        return buildRoles.stream().filter(role -> !RepositoryDefaults.accountOf(role).equals(target.account())).toList();
    }

    /** The account and region repositories are ensured in. */
    record Target(String account, String region) {
        static Target of(Plan plan) {
            var spec = plan.payload().step().spec();
            return new Target(spec.account(), spec.region());
        }

        String describe(String name) {
            return name + " in " + account + "/" + region;
        }
    }
}
