package dev.ecrpush.plan;

import java.util.ArrayList;
import java.util.List;

import dev.ecrpush.step.AwsConnector;
import dev.ecrpush.step.AwsCredential;
import dev.ecrpush.step.DockerConnector;
import dev.ecrpush.step.DockerSecret;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.Infra;
import dev.ecrpush.step.KeyValue;
import dev.ecrpush.step.SecretRef;
import dev.ecrpush.step.StepPayload;

/**
 * The step → plugin environment mapping: the CI manager's, with the fixes docs/plugin-environment.md lists.
 * Pure: the same payload and configuration always give the same environment.
 */
public final class PluginEnvMapper {
    public static final String ARTIFACT_FILE = "/addon/tmp/.plugin/artifact";
    static final String METADATA_FILE = "buildx-metadata.json";
    static final String DOCKER_HUB_V2 = "https://index.docker.io/v2/";
    static final String DOCKER_HUB_V1 = "https://index.docker.io/v1/";
    public static final String SECRET_FILE_DIR = "/tmp/docker-secrets/";

    private PluginEnvMapper() {
    }

    /** Which plugin runs the step. */
    public static Plugin plugin(Infra infra, EcrSpec spec) {
        if (infra == Infra.K8) {
            return Plugin.KANIKO_ECR;
        }
        return spec.wantsBuildx() ? Plugin.BUILDX_ECR : Plugin.ECR;
    }

    public static PluginEnv map(StepPayload payload, Plugin plugin, String registry, PlanConfig config) {
        EcrSpec spec = payload.step().spec();
        PluginEnv.Builder env = PluginEnv.builder(plugin)
                .put(PluginVar.REGISTRY, registry)
                .put(PluginVar.REPO, spec.imageName())
                .put(PluginVar.TAGS, spec.tags())
                .put(PluginVar.REGION, spec.region())
                .put(PluginVar.DOCKERFILE, spec.dockerfile())
                .put(PluginVar.CONTEXT, spec.context())
                .put(PluginVar.TARGET, spec.target())
                .put(PluginVar.CUSTOM_LABELS, pairs(spec.labels()));
        buildArgs(env, spec.buildArgs());
        // Where the plugin records what it pushed: the build reads the digest of this build's image from it.
        env.put(PluginVar.ARTIFACT_FILE, ARTIFACT_FILE);
        if (plugin == Plugin.KANIKO_ECR) {
            env.put(PluginVar.SNAPSHOT_MODE, spec.optimize() ? "redo" : null);
            if (spec.remoteCacheImage() != null) {
                env.put(PluginVar.ENABLE_CACHE, "true").put(PluginVar.CACHE_REPO, spec.remoteCacheImage());
            }
        } else {
            env.put(PluginVar.DAEMON_OFF, "true");
            if (plugin == Plugin.BUILDX_ECR) {
                buildxCache(env, spec, registry, config);
            }
            if (plugin == Plugin.BUILDX_ECR) {
                env.put(PluginVar.METADATA_FILE, METADATA_FILE);
            }
            dockerSecrets(env, spec);
        }
        credentials(env, payload, config);
        baseImage(env, payload.baseImageConnector());
        // Last, as in the manager: the user's own variables win over everything mapped above.
        for (KeyValue variable : spec.envVariables()) {
            env.putUser(variable.key(), variable.value());
        }
        return env.build();
    }

    private static void buildArgs(PluginEnv.Builder env, List<KeyValue> args) {
        env.put(PluginVar.BUILD_ARGS, pairs(args));
        // The plugins split PLUGIN_BUILD_ARGS on ',', so a value holding one needs the ';'-separated variant.
        if (args.stream().anyMatch(a -> a.value().contains(","))) {
            env.put(PluginVar.BUILD_ARGS_NEW, pairs(args)).put(PluginVar.MULTIPLE_BUILD_ARGS, "true");
        }
    }

    private static void buildxCache(PluginEnv.Builder env, EcrSpec spec, String registry, PlanConfig config) {
        List<String> cacheFrom = new ArrayList<>(spec.cacheFrom());
        String cacheTo = spec.cacheTo();
        if (spec.remoteCacheImage() != null) {
            String ref = "type=registry,ref=" + registry + "/" + spec.remoteCacheImage();
            cacheFrom.add(ref);
            if (cacheTo == null) {
                // ECR rejects BuildKit's default cache manifest; these two options make it an OCI image manifest.
                cacheTo = ref + ",mode=max,image-manifest=true,oci-mediatypes=true";
            }
        }
        env.put(PluginVar.CACHE_FROM, cacheFrom).put(PluginVar.CACHE_TO, cacheTo == null ? List.of() : List.of(cacheTo));
        if (spec.caching()) {
            env.put(PluginVar.BUILDER_DRIVER_OPTS, List.of("image=" + config.images().prefixed(config.buildkitImage())));
        }
    }

