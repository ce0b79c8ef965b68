package dev.ecrpush.support.rootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real git server on loopback, for clones that scripts make inside an {@link ImageRootfs}: the host's own
 * {@code git daemon} ({@code git://}) and {@code git http-backend} (smart HTTP), each on an ephemeral port
 * bound by this JVM, serving {@link FixtureRepository fixture repositories} built with real git commands.
 *
 * <pre>{@code
 * try (GitServer server = GitServer.start(tempDir)) {
 *     FixtureRepository app = server.repository("app");
 *     String first = app.commit("main", Map.of("Dockerfile", "FROM scratch\n"), "first");
 *     app.branch("release/1.x", first).annotatedTag("v1.0.0", first, "v1.0.0");
 *     String url = server.httpUrl("app"); // or server.gitUrl("app")
 * }
 * }</pre>
 *
 * <p>A {@link #privateRepository private repository} is served over HTTP only, to its user and token (Basic
 * authentication; 401 with a {@code WWW-Authenticate: Basic} challenge otherwise). git:// has no
 * authentication, so a private repository is not under the daemon's base path: it is "not exported" there.
 *
 * <p>Fetching by SHA: the repositories keep a stock server's {@code uploadpack.allowReachableSHA1InWant=false}
 * and {@code allowAnySHA1InWant=false}. Those settings only bind protocol v0/v1, where a {@code want} must name
 * an advertised ref tip: {@code git fetch URL <sha>} of any other commit fails with "Server does not allow
 * request for unadvertised object". Protocol v2 (git's default since 2.26, over git:// and HTTP alike) has no
 * advertisement to check against: upload-pack serves any object the repository has, so a fetch of a full SHA
 * succeeds whether it is a tip, an older commit or even unreachable from every ref, and fails ("not our ref")
 * only for an object the server does not have. {@code GitServerTest} pins both behaviours. A hosted server
 * (GitHub, GitLab) may refuse more than this one does.
 *
 * <p>Every git process runs without the host's system and global git config and with its own {@code HOME},
 * so nothing of the developer's setup leaks in. {@link #close} ends the listeners and every git process.
 */
public final class GitServer implements AutoCloseable {
    private final Path publicRoot;
    private final Path privateRoot;
    private final Map<String, String> environment;
    private final StringBuffer log = new StringBuffer();
    private final GitDaemon daemon;
    private final GitHttpBackend http;

    private GitServer(Path directory) throws IOException {
        publicRoot = Files.createDirectories(directory.resolve("public"));
        privateRoot = Files.createDirectories(directory.resolve("private"));
        Path home = Files.createDirectories(directory.resolve("home"));
        Host.require("git", "git is not installed" + Host.INSTALLED_BY_CI);
        environment = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"), "HOME", home.toString(),
                "GIT_CONFIG_NOSYSTEM", "1", "GIT_CONFIG_GLOBAL", "/dev/null", "LC_ALL", "C");
        daemon = GitDaemon.start(publicRoot, environment, log::append);
        http = GitHttpBackend.start(publicRoot, privateRoot, environment, log::append);
    }

    /** Starts both listeners; repositories live under {@code directory} (a JUnit {@code @TempDir}). */
    public static GitServer start(Path directory) {
        try {
            return new GitServer(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new, empty public repository, served at {@link #gitUrl} and {@link #httpUrl}. */
    public FixtureRepository repository(String name) {
        return FixtureRepository.init(name, publicRoot.resolve(name + ".git"), environment);
    }

    /** A new, empty repository served over HTTP only, to Basic authentication as {@code user} with {@code token}. */
    public FixtureRepository privateRepository(String name, String user, String token) {
        http.makePrivate(name, user, token);
        return FixtureRepository.init(name, privateRoot.resolve(name + ".git"), environment);
    }

    /** {@code git://127.0.0.1:PORT/<name>.git} */
    public String gitUrl(String repository) {
        return "git://127.0.0.1:" + daemon.port() + "/" + repository + ".git";
    }

    /** {@code http://127.0.0.1:PORT/git/<name>.git} */
    public String httpUrl(String repository) {
        return "http://127.0.0.1:" + http.port() + "/git/" + repository + ".git";
    }

    /** {@code http://USER:TOKEN@127.0.0.1:PORT/git/<name>.git}, the form a clone URL with a token takes. */
    public String httpUrl(String repository, String user, String token) {
        return "http://" + encode(user) + ":" + encode(token) + "@127.0.0.1:" + http.port() + "/git/" + repository
                + ".git";
    }

    /** What the daemon and http-backend wrote to stderr so far: the first place to look when a clone fails. */
    public String log() {
        return log.toString();
    }

    @Override
    public void close() {
        daemon.close();
        http.close();
    }

    private static String encode(String userinfo) {
        return URLEncoder.encode(userinfo, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
