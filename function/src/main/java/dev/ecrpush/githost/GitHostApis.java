package dev.ecrpush.githost;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.Startup;

import software.amazon.awssdk.core.exception.SdkException;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.config.Refreshing;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.step.SecretText;

/**
 * Calls the Git hosts' REST APIs: commit statuses ({@link #post}) and the files changed between two commits
 * ({@link #changedFiles}). Each host is called at the API URL the deployer configured
 * ({@code buildpush.githosts.<host>.api-url}, else its public API), with the token read from the Secrets Manager
 * secret {@code buildpush.githosts.<host>.token-ref} (with the function's role, kept for {@code
 * buildpush.webhooks.secret-ttl} like the webhook secret); a host without a token is never called. Nothing a
 * delivery or a payload carries chooses the address or the token: a delivery gives only the repository and commit
 * IDs, which are checked and encoded into the path ({@link ApiPaths}), redirects are not followed, and a paged
 * answer's {@code next} is followed only under the same API URL. The token is sent in its header only, and never
 * logged, quoted or kept anywhere else.
 *
 * <p>Nothing here throws at its callers: a status that could not be sent is logged (and was tried twice), a
 * comparison that could not be had leaves the changed files unknown.
 */
@Singleton
@Startup
public class GitHostApis {
    private static final Logger LOG = Logger.getLogger(GitHostApis.class);
    static final String KEY_PREFIX = "buildpush.githosts.";
    /** The most a Git host's API may take: the webhook that waits for a pending status has its own timeout. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    /** How many times a status is sent before it is given up: the first attempt and one retry. */
    static final int STATUS_ATTEMPTS = 2;
    /** The most pages of a paged comparison read; a longer one does not tell. */
    static final int MAX_PAGES = 5;
    /** The most bytes of an answer read; a longer one does not tell. */
    static final int MAX_ANSWER_BYTES = 8 * 1024 * 1024;

    private final Map<String, Endpoint> endpoints;
    private final ObjectMapper json;
    private volatile HttpClient http;

    /** A host's API as configured: both values may be null. */
    public record Setting(String apiUrl, String tokenRef) {
    }

    /** A host the function may call: its API, where, and its token. */
    private record Endpoint(String host, GitHostApi api, URI url, String tokenRef, Refreshing<SecretText> token) {
    }

    @Inject
    public GitHostApis(AwsClients clients, ServiceConfig config, GitHostRegistry hosts, ObjectMapper json) {
        this(hosts.all(), settings(config.githosts()), ref -> readToken(clients, ref), config.webhooks().secretTtl(),
                config.webhooks().secretFailureTtl(), json, Clock.systemUTC());
    }

    /**
     * @param settings by host name; a host with no setting, or no token in it, is not called
     * @param tokens   reads a token secret's value
     * @throws IllegalStateException naming the key of an API URL that is not https (or http to a loopback address),
     *                               or of a token without an API URL to send it to
     */
    public GitHostApis(List<GitHost> hosts, Map<String, Setting> settings, Function<String, SecretText> tokens, Duration ttl,
            Duration failureTtl, ObjectMapper json, Clock clock) {
        Map<String, Endpoint> found = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (GitHost host : hosts) {
            GitHostApi api = host.api();
            Setting setting = settings.get(host.name());
            if (api == null || setting == null) {
                continue;
            }
            String key = KEY_PREFIX + host.name() + ".api-url";
            String url = setting.apiUrl() != null && !setting.apiUrl().isBlank() ? setting.apiUrl().trim() : api.defaultApiUrl();
            URI uri = null;
            if (url != null) {
                try {
                    uri = apiUrl(url);
                } catch (IllegalArgumentException e) {
                    problems.add(key + ": " + e.getMessage());
                    continue;
                }
            }
            String tokenRef = setting.tokenRef() == null || setting.tokenRef().isBlank() ? null : setting.tokenRef().trim();
            if (tokenRef == null) {
                continue;
            }
            if (uri == null) {
                problems.add(key + ": is required with " + KEY_PREFIX + host.name() + ".token-ref: " + host.name()
                        + " has no public API, so the token would have nowhere to go");
                continue;
            }
            found.put(host.name(), new Endpoint(host.name(), api, uri, tokenRef,
                    new Refreshing<>(() -> tokens.apply(tokenRef), ttl, failureTtl, clock)));
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Git host APIs: " + String.join("; ", problems));
        }
        this.endpoints = Map.copyOf(found);
        this.json = json;
    }

