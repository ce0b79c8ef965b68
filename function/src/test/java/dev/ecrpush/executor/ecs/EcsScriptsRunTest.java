package dev.ecrpush.executor.ecs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.ContainerOverride;

import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.rootfs.CredentialTrap;
import dev.ecrpush.support.rootfs.GitServer;
import dev.ecrpush.support.rootfs.ImageLayout;
import dev.ecrpush.support.rootfs.ImageRootfs;
import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.support.Repo;

/**
 * Issue 10: the ECS task's scripts run as ECS runs them: each container's {@code entryPoint} + {@code command} from
 * the plan, in a root laid out like its image ({@link ImageLayout}), with exactly the environment the task gives it
 * (the image's {@code ENV}, what Fargate adds, the definition's environment and secrets, the run's overrides: no
 * {@code HOME}). The source container fetches from a real git server on loopback (smart HTTP, and git:// where
 * the URL is swapped in, since payloads take http(s) only).
 */
class EcsScriptsRunTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = "x-access-token";
    /** Characters echo and shells mangle, to prove the token reaches git as data. */
    private static final String TOKEN = "ghp_t0k3n\\with\\backslashes'and\"quotes%s";
    private static final String GIT_TOKEN_ARN = "arn:aws:secretsmanager:us-east-1:111111111111:secret:ci/git-token";
    /** The host the configured token is for; payloads with a token clone https URLs of it (see {@link #onServer}). */
    private static final String TOKEN_HOST = "git.example.com";

    @TempDir
    static Path repos;
    private static GitServer server;
    private static String c1;
    private static String c2;
    private static String c3;
    private static String feature;
    private static String privateTip;

    @TempDir
    Path temp;
    /** The root of the last container run: a test may run several, each in a root of its own. */
    private Path root;
    private int runs;

    private Path nextRoot() throws IOException {
        root = Files.createDirectory(temp.resolve("root" + ++runs));
        return root;
    }

    @BeforeAll
    static void repositories() {
        server = GitServer.start(repos);
        var app = server.repository("app");
        c1 = app.commit("main", Map.of("built-from", "c1"), "one");
        c2 = app.commit("main", Map.of("built-from", "c2"), "two");
        c3 = app.commit("main", Map.of("built-from", "c3"), "three");
        app.branch("feature/x", c1);
        feature = app.commit("feature/x", Map.of("built-from", "feature"), "feature");
        app.tag("v1.0", c2).annotatedTag("v1.1", c1, "release 1.1");
        // a branch and a tag of the same name, at different commits
        app.branch("v2", c1).tag("v2", c3);
        // a branch whose name is another commit's id
        app.branch(c1, c3);
        var secret = server.privateRepository("secret", USER, TOKEN);
        privateTip = secret.commit("main", Map.of("built-from", "private"), "private");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // --- the source container ---------------------------------------------------------------------------------

    @Test
    void source_fullCommitAtTheBranchTip_isCheckedOut() throws IOException {
        assertCheckedOut(c3, fetch(codebase("app").put("branch", "main").put("commitSha", c3)));
    }

    @Test
    void source_fullCommitBelowTheBranchTip_isCheckedOut() throws IOException {
        assertCheckedOut(c1, fetch(codebase("app").put("branch", "main").put("commitSha", c1)));
    }

    @Test
    void source_fullCommitFromAServerThatWillNotServeItById_isFoundInItsBranchHistory() throws IOException {
        // given: protocol v0, where a server (like a stock git daemon) serves only the tips it advertises: set
        // here through git's environment configuration, the one deviation from the task's environment
        Map<String, String> v0 = Map.of("GIT_CONFIG_COUNT", "1", "GIT_CONFIG_KEY_0", "protocol.version", "GIT_CONFIG_VALUE_0", "0");
        // when / then
        assertCheckedOut(c1, fetch(codebase("app").put("branch", "main").put("commitSha", c1), null, v0));
    }

    @Test
    void source_shortCommit_isResolvedInTheBranchHistory() throws IOException {
        assertCheckedOut(c2, fetch(codebase("app").put("branch", "main").put("commitSha", c2.substring(0, 7))));
    }

    @Test
    void source_shortCommitWithoutABranch_isResolvedInEveryBranchAndTag() throws IOException {
        assertCheckedOut(feature, fetch(codebase("app").put("commitSha", feature.substring(0, 8))));
    }

    @Test
    void source_branchOnly_isItsTip() throws IOException {
        assertCheckedOut(c3, fetch(codebase("app").put("branch", "main")));
    }

    @Test
    void source_branchWithASlash_isItsTip() throws IOException {
        assertCheckedOut(feature, fetch(codebase("app").put("branch", "feature/x")));
    }

    @Test
    void source_lightweightTagOnly_isItsCommit() throws IOException {
        assertCheckedOut(c2, fetch(codebase("app").put("tag", "v1.0")));
    }

    @Test
    void source_annotatedTagOnly_isTheCommitItTags() throws IOException {
        assertCheckedOut(c1, fetch(codebase("app").put("tag", "v1.1")));
    }

    @Test
    void source_branchAndTagOfTheSameName_eachIsItself() throws IOException {
        assertCheckedOut(c1, fetch(codebase("app").put("branch", "v2")));
        assertCheckedOut(c3, fetch(codebase("app").put("tag", "v2")));
    }

    @Test
    void source_commitIdThatIsAlsoABranchName_isTheCommit() throws IOException {
        // the branch named c1 points at c3
        assertCheckedOut(c1, fetch(codebase("app").put("commitSha", c1)));
        assertCheckedOut(c1, fetch(codebase("app").put("commitSha", c1.substring(0, 10))));
    }

    @Test
    void source_overGitProtocol_fetchesTheSame() throws IOException {
        Map<String, String> gitUrl = Map.of("GIT_REPO_URL", server.gitUrl("app"));
        assertCheckedOut(c1, fetch(codebase("app").put("branch", "main").put("commitSha", c1), null, gitUrl));
        assertCheckedOut(feature, fetch(codebase("app").put("branch", "feature/x"), null, gitUrl));
    }

    @Test
    void source_privateRepositoryWithTheToken_isFetched_andTheTokenIsNowhere() throws IOException {
        // given / when
        ImageRootfs.Result result = fetch(codebase(tokenHostUrl("secret")).put("branch", "main"), TOKEN, onServer("secret"));
        // then
        assertCheckedOut(privateTip, result);
        assertFalse(result.stdout().contains("t0k3n") || result.stderr().contains("t0k3n"));
        assertFalse(Files.readString(root.resolve("workspace/src/.git/config")).contains("t0k3n"));
    }

    @Test
    void source_privateRepositoryWithAWrongToken_failsWithOneLine() throws IOException {
        // when
        ImageRootfs.Result result = fetch(codebase(tokenHostUrl("secret")).put("branch", "main"), "wrong-token", onServer("secret"));
        // then
        assertFailedWithOneLine(result, "ecr-build-push source: cannot fetch branch main from " + server.httpUrl("secret") + ": ");
        assertTrue(result.stderr().contains("Authentication failed"), result.stderr());
    }

    @Test
    void source_tokenOfAnotherHost_isNeverOfferedToTheHostThePayloadNames() throws IOException {
        // given: the token is for git.example.com; the payload names another host, which asks for credentials
        try (CredentialTrap trap = CredentialTrap.start()) {
            ObjectNode codebase = codebase("https://attacker.example.org/acme/app.git").put("branch", "main");
            // when: the task's own token scope, https://git.example.com, as the function sets it
            ImageRootfs.Result result = fetch(codebase, TOKEN, Map.of("GIT_REPO_URL", trap.url()));
            // then: git asked nobody for a password (no prompt, no helper for that host), and sent none
            assertNotEquals(0, result.exitCode());
            assertTrue(trap.challenged(), "the trap never asked for credentials: " + result.stderr());
            assertEquals(List.of(), trap.authorizations(), "credentials were offered to a host the token is not for");
        }
    }

    @Test
    void source_tokenScopedToHttps_isNotOfferedOverPlainHttp_evenToItsHost() throws IOException {
        // given: the token's scope names the trap's own host and port, but https
        try (CredentialTrap trap = CredentialTrap.start()) {
            ObjectNode codebase = codebase(tokenHostUrl("app")).put("branch", "main");
            // when
            ImageRootfs.Result result = fetch(codebase, TOKEN, Map.of("GIT_REPO_URL", trap.url(),
                    "GIT_TOKEN_URL", "https://127.0.0.1:" + trap.port()));
            // then
            assertNotEquals(0, result.exitCode());
            assertTrue(trap.challenged(), "the trap never asked for credentials: " + result.stderr());
            assertEquals(List.of(), trap.authorizations(), "the token was sent over plain http");
        }
    }

    @Test
    void source_privateRepositoryWithoutAToken_failsWithoutWaitingForAPrompt() throws IOException {
        assertFailedWithOneLine(fetch(codebase("secret").put("branch", "main")),
                "ecr-build-push source: cannot fetch branch main from " + server.httpUrl("secret") + ": ");
    }

    @Test
    void source_missingBranch_failsWithOneLineNamingIt() throws IOException {
        ImageRootfs.Result result = fetch(codebase("app").put("branch", "nope"));
        assertFailedWithOneLine(result, "ecr-build-push source: cannot fetch branch nope from " + server.httpUrl("app") + ": ");
        assertTrue(result.stderr().contains("refs/heads/nope"), result.stderr());
    }

    @Test
    void source_missingTag_failsWithOneLineNamingIt() throws IOException {
        assertFailedWithOneLine(fetch(codebase("app").put("tag", "v9")),
                "ecr-build-push source: cannot fetch tag v9 from " + server.httpUrl("app") + ": ");
    }

    @Test
    void source_missingCommit_failsWithOneLineNamingIt() throws IOException {
        assertFailedWithOneLine(fetch(codebase("app").put("branch", "main").put("commitSha", "0123456789abcdef0123456789abcdef01234567")),
                "ecr-build-push source: commit 0123456789abcdef0123456789abcdef01234567 was not found in " + server.httpUrl("app"));
    }

    // --- the plugin container ---------------------------------------------------------------------------------

    @Test
    void plugin_succeeds_endsItsLogWithTheDigestItPushed() throws IOException {
        // given
        ImageRootfs image = ImageLayout.of(BuildImage.KANIKO_ECR, nextRoot()).directory("/workspace/src")
                .stubOutput("/kaniko/kaniko-ecr", "INFO[0031] Pushed 123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:"
                        + "c".repeat(64) + "\n", "")
                .stubWrites("/kaniko/kaniko-ecr", Map.of(Plugin.KANIKO_DIGEST_FILE, "sha256:" + "d".repeat(64)));
        // when
        ImageRootfs.Result result = runPlugin(image);
        // then
        assertEquals(0, result.exitCode(), result::stderr);
        List<String> lines = result.stdout().lines().toList();
        assertEquals(EcsTaskLayout.DIGEST_MARKER + "sha256:" + "d".repeat(64), lines.get(lines.size() - 1));
        var call = image.stubCalls("/kaniko/kaniko-ecr").get(0);
        assertEquals("/workspace/src", call.cwd());
        assertEquals("123456789012.dkr.ecr.us-east-2.amazonaws.com", call.env().get("PLUGIN_REGISTRY"));
    }

    @Test
    void plugin_fails_isTheContainersExitCode_withNoDigestLine() throws IOException {
        // given
        ImageRootfs image = ImageLayout.of(BuildImage.KANIKO_ECR, nextRoot()).directory("/workspace/src")
                .stubExitCode("/kaniko/kaniko-ecr", 1);
        // when
        ImageRootfs.Result result = runPlugin(image);
        // then
        assertEquals(1, result.exitCode());
        assertFalse(result.stdout().contains(EcsTaskLayout.DIGEST_MARKER));
    }

    // --- running the containers as ECS would --------------------------------------------------------------------

    /** A codebase of a repository on the server (by name) or at a URL, for the test to fill in. */
    private static ObjectNode codebase(String repository) {
        return Fixtures.JSON.createObjectNode().put("repoUrl", repository.contains("://") ? repository : server.httpUrl(repository));
    }

    /** A repository's https URL on the token's host, as a payload with a token names it. */
    private static String tokenHostUrl(String repository) {
        return "https://" + TOKEN_HOST + "/git/" + repository + ".git";
    }

    /**
     * Where the task reaches the repository: the fixture server serves plain http on loopback, so the clone URL and
     * the token's scope are swapped for it, the one deviation from the task's environment (as with git://). The
     * payload names the token's host over https, as it must with a token.
     */
    private static Map<String, String> onServer(String repository) {
        String url = server.httpUrl(repository);
        return Map.of("GIT_REPO_URL", url, "GIT_TOKEN_URL", url.substring(0, url.indexOf("/git/")));
    }

    /** {@code events/plan-ecs.json} with this codebase, tagged {@code latest} (its tags need a commit and a branch). */
    private static ObjectNode payload(ObjectNode codebase) {
        ObjectNode payload = (ObjectNode) Fixtures.read(Repo.path("events/plan-ecs.json"));
        payload.set("codebase", codebase);
        ((ObjectNode) payload.at("/step/spec")).putArray("tags").add("latest");
        return payload;
    }

    private ImageRootfs.Result fetch(ObjectNode codebase) throws IOException {
        return fetch(codebase, null, Map.of());
    }

    /**
     * The source container of the plan for {@code codebase}, with a Git token configured when {@code token} is not
     * null; {@code extra} replaces or adds variables (see the tests that say why).
     */
    private ImageRootfs.Result fetch(ObjectNode codebase, String token, Map<String, String> extra) throws IOException {
        ObjectNode payload = payload(codebase);
        EcsSettings ecs = EcsSettings.defaults();
        PlanConfig config = Fixtures.planConfig(CodeBuildSettings.defaults(),
                token == null ? ecs : ecs.withGitToken(GIT_TOKEN_ARN, USER, TOKEN_HOST));
        EcsLaunch launch = (EcsLaunch) Planner.plan(Fixtures.parse(payload), config).launch();
        ContainerDefinition source = container(launch, EcsTaskLayout.SOURCE_CONTAINER);
        Map<String, String> env = taskEnvironment(launch, source, token);
        env.putAll(extra);
        // WORKDIR /git of alpine/git; /workspace is the task's volume
        ImageRootfs image = ImageLayout.of(BuildImage.GIT_SOURCE, nextRoot()).directory("/git").directory("/workspace");
        List<String> argv = new ArrayList<>(source.entryPoint());
        argv.addAll(source.command());
        return image.run(argv, env, "/git", TIMEOUT);
    }

    private ImageRootfs.Result runPlugin(ImageRootfs image) {
        EcsLaunch launch = (EcsLaunch) Fixtures.plan(Fixtures.read(Repo.path("events/plan-ecs.json"))).launch();
        ContainerDefinition plugin = container(launch, EcsTaskLayout.PLUGIN_CONTAINER);
        List<String> argv = new ArrayList<>(plugin.entryPoint());
        argv.addAll(plugin.command());
        Map<String, String> env = taskEnvironment(launch, plugin, null);
        env.put("PATH", BuildImage.KANIKO_ECR.path());
        return image.run(argv, env, plugin.workingDirectory(), TIMEOUT);
    }

    /**
     * What a container of the task sees: its image's {@code ENV} ({@code PATH}: alpine/git sets nothing else),
     * what Fargate adds to every container, the definition's environment and secrets (resolved by the agent), and
     * the run's overrides for that container. No {@code HOME}: neither the image nor ECS sets one.
     */
    private static Map<String, String> taskEnvironment(EcsLaunch launch, ContainerDefinition container, String token) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", BuildImage.GIT_SOURCE.path());
        env.put("HOSTNAME", "ip-10-0-1-23.ec2.internal");
        env.put("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("ECS_CONTAINER_METADATA_URI", "http://169.254.170.2/v3/0f1e2d3c-" + container.name());
        env.put("ECS_CONTAINER_METADATA_URI_V4", "http://169.254.170.2/v4/0f1e2d3c-" + container.name());
        env.put("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/5a6b7c8d");
        container.environment().forEach(pair -> env.put(pair.name(), pair.value()));
        container.secrets().forEach(secret -> env.put(secret.name(),
                secret.name().equals(EcsTaskLayout.GIT_TOKEN) ? token : "resolved value of " + secret.valueFrom()));
        for (ContainerOverride override : launch.request().overrides().containerOverrides()) {
            if (override.name().equals(container.name())) {
                override.environment().forEach(pair -> env.put(pair.name(), pair.value()));
            }
        }
        return env;
    }

    private static ContainerDefinition container(EcsLaunch launch, String name) {
        return launch.taskDefinition().containerDefinitions().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private void assertCheckedOut(String commit, ImageRootfs.Result result) throws IOException {
        assertEquals(0, result.exitCode(), () -> "the fetch failed: " + result.stderr() + "\nserver: " + server.log());
        assertTrue(result.stdout().contains("ecr-build-push source: checked out " + commit), result.stdout());
        Path checkout = root.resolve("workspace/src");
        String head = Files.readString(checkout.resolve(".git/HEAD")).strip();
        assertEquals(commit, head, "HEAD is detached at the commit");
        String expected = commit.equals(c1) ? "c1" : commit.equals(c2) ? "c2" : commit.equals(c3) ? "c3"
                : commit.equals(feature) ? "feature" : "private";
        assertEquals(expected, Files.readString(checkout.resolve("built-from")), "the tree the plugin builds from");
    }

    private static void assertFailedWithOneLine(ImageRootfs.Result result, String startsWith) {
        assertNotEquals(0, result.exitCode(), "the fetch must fail, so that the plugin container never starts");
        List<String> lines = result.stderr().lines().toList();
        assertEquals(1, lines.size(), () -> "one line, not: " + result.stderr());
        assertTrue(lines.get(0).startsWith(startsWith), lines.get(0));
    }
}
