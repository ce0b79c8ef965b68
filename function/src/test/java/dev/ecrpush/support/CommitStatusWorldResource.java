package dev.ecrpush.support;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link TriggerWorld} and a {@link GitHostFake} for a {@code @QuarkusTest} of commit statuses and comparisons:
 * the application is configured as by {@link TriggerWorldResource}, and calls GitHub's, GitLab's and Bitbucket's
 * APIs at the fake (GitLab's under {@code /api/v4}, Bitbucket's under {@code /2.0}) with the tokens
 * {@link #GITHUB_TOKEN}, {@link #GITLAB_TOKEN} and {@link #BITBUCKET_TOKEN}, which the Secrets Manager fake holds
 * under their {@code _REF}s. The world, its AWS fake and the Git host fake are injected into the test's
 * {@link InjectFake} fields.
 */
public class CommitStatusWorldResource implements QuarkusTestResourceLifecycleManager {
    public static final String GITHUB_TOKEN_REF = "ci/github-status-token";
    public static final String GITLAB_TOKEN_REF = "ci/gitlab-status-token";
    public static final String BITBUCKET_TOKEN_REF = "ci/bitbucket-status-token";
    /** Test-only tokens: they guard nothing, and must appear nowhere but in their headers. */
    public static final String GITHUB_TOKEN = "ghp_testOnlyStatusToken0000000000000000";
    public static final String GITLAB_TOKEN = "glpat-testOnlyStatusToken000";
    public static final String BITBUCKET_TOKEN = "ATCTT3xFfGN0testOnlyStatusToken";

    private TriggerWorld world;
    private GitHostFake host;

    @Override
    public Map<String, String> start() {
        world = TriggerWorld.start();
        host = new GitHostFake();
        FunctionSdkProperties.set(world.aws().endpoint(), world.dynamoDbEndpoint());
        Map<String, String> config = new HashMap<>(world.config());
        config.put("buildpush.githosts.github.api-url", host.url(""));
        config.put("buildpush.githosts.github.token-ref", GITHUB_TOKEN_REF);
        config.put("buildpush.githosts.gitlab.api-url", host.url("/api/v4"));
        config.put("buildpush.githosts.gitlab.token-ref", GITLAB_TOKEN_REF);
        config.put("buildpush.githosts.bitbucket.api-url", host.url("/2.0"));
        config.put("buildpush.githosts.bitbucket.token-ref", BITBUCKET_TOKEN_REF);
        return config;
    }

    /** The world's defaults, and the tokens in the Secrets Manager fake. */
    public static void stubDefaults(TriggerWorld world) {
        world.stubDefaults();
        world.aws().replyWhenBodyContains(AwsFake.SECRETS_MANAGER + "GetSecretValue", GITHUB_TOKEN_REF,
                AwsFake.json("{\"Name\":\"" + GITHUB_TOKEN_REF + "\",\"SecretString\":\"" + GITHUB_TOKEN + "\\n\"}"));
        world.aws().replyWhenBodyContains(AwsFake.SECRETS_MANAGER + "GetSecretValue", GITLAB_TOKEN_REF,
                AwsFake.json("{\"Name\":\"" + GITLAB_TOKEN_REF + "\",\"SecretString\":\"" + GITLAB_TOKEN + "\"}"));
        world.aws().replyWhenBodyContains(AwsFake.SECRETS_MANAGER + "GetSecretValue", BITBUCKET_TOKEN_REF,
                AwsFake.json("{\"Name\":\"" + BITBUCKET_TOKEN_REF + "\",\"SecretString\":\"" + BITBUCKET_TOKEN + "\"}"));
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(world, new TestInjector.AnnotatedAndMatchesType(InjectFake.class, TriggerWorld.class));
        testInjector.injectIntoFields(world.aws(), new TestInjector.AnnotatedAndMatchesType(InjectFake.class, AwsFake.class));
        testInjector.injectIntoFields(host, new TestInjector.AnnotatedAndMatchesType(InjectFake.class, GitHostFake.class));
    }

    @Override
    public void stop() {
        FunctionSdkProperties.clear();
        try {
            if (host != null) {
                host.close();
            }
        } finally {
            if (world != null) {
                world.close();
            }
        }
    }
}