    private static Map<String, Setting> settings(ServiceConfig.GitHosts config) {
        return Map.of("github", setting(config.github()), "gitlab", setting(config.gitlab()),
                "bitbucket", setting(config.bitbucket()), "gitea", setting(config.gitea()));
    }

    private static Setting setting(ServiceConfig.GitHostApi api) {
        return new Setting(api.apiUrl().orElse(null), api.tokenRef().orElse(null));
    }

    /**
     * The API URL, if it may carry a token: https, or plain http to a loopback address (a test's or a local run's fake),
     * with no user, query or fragment.
     *
     * @throws IllegalArgumentException saying why not
     */
    static URI apiUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a URL: " + url, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must be a base URL, https://HOST[:PORT][/PATH], without user, query or fragment: "
                    + url);
        }
        if (scheme.equals("https") || (scheme.equals("http") && loopback(uri.getHost()))) {
            return uri;
        }
        throw new IllegalArgumentException("must be https (plain http only to a loopback address, for tests): " + url);
    }

    /** Whether the host is a loopback address as written: a name is not resolved, so only {@code localhost} counts. */
    private static boolean loopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!bare.matches("[0-9.]+") && !bare.contains(":")) {
            return false;
        }
        try {
            return InetAddress.getByName(bare).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the host's API may be called: it has a token configured. */
    public boolean configured(String host) {
        return endpoints.containsKey(host);
    }

    /**
     * Sends the status to the host, trying once more if the first attempt fails. Never throws: a status is a report,
     * and a build is not failed for it.
     *
     * @return whether the host accepted it
     */
    public boolean post(String host, String repository, String sha, CommitStatus status) {
        Endpoint endpoint = endpoints.get(host);
        if (endpoint == null) {
            return false;
        }
        String subject = "commit status " + status.state() + " (" + status.context() + ") of " + host + " " + repository + "@" + sha;
        GitHostApi.Call call;
        try {
            call = endpoint.api().status(endpoint.url(), repository, sha, status);
        } catch (IllegalArgumentException e) {
            LOG.warnf("%s not sent: %s", subject, e.getMessage());
            return false;
        }
        for (int attempt = 1; attempt <= STATUS_ATTEMPTS; attempt++) {
            try {
                Answer answer = send(endpoint, call);
                if (answer.ok()) {
                    LOG.infof("%s sent (HTTP %d)", subject, answer.status());
                    return true;
                }
                LOG.warnf("%s: attempt %d of %d answered HTTP %d", subject, attempt, STATUS_ATTEMPTS, answer.status());
            } catch (RuntimeException | IOException e) {
                LOG.warnf("%s: attempt %d of %d failed: %s", subject, attempt, STATUS_ATTEMPTS, reason(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warnf("%s: interrupted", subject);
                return false;
            }
        }
        return false;
    }

    /**
     * The files changed from {@code before} to {@code after}, as the host's API compares them; unknown, saying why,
     * when the host has no token, the push has no {@code before} to compare with (a new branch), or the answer does not
     * tell (cut short, more than {@value #MAX_PAGES} pages, a failure).
     */
    public ChangedFiles changedFiles(String host, String repository, String before, String after) {
        Endpoint endpoint = endpoints.get(host);
        if (endpoint == null) {
            return new ChangedFiles.Unknown("no token is configured for " + host + "'s compare API");
        }
        if (before == null || after == null || before.chars().allMatch(c -> c == '0')) {
            return new ChangedFiles.Unknown("the push has no earlier commit to compare with (a new branch)");
        }
        String subject = "comparison " + host + " " + repository + " " + before + "..." + after;
        try {
            GitHostApi.Call call = endpoint.api().compare(endpoint.url(), repository, before, after);
            Set<String> paths = new LinkedHashSet<>();
            for (int page = 1; page <= MAX_PAGES; page++) {
                Answer answer = send(endpoint, call);
                if (!answer.ok()) {
                    LOG.warnf("%s: HTTP %d", subject, answer.status());
                    return new ChangedFiles.Unknown(host + "'s compare API answered HTTP " + answer.status());
                }
                GitHostApi.Compared compared = endpoint.api().compared(answer.body());
                if (compared instanceof GitHostApi.Compared.Unknown unknown) {
                    return new ChangedFiles.Unknown(unknown.why());
                }
                GitHostApi.Compared.Files files = (GitHostApi.Compared.Files) compared;
                paths.addAll(files.paths());
                if (files.next() == null) {
                    LOG.infof("%s: %d changed file(s)", subject, paths.size());
                    return new ChangedFiles.Listed(List.copyOf(paths));
                }
                URI next = under(endpoint.url(), files.next());
                if (next == null) {
                    return new ChangedFiles.Unknown(host + "'s compare API gave a next page outside its API URL");
                }
                call = new GitHostApi.Call("GET", next, null);
            }
            return new ChangedFiles.Unknown(host + "'s comparison has more than " + MAX_PAGES + " pages");
        } catch (IllegalArgumentException e) {
            return new ChangedFiles.Unknown("the comparison was not asked for: " + e.getMessage());
        } catch (RuntimeException | IOException e) {
            LOG.warnf("%s failed: %s", subject, reason(e));
            return new ChangedFiles.Unknown(host + "'s compare API could not be asked (" + reason(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ChangedFiles.Unknown("interrupted");
        }
    }

    /** {@code next}, if it is under the API URL: the same scheme, host and port, and the API's path. */
    private static URI under(URI api, String next) {
        try {
            URI uri = new URI(next);
            boolean same = api.getScheme().equalsIgnoreCase(uri.getScheme()) && api.getHost().equalsIgnoreCase(uri.getHost())
                    && api.getPort() == uri.getPort() && uri.getRawUserInfo() == null && uri.getRawPath() != null
                    && uri.getRawPath().startsWith(api.getRawPath() == null ? "" : api.getRawPath())
                    && !uri.getRawPath().contains("/../");
            return same ? uri : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private record Answer(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private Answer send(Endpoint endpoint, GitHostApi.Call call) throws IOException, InterruptedException {
        GitHostApi.Header auth = endpoint.api().authorization(endpoint.token().get());
        HttpRequest.Builder request = HttpRequest.newBuilder(call.uri()).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").header("User-Agent", "ecr-build-push")
                .header(auth.name(), auth.value().value());
        if (call.body() != null) {
            request.header("Content-Type", "application/json")
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body().toString(), StandardCharsets.UTF_8));
        } else {
            request.method(call.method(), HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<InputStream> response = client().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() < 200 || response.statusCode() >= 300) {
                return new Answer(response.statusCode(), null);
            }
            byte[] bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
            if (bytes.length > MAX_ANSWER_BYTES) {
                throw new IOException("the answer is longer than " + MAX_ANSWER_BYTES + " bytes");
            }
            JsonNode body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
            return new Answer(response.statusCode(), body == null ? json.createObjectNode() : body);
        }
    }

    /** Made on first use, not during init (SnapStart): it starts a thread. Redirects are never followed. */
    private HttpClient client() {
        HttpClient current = http;
        if (current == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
                }
                current = http;
            }
        }
        return current;
    }

    /** What failed, by its type and message: neither ever holds the token, which is only ever in a header. */
    private static String reason(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /**
     * The token secret's value, read with the function's role.
     *
     * @throws InternalErrorException naming the secret, never quoting it
     */
    static SecretText readToken(AwsClients clients, String ref) {
        String value;
        try {
            value = clients.secretsManager(clients.functionRegion(), clients.functionCredentials())
                    .getSecretValue(r -> r.secretId(ref)).secretString();
        } catch (SdkException e) {
            throw AwsFailures.translate(e, "secretsmanager:GetSecretValue for the Git host token " + ref, InternalErrorException::new);
        }
        if (value == null || value.isBlank()) {
            throw new InternalErrorException("the Git host token " + ref + " is empty");
        }
        // A token pasted with a trailing newline would be refused by the host, and no token contains blanks.
        return new SecretText(value.strip());
    }
}
