package dev.ecrpush.githost;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.step.SecretText;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.GitHostFake;
import dev.ecrpush.support.LogCapture;

/**
 * The four hosts' status and compare requests as a fake Git host API receives them: method, path, the token's
 * header and the JSON body, exactly; a failing status is tried once more and never thrown; the token goes to the
 * configured API URL only, and into no log line.
 */
class GitHostApisTest {
    private static final String SHA = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c";
    private static final String BEFORE = "9049f1265b7d61be4a8904a9a27120d2064dab3b";
    private static final String LOGS = "https://console.aws.amazon.com/codesuite/codebuild/projects/p/build/p%3A1/?region=us-east-1";

    private GitHostFake host;
    private GitHostApis apis;
    private final AtomicInteger tokenReads = new AtomicInteger();

    @BeforeEach
    void start() {
        host = new GitHostFake();
        apis = apis(Map.of("github", new GitHostApis.Setting(host.url(""), "git/github-token"),
                "gitlab", new GitHostApis.Setting(host.url("/api/v4"), "git/gitlab-token"),
                "bitbucket", new GitHostApis.Setting(host.url("/2.0"), "git/bitbucket-token"),
                "gitea", new GitHostApis.Setting(host.url("/api/v1"), "git/gitea-token")));
    }

    @AfterEach
    void stop() {
        host.close();
    }

    private GitHostApis apis(Map<String, GitHostApis.Setting> settings) {
        return new GitHostApis(GitHostRegistry.registered(), settings, ref -> {
            tokenReads.incrementAndGet();
            return new SecretText("token-of-" + ref);
        }, Duration.ofMinutes(15), Duration.ofSeconds(30), Fixtures.JSON, Clock.systemUTC());
    }

    private static CommitStatus pending() {
        return CommitStatus.started("app", LOGS);
    }

    private static JsonNode body(LoggedRequest request) throws Exception {
        return Fixtures.JSON.readTree(request.getBodyAsString());
    }

    private static JsonNode json(String text) throws Exception {
        return Fixtures.JSON.readTree(text);
    }

    @Test
    void github_pending_isPostedToStatuses_withBearerToken() throws Exception {
        assertTrue(apis.post("github", "acme/app", SHA, pending()));
        LoggedRequest request = host.requests().get(0);
        assertEquals("POST /repos/acme/app/statuses/" + SHA, request.getMethod() + " " + request.getUrl());
        assertEquals("Bearer token-of-git/github-token", request.getHeader("Authorization"));
        assertEquals("application/json", request.getHeader("Content-Type"));
        assertEquals(json("{\"state\":\"pending\",\"target_url\":\"" + LOGS + "\",\"description\":\"The image build has started\","
                + "\"context\":\"ecr-push/app\"}"), body(request));
        assertEquals(1, host.requests().size());
    }

    @Test
    void gitlab_pending_isPostedToTheEncodedProject_withPrivateToken() throws Exception {
        assertTrue(apis.post("gitlab", "group/sub/app", SHA, pending()));
        LoggedRequest request = host.requests().get(0);
        assertEquals("POST /api/v4/projects/group%2Fsub%2Fapp/statuses/" + SHA, request.getMethod() + " " + request.getUrl());
        assertEquals("token-of-git/gitlab-token", request.getHeader("PRIVATE-TOKEN"));
        assertFalse(request.containsHeader("Authorization"));
        assertEquals(json("{\"state\":\"pending\",\"name\":\"ecr-push/app\",\"target_url\":\"" + LOGS + "\","
                + "\"description\":\"The image build has started\"}"), body(request));
    }

    @Test
    void bitbucket_pending_isPostedAsABuildStatus_inProgress() throws Exception {
        assertTrue(apis.post("bitbucket", "acme/app", SHA, pending()));
        LoggedRequest request = host.requests().get(0);
        assertEquals("POST /2.0/repositories/acme/app/commit/" + SHA + "/statuses/build", request.getMethod() + " " + request.getUrl());
        assertEquals("Bearer token-of-git/bitbucket-token", request.getHeader("Authorization"));
        assertEquals(json("{\"key\":\"ecr-push/app\",\"state\":\"INPROGRESS\",\"url\":\"" + LOGS + "\",\"name\":\"ecr-push/app\","
                + "\"description\":\"The image build has started\"}"), body(request));
    }

