package dev.ecrpush.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * A fake Git host API (GitHub's, GitLab's, Bitbucket's or Gitea's: they differ only in paths) on a dynamic loopback
 * port: it accepts every request with {@code 201 {}} unless a test stubs otherwise, and hands back the requests as
 * the host received them, for asserting the exact method, path, headers and JSON body.
 */
public final class GitHostFake implements AutoCloseable {
    private final WireMockServer server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));

    public GitHostFake() {
        server.start();
        reset();
    }

    /** The API's base URL, with {@code path} ({@code /api/v4}) under it. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    public URI endpoint() {
        return URI.create(url(""));
    }

    public int port() {
        return server.port();
    }

    /** Forgets every request and stub but the default answer. */
    public void reset() {
        server.resetAll();
        server.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody("{}")));
    }

    public void stub(MappingBuilder mapping) {
        server.stubFor(mapping);
    }

    /** Every request received, oldest first. */
    public List<LoggedRequest> requests() {
        // WireMock lists the newest first.
        List<LoggedRequest> requests = new ArrayList<>(server.getAllServeEvents().stream().map(ServeEvent::getRequest).toList());
        Collections.reverse(requests);
        return requests;
    }

    /** {@code METHOD path}, oldest first. */
    public List<String> calls() {
        return requests().stream().map(r -> r.getMethod() + " " + r.getUrl()).toList();
    }

    @Override
    public void close() {
        server.stop();
    }
}