    private static void dockerSecrets(PluginEnv.Builder env, EcrSpec spec) {
        List<String> fromEnv = new ArrayList<>();
        for (DockerSecret secret : spec.envDockerSecrets()) {
            if (secret.source() instanceof DockerSecret.Source.Reference ref) {
                String name = secretVariable(secret.id());
                env.putNamedSecret(PluginVar.SECRETS_FROM_ENV, name, new SecretSource.Reference(ref.ref()));
                fromEnv.add(secret.id() + "=" + name);
            } else if (secret.source() instanceof DockerSecret.Source.EnvName name) {
                fromEnv.add(secret.id() + "=" + name.name());
            }
        }
        List<String> fromFile = new ArrayList<>();
        for (DockerSecret secret : spec.fileDockerSecrets()) {
            if (secret.source() instanceof DockerSecret.Source.Reference ref) {
                env.putNamedSecret(PluginVar.SECRETS_FROM_FILE, secretVariable(secret.id()), new SecretSource.Reference(ref.ref()));
                fromFile.add(secret.id() + "=" + secretFile(secret.id()));
            } else if (secret.source() instanceof DockerSecret.Source.FilePath path) {
                fromFile.add(secret.id() + "=" + path.path());
            }
        }
        env.put(PluginVar.SECRETS_FROM_ENV, fromEnv).put(PluginVar.SECRETS_FROM_FILE, fromFile);
    }

    private static void credentials(PluginEnv.Builder env, StepPayload payload, PlanConfig config) {
        AwsConnector connector = payload.connector();
        if (connector.credential() instanceof AwsCredential.Manual manual) {
            // Both names: the PLUGIN_ ones for the plugins' wrappers, the standard ones for the SDK default
            // chain, which is all kaniko-ecr's AssumeRole reads.
            if (manual.accessKey() instanceof AwsCredential.Value.Plain plain) {
                env.put(PluginVar.ACCESS_KEY, plain.text()).put(PluginVar.AWS_ACCESS_KEY_ID, plain.text());
            } else if (manual.accessKey() instanceof AwsCredential.Value.Secret secret) {
                env.putSecret(PluginVar.ACCESS_KEY, reference(secret.ref()))
                        .putSecret(PluginVar.AWS_ACCESS_KEY_ID, reference(secret.ref()));
            }
            env.putSecret(PluginVar.SECRET_KEY, reference(manual.secretKey()))
                    .putSecret(PluginVar.AWS_SECRET_ACCESS_KEY, reference(manual.secretKey()));
            if (manual.sessionToken() != null) {
                env.putSecret(PluginVar.AWS_SESSION_TOKEN, reference(manual.sessionToken()));
            }
        } else if (connector.credential() instanceof AwsCredential.Oidc oidc) {
            env.put(PluginVar.ASSUME_ROLE, oidc.iamRoleArn())
                    .putSecret(PluginVar.OIDC_TOKEN_ID, new SecretSource.Stashed(payload.oidcToken(),
                            Hashing.stashName(config.oidcParameterPrefix(), payload.oidcToken().value(), payload.contentHash())));
        }
        if (connector.crossAccount() != null) {
            env.put(PluginVar.ASSUME_ROLE, connector.crossAccount().roleArn())
                    .put(PluginVar.EXTERNAL_ID, connector.crossAccount().externalId());
        }
    }

    private static void baseImage(PluginEnv.Builder env, DockerConnector connector) {
        if (connector == null) {
            return;
        }
        String url = DOCKER_HUB_V2.equals(connector.registryUrl()) ? DOCKER_HUB_V1 : connector.registryUrl();
        env.put(PluginVar.BASE_IMAGE_REGISTRY, url);
        if (connector.auth() instanceof DockerConnector.Auth.UsernamePassword login) {
            if (login.username() instanceof AwsCredential.Value.Plain plain) {
                env.put(PluginVar.BASE_IMAGE_USERNAME, plain.text());
            } else if (login.username() instanceof AwsCredential.Value.Secret secret) {
                env.putSecret(PluginVar.BASE_IMAGE_USERNAME, reference(secret.ref()));
            }
            env.putSecret(PluginVar.BASE_IMAGE_PASSWORD, reference(login.password()));
        }
    }

    /** The variable a docker secret given by reference arrives in (the step parser holds ids to one each). */
    public static String secretVariable(String id) {
        return DockerSecret.variable(id);
    }

    /** Where the build writes a file docker secret given by reference. */
    public static String secretFile(String id) {
        return SECRET_FILE_DIR + id;
    }

    private static SecretSource reference(SecretRef ref) {
        return new SecretSource.Reference(ref);
    }

    /** {@code k=v} items, in input order, for a list variable to encode. */
    private static List<String> pairs(List<KeyValue> entries) {
        return entries.stream().map(e -> e.key() + "=" + e.value()).toList();
    }
}
