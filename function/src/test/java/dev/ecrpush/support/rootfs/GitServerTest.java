package dev.ecrpush.support.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clones and fetches from the server by the host's git inside a busybox rootfs, as a source container's script
 * would: over git:// and HTTP, public and private, by branch, tag and SHA.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String USER = "x-token-auth";
    private static final String TOKEN = "s3cret-token";

    private GitServer server;
    private FixtureRepository app;
    private String first;
    private String second;
    private String buried;
    private String dangling;

    @BeforeAll
    void startServer(@TempDir Path serverDir) {
        server = GitServer.start(serverDir);
        app = server.repository("app");
        first = app.commit("main", Map.of("Dockerfile", "FROM scratch\n", "src/app.txt", "v1\n"), "first");
        second = app.commit("main", Map.of("src/app.txt", "v2\n"), "second");
        String release = app.commit("release/1.x", Map.of("RELEASE", "1.x\n"), "release branch");
        app.branch("release/1.x", release).tag("light", first).annotatedTag("v1.0.0", first, "version 1.0.0")
                .branch("v2", second).tag("v2", first);
        // a commit only history reaches: no ref names it, so protocol v0 does not advertise it
        buried = app.commit("history", Map.of("history", "1\n"), "buried");
        app.commit("history", Map.of("history", "2\n"), "on top");
        // a commit no ref reaches, as a force-push leaves one behind
        dangling = app.commit("scratch", Map.of("scratch", "x\n"), "scratch");
        app.git("update-ref", "-d", "refs/heads/scratch");
        server.privateRepository("secret", USER, TOKEN).commit("main", Map.of("README", "private\n"), "private");
    }

    @AfterAll
    void stopServer() {
        server.close();
    }

    private ImageRootfs gitImage(Path root) {
        return ImageRootfs.in(root).shell("/bin/sh").busyboxApplet("/bin/cat").busyboxApplet("/bin/mkdir").hostGit();
    }

    private ImageRootfs.Result sh(ImageRootfs image, String script, String... extraEnv) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin:/bin"));
        for (int i = 0; i < extraEnv.length; i += 2) {
            env.put(extraEnv[i], extraEnv[i + 1]);
        }
        return image.run(List.of("/bin/sh", "-c", script), env, "/tmp", TIMEOUT);
    }

    @Test
    void clone_overGitAndHttp_insideBusyboxRootfsWithHostGit_checksOutTheBranch(@TempDir Path root) {
        // given
        ImageRootfs image = gitImage(root);
        // when
        ImageRootfs.Result overGit = sh(image, "git clone --quiet " + server.gitUrl("app") + " /src/git && cat /src/git/src/app.txt");
        ImageRootfs.Result overHttp = sh(image, "git clone --quiet --branch release/1.x " + server.httpUrl("app")
                + " /src/http && cat /src/http/RELEASE && git -C /src/http rev-parse --abbrev-ref HEAD");
        // then
        assertEquals(0, overGit.exitCode(), overGit.stderr() + server.log());
        assertEquals("v2\n", overGit.stdout());
        assertEquals(0, overHttp.exitCode(), overHttp.stderr() + server.log());
        assertEquals("1.x\nrelease/1.x\n", overHttp.stdout());
    }

    @Test
    void repository_refs_areAdvertisedAsBuilt_includingABranchAndATagOfTheSameName(@TempDir Path root) {
        // given
        ImageRootfs image = gitImage(root);
        // when
        ImageRootfs.Result result = sh(image, "git ls-remote " + server.gitUrl("app"));
        // then
        assertEquals(0, result.exitCode(), result.stderr());
        String refs = result.stdout();
        assertTrue(refs.contains(second + "\tHEAD\n"), refs);
        assertTrue(refs.contains(second + "\trefs/heads/main\n"), refs);
        assertTrue(refs.contains(second + "\trefs/heads/v2\n"), refs);
        assertTrue(refs.contains(first + "\trefs/tags/v2\n"), refs);
        assertTrue(refs.contains(first + "\trefs/tags/light\n"), refs);
        assertTrue(refs.contains(app.revParse("refs/tags/v1.0.0") + "\trefs/tags/v1.0.0\n"), refs);
        assertTrue(refs.contains(first + "\trefs/tags/v1.0.0^{}\n"), refs);
        assertNotEquals(first, app.revParse("refs/tags/v1.0.0"), "an annotated tag is an object of its own");
        assertFalse(refs.contains("scratch"), refs);
    }

    @Test
    void repository_sameCalls_giveTheSameShas(@TempDir Path serverDir) {
        // given: a second server, built the same way
        try (GitServer other = GitServer.start(serverDir)) {
            FixtureRepository copy = other.repository("app");
            // when
            String copyFirst = copy.commit("main", Map.of("Dockerfile", "FROM scratch\n", "src/app.txt", "v1\n"), "first");
            // then
            assertEquals(first, copyFirst);
        }
    }

    @Test
    void privateRepository_rightTokenClones_wrongOrNoTokenFailsWithoutHanging(@TempDir Path root) {
        // given: no prompt may wait for a terminal that is not there
        ImageRootfs image = gitImage(root);
        // when
        ImageRootfs.Result right = sh(image, "git clone --quiet " + server.httpUrl("secret", USER, TOKEN)
                + " /src/right && cat /src/right/README", "GIT_TERMINAL_PROMPT", "0");
        ImageRootfs.Result wrong = sh(image, "git clone --quiet " + server.httpUrl("secret", USER, "wrong")
                + " /src/wrong", "GIT_TERMINAL_PROMPT", "0");
        ImageRootfs.Result none = sh(image, "git clone --quiet " + server.httpUrl("secret") + " /src/none",
                "GIT_TERMINAL_PROMPT", "0");
        ImageRootfs.Result overGit = sh(image, "git clone --quiet " + server.gitUrl("secret") + " /src/git",
                "GIT_TERMINAL_PROMPT", "0");
        // then
        assertEquals(0, right.exitCode(), right.stderr() + server.log());
        assertEquals("private\n", right.stdout());
        assertEquals(128, wrong.exitCode());
        assertTrue(wrong.stderr().contains("Authentication failed"), wrong.stderr());
        assertEquals(128, none.exitCode());
        assertTrue(none.stderr().contains("terminal prompts disabled"), none.stderr());
        assertEquals(128, overGit.exitCode());
        assertTrue(overGit.stderr().contains("not exported"), overGit.stderr());
    }

    @Test
    void httpBackend_privateRepository_challengesForBasicAuthentication() throws Exception {
        // given
        HttpClient client = HttpClient.newHttpClient();
        URI refs = URI.create(server.httpUrl("secret") + "/info/refs?service=git-upload-pack");
        // when
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(refs).build(), HttpResponse.BodyHandlers.ofString());
        // then
        assertEquals(401, response.statusCode());
        assertEquals("Basic realm=\"" + GitHttpBackend.REALM + "\"", response.headers().firstValue("WWW-Authenticate").orElseThrow());
    }

    @Test
    void httpBackend_gzippedProtocolV2Request_isInflatedAndAnswered() throws Exception {
        // given: what git sends for a large request body; ls-refs is a protocol v2 command, so Git-Protocol must reach it
        byte[] body = gzip("0014command=ls-refs\n0000");
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.httpUrl("app") + "/git-upload-pack"))
                .header("Content-Type", "application/x-git-upload-pack-request").header("Content-Encoding", "gzip")
                .header("Git-Protocol", "version=2").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        // when
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        // then
        assertEquals(200, response.statusCode(), response.body() + server.log());
        assertEquals("application/x-git-upload-pack-result", response.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(response.body().contains(second + " refs/heads/main"), response.body());
    }

    @Test
    void httpBackend_unknownRepository_is404FromTheCgi() throws Exception {
        // when
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(server.httpUrl("absent") + "/info/refs?service=git-upload-pack")).build(),
                HttpResponse.BodyHandlers.ofString());
        // then
        assertEquals(404, response.statusCode());
    }

    /** What {@link GitServer}'s Javadoc states about fetching by SHA with a stock upload-pack configuration. */
    @Test
    void fetchBySha_protocolV2_servesAnyObjectTheServerHas_protocolV0_onlyAdvertisedTips(@TempDir Path root) {
        // given: `buried` is no ref's tip, `dangling` is reachable from no ref at all
        ImageRootfs image = gitImage(root);
        String fetch = "mkdir -p /w/%1$s && cd /w/%1$s && git init --quiet && git %2$s fetch --quiet --depth=1 %3$s %4$s"
                + " && git rev-parse FETCH_HEAD";
        // when
        ImageRootfs.Result v2Git = sh(image, fetch.formatted("v2git", "", server.gitUrl("app"), buried));
        ImageRootfs.Result v2Http = sh(image, fetch.formatted("v2http", "", server.httpUrl("app"), buried));
        ImageRootfs.Result v2Dangling = sh(image, fetch.formatted("v2dangling", "", server.httpUrl("app"), dangling));
        ImageRootfs.Result v2Absent = sh(image, fetch.formatted("v2absent", "", server.httpUrl("app"), "1".repeat(40)));
        ImageRootfs.Result v0Git = sh(image, fetch.formatted("v0git", "-c protocol.version=0", server.gitUrl("app"), buried));
        ImageRootfs.Result v0Http = sh(image, fetch.formatted("v0http", "-c protocol.version=0", server.httpUrl("app"), buried));
        ImageRootfs.Result v0Tip = sh(image, fetch.formatted("v0tip", "-c protocol.version=0", server.httpUrl("app"), second));
        // then
        assertEquals(buried + "\n", v2Git.stdout(), v2Git.stderr());
        assertEquals(buried + "\n", v2Http.stdout(), v2Http.stderr());
        assertEquals(dangling + "\n", v2Dangling.stdout(), v2Dangling.stderr());
        assertEquals(128, v2Absent.exitCode());
        assertTrue(v2Absent.stderr().contains("not our ref"), v2Absent.stderr());
        for (ImageRootfs.Result refused : List.of(v0Git, v0Http)) {
            // git:// ends with 128 (fatal), HTTP's remote helper with 1 (error): a script sees "failed" either way
            assertNotEquals(0, refused.exitCode());
            assertTrue(refused.stderr().contains("Server does not allow request for unadvertised object"), refused.stderr());
        }
        assertEquals(second + "\n", v0Tip.stdout(), v0Tip.stderr());
    }

    @Test
    void close_endsTheListenersAndEveryGitProcess(@TempDir Path serverDir, @TempDir Path root) throws Exception {
        // given: a server that has served both protocols
        GitServer other = GitServer.start(serverDir);
        other.repository("app").commit("main", Map.of("a", "a\n"), "a");
        ImageRootfs image = gitImage(root);
        assertEquals(0, sh(image, "git ls-remote " + other.gitUrl("app") + " && git ls-remote " + other.httpUrl("app"))
                .exitCode());
        int gitPort = URI.create(other.gitUrl("app")).getPort();
        int httpPort = URI.create(other.httpUrl("app")).getPort();
        // when
        other.close();
        // then
        assertTrue(refusesConnections(gitPort));
        assertTrue(refusesConnections(httpPort));
        assertTrue(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .map(p -> Path.of(p.info().command().orElse("/")).getFileName())
                .filter(name -> name != null && name.toString().matches("git(-.*)?")).findAny().isEmpty(),
                "a git process outlived its server");
    }

    private static boolean refusesConnections(int port) throws IOException {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException refused) {
            return true;
        }
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
