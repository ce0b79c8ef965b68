package dev.ecrpush.plan;

import java.util.ArrayList;
import java.util.List;

import dev.ecrpush.aws.Partition;
import dev.ecrpush.step.AwsConnector;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.step.Warning;

/**
 * The plan of a valid step: plugin, environment, repositories, credentials and the launch request. A pure
 * function of the payload and the configuration: no I/O, no clock, no randomness.
 */
public final class Planner {
    private Planner() {
    }

    public static Plan plan(StepPayload payload, PlanConfig config) {
        EcrSpec spec = payload.step().spec();
        List<Warning> warnings = new ArrayList<>(payload.warnings());
        String registry = registry(spec.account(), spec.region());
        Plugin plugin = PluginEnvMapper.plugin(payload.infra(), spec);
        String image = config.images().image(plugin);
        ImagePlatforms.check(spec, plugin, config.images(), warnings);
        PluginEnv env = PluginEnvMapper.map(payload, plugin, registry, config);

        List<Plan.RepositoryPlan> repositories = new ArrayList<>();
        repositories.add(new Plan.RepositoryPlan(spec.imageName(), Plan.RepositoryPlan.Purpose.IMAGE));
        if (spec.remoteCacheImage() != null && !spec.remoteCacheImage().equals(spec.imageName())) {
            repositories.add(new Plan.RepositoryPlan(spec.remoteCacheImage(), Plan.RepositoryPlan.Purpose.CACHE));
        }
        LaunchPlanner planner = config.planner(payload.executor().type());
        List<String> imageUris = spec.tags().stream().map(tag -> imageUri(registry, spec.imageName(), tag)).toList();
        if (!spec.multiPlatform()) {
            Platform platform = spec.platforms().isEmpty() ? null : spec.platforms().get(0);
            LaunchRequest launch = planner.plan(payload.executor(), new LaunchInput(payload, plugin, image, env, config.images(),
                    warnings, platform, token(payload, null)));
            return new Plan(payload, registry, spec.imageName(), imageUris, plugin, image, env, repositories,
                    credentials(payload), launch, warnings, List.of());
        }
        List<Plan.PlatformBuild> builds = new ArrayList<>();
        for (Platform platform : spec.platforms()) {
            String tag = EcrSpec.platformTag(spec.tags().get(0), platform);
            StepPayload own = payload.withTags(List.of(tag));
            PluginEnv ownEnv = PluginEnvMapper.map(own, plugin, registry, config);
            LaunchRequest launch = planner.plan(own.executor(), new LaunchInput(own, plugin, image, ownEnv, config.images(),
                    warnings, platform, token(payload, platform)));
            builds.add(new Plan.PlatformBuild(platform, tag, imageUri(registry, spec.imageName(), tag), ownEnv, launch));
        }
        return new Plan(payload, registry, spec.imageName(), imageUris, plugin, image, env, repositories,
                credentials(payload), builds.get(0).launch(), warnings, builds);
    }

    private static String imageUri(String registry, String repository, String tag) {
        return registry + "/" + repository + ":" + tag;
    }

    /**
     * The service's idempotency token of a build: the payload's key, and for one platform of several the key and the
     * platform, so that a repeat starts none of them twice and no two platforms share a token.
     */
    static String token(StepPayload payload, Platform platform) {
        String key = payload.idempotencyKey();
        if (key == null) {
            return null;
        }
        return Hashing.idempotencyToken(platform == null ? key : key + "#" + platform.wire());
    }

    /** {@code ACCOUNT.dkr.ecr.REGION.} and the partition's DNS suffix ({@code amazonaws.com.cn} in China). */
    public static String registry(String account, String region) {
        return account + ".dkr.ecr." + region + "." + Partition.of(region).dnsSuffix();
    }

    /** Role session names identify the step in CloudTrail; STS allows 64 characters. */
    static String sessionName(String identifier) {
        String name = "ecr-build-push-" + identifier;
        return name.length() <= 64 ? name : name.substring(0, 64);
    }

    private static CredentialsPlan credentials(StepPayload payload) {
        AwsConnector connector = payload.connector();
        String session = sessionName(payload.step().identifier());
        CredentialsPlan.Base base;
        if (connector.credential() instanceof AwsCredential.Manual manual) {
            base = new CredentialsPlan.Base.StaticKeys(manual.accessKey(), manual.secretKey(), manual.sessionToken());
        } else if (connector.credential() instanceof AwsCredential.Oidc oidc) {
            base = new CredentialsPlan.Base.WebIdentity(oidc.iamRoleArn(), payload.oidcToken(), session);
        } else {
            base = new CredentialsPlan.Base.FunctionRole();
        }
        AwsConnector.CrossAccount cross = connector.crossAccount();
        return new CredentialsPlan(base,
                cross == null ? null : new CredentialsPlan.AssumeRole(cross.roleArn(), cross.externalId(), session));
    }
}