    @Test
    void gitea_pending_isPostedToStatuses_withTokenScheme() throws Exception {
        assertTrue(apis.post("gitea", "acme/app", SHA, pending()));
        LoggedRequest request = host.requests().get(0);
        assertEquals("POST /api/v1/repos/acme/app/statuses/" + SHA, request.getMethod() + " " + request.getUrl());
        assertEquals("token token-of-git/gitea-token", request.getHeader("Authorization"));
        assertEquals(json("{\"state\":\"pending\",\"target_url\":\"" + LOGS + "\",\"description\":\"The image build has started\","
                + "\"context\":\"ecr-push/app\"}"), body(request));
    }

    /** Each build end in each host's words: GitHub and Gitea have no cancelled, so a stopped build is an error. */
    @Test
    void finalStates_areEachHostsOwn() throws Exception {
        List<BuildStatusResult.Status> ends = List.of(BuildStatusResult.Status.SUCCEEDED, BuildStatusResult.Status.FAILED,
                BuildStatusResult.Status.STOPPED, BuildStatusResult.Status.TIMED_OUT);
        for (String name : List.of("github", "gitlab", "bitbucket", "gitea")) {
            for (BuildStatusResult.Status end : ends) {
                assertTrue(apis.post(name, "acme/app", SHA, pending().ended(end)));
            }
        }
        List<String> states = host.requests().stream().map(r -> {
            try {
                return body(r).get("state").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertEquals(List.of("success", "failure", "error", "failure", "success", "failed", "canceled", "failed",
                "SUCCESSFUL", "FAILED", "STOPPED", "FAILED", "success", "failure", "error", "failure"), states);
        assertEquals("The image build was cancelled", body(host.requests().get(2)).get("description").asText());
        assertEquals("The image build timed out", body(host.requests().get(3)).get("description").asText());
    }

    @Test
    void bitbucket_longContext_isAKeyOfAtMost40Characters_andAStatusWithoutLogsLinksTheCommit() throws Exception {
        String trigger = "a-very-long-trigger-name-that-goes-on-and-on-and-on";
        assertTrue(apis.post("bitbucket", "acme/app", SHA, CommitStatus.started(trigger, null)));
        JsonNode body = body(host.requests().get(0));
        String key = body.get("key").asText();
        assertEquals(40, key.length());
        assertTrue(key.matches("ecr-push/a-very-long-trigger-na-[0-9a-f]{8}"), key);
        assertEquals("ecr-push/" + trigger, body.get("name").asText());
        assertEquals("https://bitbucket.org/acme/app/commits/" + SHA, body.get("url").asText());
    }

    @Test
    void aFailingStatus_isTriedOnceMore_andSucceedsThen() {
        host.stub(post(urlPathEqualTo("/repos/acme/app/statuses/" + SHA)).inScenario("flaky").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("second").willReturn(aResponse().withStatus(502)));
        host.stub(post(urlPathEqualTo("/repos/acme/app/statuses/" + SHA)).inScenario("flaky").whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(201).withBody("{}")));
        assertTrue(apis.post("github", "acme/app", SHA, pending()));
        assertEquals(2, host.requests().size());
        assertEquals(host.requests().get(0).getBodyAsString(), host.requests().get(1).getBodyAsString());
    }

    @Test
    void aStatusThatKeepsFailing_isTriedTwice_neverThrown_andTheTokenIsInNoLogLine() {
        host.stub(post(urlPathEqualTo("/repos/acme/app/statuses/" + SHA)).willReturn(aResponse().withStatus(500)
                .withBody("{\"message\":\"token-of-git/github-token is wrong\"}")));
        try (LogCapture log = LogCapture.of(GitHostApis.class.getName())) {
            assertFalse(apis.post("github", "acme/app", SHA, pending()));
            assertEquals(2, host.requests().size());
            assertTrue(log.lines().stream().anyMatch(l -> l.contains("attempt 2 of 2 answered HTTP 500")), log.lines()::toString);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("token-of-")), log.lines()::toString);
        }
    }

