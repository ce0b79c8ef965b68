package dev.ecrpush.githost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.services.codebuild.model.SourceType;

/** The one registry of Git hosts: what it serves, and the start-up refusals of a registration that clashes. */
class GitHostRegistryTest {
    /** A host of the given parts, for registrations the real hosts would never make. */
    private record Host(String name, List<SecretField> secretFields, Map<String, SourceType> cloneHosts) implements GitHost {
        @Override
        public boolean carriesCredentials(WebhookRequest request) {
            return false;
        }

        @Override
        public Verdict verify(WebhookRequest request, WebhookSecrets secrets, Instant now, Duration tolerance) {
            return new Verdict.Refused("test host");
        }

        @Override
        public String hostDeliveryId(WebhookRequest request) {
            return null;
        }

        @Override
        public WebhookEvent read(WebhookRequest request, JsonNode body) {
            return new WebhookEvent.Ignored("?", "test host");
        }
    }

    private static Host host(String name, String key, String cloneHost) {
        return new Host(name, List.of(new SecretField(key, "buildpush.webhooks." + key + "-secret")),
                cloneHost == null ? Map.of() : Map.of(cloneHost, SourceType.GITHUB_ENTERPRISE));
    }

    @Test
    void registered_areTheHostsInTheirOrder_withTheirSecretsAndCloneHosts() {
        GitHostRegistry hosts = new GitHostRegistry();
        assertEquals(List.of("github", "gitlab", "bitbucket", "gitea"), hosts.names());
        assertEquals(List.of("github", "gitlab", "gitlabSigningToken", "bitbucket", "gitea"),
                hosts.secretFields().stream().map(SecretField::key).toList());
        assertEquals(List.of("buildpush.webhooks.github-secret", "buildpush.webhooks.gitlab-secret",
                "buildpush.webhooks.gitlab-signing-token", "buildpush.webhooks.bitbucket-secret", "buildpush.webhooks.gitea-secret"),
                hosts.secretFields().stream().map(SecretField::configKey).toList());
        // Gitea has no clone host: a Gitea server's name is the deployer's
        assertEquals(Map.of("github.com", "GITHUB", "gitlab.com", "GITLAB", "bitbucket.org", "BITBUCKET"), hosts.sourceTypesByHost());
        assertEquals("gitlab", hosts.named("gitlab").orElseThrow().name());
        assertTrue(hosts.named("GitLab").isEmpty(), "names are compared as written: routes are lower case");
    }

    @Test
    void twoHostsClaimingOneName_failTheStart_namingBoth() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new GitHostRegistry(List.of(host("forge", "forge", null), host("forge", "other", null))));
        assertEquals("Git hosts: " + Host.class.getName() + " and " + Host.class.getName() + " both claim the name \"forge\"",
                e.getMessage());
    }

    @Test
    void twoHostsClaimingOneSecretKeyOrCloneHost_failTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new GitHostRegistry(List.of(
                host("one", "shared", "git.example.com"), host("two", "shared", "git.example.com"))));
        assertTrue(e.getMessage().contains("both claim the webhook secret key \"shared\""), e.getMessage());
        assertTrue(e.getMessage().contains("both claim the configuration key \"buildpush.webhooks.shared-secret\""), e.getMessage());
        assertTrue(e.getMessage().contains("both claim the clone host \"git.example.com\""), e.getMessage());
    }

    @Test
    void aHostMissingANameOrASecret_orNoHostAtAll_failsTheStart() {
        assertTrue(assertThrows(IllegalStateException.class, () -> new GitHostRegistry(List.of(host("Git Hub", "forge", null))))
                .getMessage().contains("has no route-shaped name"));
        assertTrue(assertThrows(IllegalStateException.class, () -> new GitHostRegistry(List.of(new Host("forge", List.of(), Map.of()))))
                .getMessage().contains("declares no secret field, so it could never accept a delivery"));
        assertEquals("Git hosts: no Git host is registered",
                assertThrows(IllegalStateException.class, () -> new GitHostRegistry(List.of())).getMessage());
    }

    @Test
    void everyGitHostInTheCode_isRegistered() throws IOException {
        // given: every class of the githost packages that implements GitHost, as compiled
        Path classes = Path.of("target/classes");
        List<String> implementations;
        try (Stream<Path> files = Files.walk(classes.resolve("dev/ecrpush/githost"))) {
            implementations = files.map(file -> classes.relativize(file).toString())
                    .filter(file -> file.endsWith(".class") && !file.contains("$"))
                    .map(file -> file.substring(0, file.length() - ".class".length()).replace('/', '.'))
                    .filter(GitHostRegistryTest::isGitHost).sorted().toList();
        }
        // then: a host written but not registered would never be routed to
        assertEquals(implementations, new GitHostRegistry().all().stream().map(host -> host.getClass().getName()).sorted().toList());
    }

    private static boolean isGitHost(String className) {
        try {
            Class<?> type = Class.forName(className);
            return GitHost.class.isAssignableFrom(type) && !type.isInterface();
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void enumerate_listsAsProseDoes() {
        assertEquals("github", GitHostRegistry.enumerate(List.of("github"), "or"));
        assertEquals("github or gitlab", GitHostRegistry.enumerate(List.of("github", "gitlab"), "or"));
        assertEquals("github, gitlab and bitbucket", GitHostRegistry.enumerate(List.of("github", "gitlab", "bitbucket"), "and"));
    }
}
