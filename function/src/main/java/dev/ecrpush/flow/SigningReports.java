package dev.ecrpush.flow;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.PlatformBuildStore;
import dev.ecrpush.idempotency.SigningTargetStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.SigningStatus;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.ImageSigning;
import dev.ecrpush.registry.SigningProfile;

/**
 * The signing status a status request and a Step Functions completion report for a build that succeeded
 * (docs/signing.md): the pushed digest's, or for a multi-platform image the index's, signed in the target account as
 * the run was. A status request names only the build, so the run that starts a build of one platform keeps its target
 * ({@link SigningTargetStore}); a multi-platform group keeps its own. Without a signing profile configured nothing is
 * kept or asked, and the answer has no {@code signing}.
 */
@ApplicationScoped
public class SigningReports {
    private static final Logger LOG = Logger.getLogger(SigningReports.class);

    private final AwsClients clients;
    private final CredentialsResolver credentials;
    private final IdempotencyTables tables;
    private final SigningProfile profile;

    @Inject
    public SigningReports(AwsClients clients, CredentialsResolver credentials, IdempotencyTables tables, ServiceConfig config) {
        this(clients, credentials, tables, SigningProfile.parse(config.repository().signing().orElse(null)));
    }

    public SigningReports(AwsClients clients, CredentialsResolver credentials, IdempotencyTables tables, SigningProfile profile) {
        this.clients = clients;
        this.credentials = credentials;
        this.tables = tables;
        this.profile = profile;
    }

    /**
     * A build of one platform has started: where it pushes is kept for its status. Never fails the run, whose build is
     * started: without the record its status says {@code NOT_CHECKED}.
     */
    public void started(Plan plan, String buildId) {
        if (profile == null || !tables.configured() || plan.credentials().base() instanceof CredentialsPlan.Base.WebIdentity) {
            return;
        }
        var spec = plan.payload().step().spec();
        try {
            tables.signingTargets().remember(buildId, new SigningTargetStore.Target(spec.account(), spec.region(), plan.repository(),
                    plan.credentials()));
        } catch (RuntimeException e) {
            LOG.warnf("build %s: where it pushes was not kept, so its signing status will not be read: %s", buildId, e.getMessage());
        }
    }

    /**
     * {@code result} with the signing status of its digest once it has succeeded with one; as it is otherwise.
     *
     * @param group the multi-platform group the result is the whole of; null for a build of one platform
     */
    public BuildStatusResult report(String buildId, BuildStatusResult result, PlatformBuildStore.Group group) {
        if (profile == null || result.status() != BuildStatusResult.Status.SUCCEEDED || result.digest() == null) {
            return result;
        }
        return result.withSigning(status(buildId, result.digest(), group));
    }

    private SigningStatus status(String buildId, String digest, PlatformBuildStore.Group group) {
        String account;
        String region;
        String repository;
        CredentialsPlan plan;
        if (group != null) {
            account = group.target().account();
            region = group.target().region();
            repository = group.target().repository();
            plan = group.target().credentials();
        } else {
            if (!tables.configured()) {
                return SigningStatus.notChecked(profile.arn(), "no idempotency table is configured, so where the build pushed"
                        + " is not kept");
            }
            SigningTargetStore.Target target;
            try {
                target = tables.signingTargets().find(buildId);
            } catch (RuntimeException e) {
                return SigningStatus.notChecked(profile.arn(), e.getMessage());
            }
            if (target == null) {
                return SigningStatus.notChecked(profile.arn(), "the run that started this build kept no target for it (an OIDC"
                        + " connector's token is good for the start only, or signing was configured after the start)");
            }
            account = target.account();
            region = target.region();
            repository = target.repository();
            plan = target.credentials();
        }
        try {
            Region where = Region.of(region);
            return new ImageSigning(clients.ecr(where, credentials.resolve(plan, where)), profile).status(account, repository, digest);
        } catch (RuntimeException e) {
            // The target credentials were refused: no verdict on the signature, and no failure of the build.
            return SigningStatus.notChecked(profile.arn(), e.getMessage());
        }
    }
}