    @Test
    void anUnreachableHost_isLoggedWithoutTheToken() {
        int port = host.port();
        host.close();
        GitHostApis down = apis(Map.of("github", new GitHostApis.Setting("http://127.0.0.1:" + port, "git/github-token")));
        try (LogCapture log = LogCapture.of(GitHostApis.class.getName())) {
            assertFalse(down.post("github", "acme/app", SHA, pending()));
            assertEquals(2, log.lines().stream().filter(l -> l.contains("failed")).count(), log.lines()::toString);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains("token-of-")), log.lines()::toString);
        }
        host = new GitHostFake();
    }

    @Test
    void aTokenThatCannotBeRead_sendsNothing() {
        GitHostApis broken = new GitHostApis(GitHostRegistry.registered(), Map.of("github",
                new GitHostApis.Setting(host.url(""), "git/github-token")), ref -> {
                    throw new InternalErrorException("AccessDeniedException: no");
                }, Duration.ofMinutes(15), Duration.ofSeconds(30), Fixtures.JSON, Clock.systemUTC());
        assertFalse(broken.post("github", "acme/app", SHA, pending()));
        assertEquals(List.of(), host.requests());
    }

    @Test
    void aRedirect_isNotFollowed_soTheTokenGoesNowhereElse() {
        try (GitHostFake elsewhere = new GitHostFake()) {
            host.stub(post(urlPathEqualTo("/repos/acme/app/statuses/" + SHA)).willReturn(aResponse().withStatus(307)
                    .withHeader("Location", elsewhere.url("/steal"))));
            assertFalse(apis.post("github", "acme/app", SHA, pending()));
            assertEquals(List.of(), elsewhere.requests());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../other", "acme/..", "acme/app/extra", "acme", "acme/app?x=1#"})
    void aRepositoryPathThatWouldLeaveTheApi_isNotSent_orStaysOneEncodedSegment(String repository) {
        apis.post("github", repository, SHA, pending());
        assertTrue(host.requests().stream().allMatch(r -> r.getUrl().matches("/repos/acme/[A-Za-z0-9%]+/statuses/" + SHA)),
                () -> host.calls().toString());
    }

    @Test
    void aCommitThatIsNotAnId_isNotSent() {
        assertFalse(apis.post("github", "acme/app", "../../user", pending()));
        assertEquals(List.of(), host.requests());
    }

    @Test
    void aHostWithoutToken_isNotConfigured_andNotCalled() {
        GitHostApis none = apis(Map.of("github", new GitHostApis.Setting(host.url(""), null)));
        assertFalse(none.configured("github"));
        assertFalse(none.post("github", "acme/app", SHA, pending()));
        assertEquals(List.of(), host.requests());
        assertEquals(0, tokenReads.get());
    }

    @Test
    void theTokenIsRead_once_forManyCalls() {
        apis.post("github", "acme/app", SHA, pending());
        apis.post("github", "acme/app", SHA, pending());
        assertEquals(1, tokenReads.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://api.example.com", "ftp://127.0.0.1", "https://user:pw@api.example.com",
        "https://api.example.com/?x=1", "not a url", "http://127.0.0.1.example.com"})
    void anApiUrlThatIsNotHttps_stopsTheStart_namingItsKey(String url) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> apis(Map.of("gitlab", new GitHostApis.Setting(url, "git/gitlab-token"))));
        assertTrue(e.getMessage().contains("buildpush.githosts.gitlab.api-url"), e::getMessage);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://gitlab.example.com/api/v4", "http://127.0.0.1:8080/api/v4", "http://localhost/api/v4",
        "http://[::1]:9000"})
    void httpsOrLoopbackHttp_isAccepted(String url) {
        assertTrue(apis(Map.of("gitlab", new GitHostApis.Setting(url, "git/gitlab-token"))).configured("gitlab"));
    }

    @Test
    void giteaToken_withoutApiUrl_stopsTheStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> apis(Map.of("gitea", new GitHostApis.Setting(null, "git/gitea-token"))));
        assertTrue(e.getMessage().contains("buildpush.githosts.gitea.api-url: is required"), e::getMessage);
    }

    @Test
    void defaults_areThePublicApis() {
        assertEquals("https://api.github.com", new dev.ecrpush.githost.github.GitHub().api().defaultApiUrl());
        assertEquals("https://gitlab.com/api/v4", new dev.ecrpush.githost.gitlab.GitLab().api().defaultApiUrl());
        assertEquals("https://api.bitbucket.org/2.0", new dev.ecrpush.githost.bitbucket.Bitbucket().api().defaultApiUrl());
        assertEquals(null, new dev.ecrpush.githost.gitea.Gitea().api().defaultApiUrl());
    }

    // The compare API

    @Test
    void github_compare_listsFilesAndRenames() {
        host.stub(get(urlPathEqualTo("/repos/acme/app/compare/" + BEFORE + "..." + SHA)).willReturn(aResponse().withStatus(200)
                .withBody("{\"files\":[{\"filename\":\"src/a.txt\"},"
                        + "{\"filename\":\"docs/new.md\",\"previous_filename\":\"docs/old.md\"}]}")));
        assertEquals(new ChangedFiles.Listed(List.of("src/a.txt", "docs/new.md", "docs/old.md")),
                apis.changedFiles("github", "acme/app", BEFORE, SHA));
        LoggedRequest request = host.requests().get(0);
        assertEquals("GET /repos/acme/app/compare/" + BEFORE + "..." + SHA, request.getMethod() + " " + request.getUrl());
        assertEquals("Bearer token-of-git/github-token", request.getHeader("Authorization"));
    }

    @Test
    void github_compareOf300Files_doesNotTell() {
        StringBuilder files = new StringBuilder("{\"files\":[");
        for (int i = 0; i < 300; i++) {
            files.append(i == 0 ? "" : ",").append("{\"filename\":\"f").append(i).append("\"}");
        }
        host.stub(get(urlPathEqualTo("/repos/acme/app/compare/" + BEFORE + "..." + SHA)).willReturn(aResponse().withStatus(200)
                .withBody(files.append("]}").toString())));
        ChangedFiles files300 = apis.changedFiles("github", "acme/app", BEFORE, SHA);
        assertTrue(files300 instanceof ChangedFiles.Unknown unknown && unknown.why().contains("at most 300"), files300::toString);
    }

    @Test
    void gitlab_compare_readsDiffs() {
        host.stub(get(urlPathEqualTo("/api/v4/projects/group%2Fapp/repository/compare")).willReturn(aResponse().withStatus(200)
                .withBody("{\"diffs\":[{\"old_path\":\"a.txt\",\"new_path\":\"a.txt\"},"
                        + "{\"old_path\":\"x/old\",\"new_path\":\"x/new\"}]}")));
        assertEquals(new ChangedFiles.Listed(List.of("a.txt", "x/new", "x/old")), apis.changedFiles("gitlab", "group/app", BEFORE, SHA));
        LoggedRequest request = host.requests().get(0);
        assertEquals("GET /api/v4/projects/group%2Fapp/repository/compare?from=" + BEFORE + "&to=" + SHA,
                request.getMethod() + " " + request.getUrl());
        assertEquals("token-of-git/gitlab-token", request.getHeader("PRIVATE-TOKEN"));
    }

    @Test
    void bitbucket_diffstat_followsNextUnderTheApiUrl() {
        String first = "/2.0/repositories/acme/app/diffstat/" + SHA + ".." + BEFORE;
        host.stub(get(urlPathEqualTo(first)).willReturn(aResponse().withStatus(200).withBody("{\"values\":[{\"old\":null,"
                + "\"new\":{\"path\":\"a.txt\"}},{\"old\":{\"path\":\"b\"},\"new\":{\"path\":\"c\"}}],\"next\":\"" + host.url(first)
                + "?page=2\"}")));
        host.stub(get(urlPathEqualTo(first)).withQueryParam("page", com.github.tomakehurst.wiremock.client.WireMock.equalTo("2"))
                .willReturn(aResponse().withStatus(200).withBody("{\"values\":[{\"old\":{\"path\":\"gone\"},\"new\":null}]}")));
        assertEquals(new ChangedFiles.Listed(List.of("a.txt", "b", "c", "gone")),
                apis.changedFiles("bitbucket", "acme/app", BEFORE, SHA));
        assertEquals(List.of("GET " + first, "GET " + first + "?page=2"), host.calls());
        assertTrue(host.requests().stream().allMatch(r -> "Bearer token-of-git/bitbucket-token".equals(r.getHeader("Authorization"))));
    }

    @Test
    void bitbucket_nextToAnotherHost_isNotFollowed() {
        try (GitHostFake elsewhere = new GitHostFake()) {
            String first = "/2.0/repositories/acme/app/diffstat/" + SHA + ".." + BEFORE;
            host.stub(get(urlPathEqualTo(first)).willReturn(aResponse().withStatus(200).withBody("{\"values\":[],\"next\":\""
                    + elsewhere.url("/2.0/steal") + "\"}")));
            ChangedFiles files = apis.changedFiles("bitbucket", "acme/app", BEFORE, SHA);
            assertTrue(files instanceof ChangedFiles.Unknown unknown && unknown.why().contains("outside its API URL"), files::toString);
            assertEquals(List.of(), elsewhere.requests());
        }
    }

    @Test
    void bitbucket_endlessPages_doNotTell() {
        String first = "/2.0/repositories/acme/app/diffstat/" + SHA + ".." + BEFORE;
        host.stub(get(urlPathEqualTo(first)).willReturn(aResponse().withStatus(200)
                .withBody("{\"values\":[{\"new\":{\"path\":\"a\"}}],\"next\":\"" + host.url(first) + "?page=n\"}")));
        ChangedFiles files = apis.changedFiles("bitbucket", "acme/app", BEFORE, SHA);
        assertTrue(files instanceof ChangedFiles.Unknown unknown && unknown.why().contains("more than 5 pages"), files::toString);
        assertEquals(5, host.requests().size());
    }

    @Test
    void gitea_compare_readsEachCommitsFiles_orDoesNotTellWithoutThem() {
        String path = "/api/v1/repos/acme/app/compare/" + BEFORE + "..." + SHA;
        host.stub(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"total_commits\":2,\"commits\":["
                + "{\"files\":[{\"filename\":\"a\",\"status\":\"added\"}]},{\"files\":[{\"filename\":\"b\",\"status\":\"modified\"}]}]}")));
        assertEquals(new ChangedFiles.Listed(List.of("a", "b")), apis.changedFiles("gitea", "acme/app", BEFORE, SHA));
        assertEquals("token token-of-git/gitea-token", host.requests().get(0).getHeader("Authorization"));
        host.reset();
        host.stub(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withBody("{\"total_commits\":1,\"commits\":[{}]}")));
        assertTrue(apis.changedFiles("gitea", "acme/app", BEFORE, SHA) instanceof ChangedFiles.Unknown);
    }

    @Test
    void aNewBranch_orAFailingCompare_doesNotTell() {
        assertTrue(apis.changedFiles("github", "acme/app", "0".repeat(40), SHA) instanceof ChangedFiles.Unknown);
        assertTrue(apis.changedFiles("github", "acme/app", null, SHA) instanceof ChangedFiles.Unknown);
        assertEquals(List.of(), host.requests());
        host.stub(get(urlPathEqualTo("/repos/acme/app/compare/" + BEFORE + "..." + SHA)).willReturn(aResponse().withStatus(404)));
        ChangedFiles files = apis.changedFiles("github", "acme/app", BEFORE, SHA);
        assertTrue(files instanceof ChangedFiles.Unknown unknown && unknown.why().contains("HTTP 404"), files::toString);
    }
}
