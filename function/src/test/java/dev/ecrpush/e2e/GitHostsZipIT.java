package dev.ecrpush.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.local.FunctionProcess;
import dev.ecrpush.local.LocalLambdaRuntime;
import dev.ecrpush.local.LocalLambdaRuntime.Failure;
import dev.ecrpush.support.Repo;

/**
 * Self-managed Git hosts configured the way Lambda can: one environment variable, {@code BUILDPUSH_CODEBUILD_GIT_HOSTS},
 * read by the packaged function (a map key with a quoted host could not be set so). Each test starts its own function,
 * since the variable is part of the function's configuration.
 */
class GitHostsZipIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GIT_HOSTS = "BUILDPUSH_CODEBUILD_GIT_HOSTS";

    /** A plan of the first plan fixture, its clone URL moved to {@code repoUrl}. */
    private static byte[] planOn(String repoUrl) throws IOException {
        ObjectNode payload = (ObjectNode) JSON.readTree(Path.of("src/test/resources/plans/01-k8-manual.json").toFile()).get("payload");
        ((ObjectNode) payload.get("codebase")).put("repoUrl", repoUrl);
        return JSON.writeValueAsBytes(payload);
    }

    @Test
    void plan_repoOnAConfiguredHost_getsThatSourceType() throws IOException {
        // given
        Map<String, String> environment = Map.of(GIT_HOSTS, "gitlab.example.com=GITLAB_SELF_MANAGED,git.acme.io=GITHUB_ENTERPRISE");
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = PackagedFunction.start(runtime, environment, OutputStream.nullOutputStream())) {
            // when
            JsonNode gitlab = JSON.readTree(runtime.invoke(planOn("https://gitlab.example.com/acme/app.git"), TIMEOUT).success().payload());
            JsonNode enterprise = JSON.readTree(runtime.invoke(planOn("https://GIT.acme.io/acme/app.git"), TIMEOUT).success().payload());
            // then
            assertEquals("GITLAB_SELF_MANAGED", gitlab.at("/plan/startBuild/sourceTypeOverride").asText(), gitlab::toString);
            assertEquals("https://gitlab.example.com/acme/app.git", gitlab.at("/plan/startBuild/sourceLocationOverride").asText());
            assertEquals("GITHUB_ENTERPRISE", enterprise.at("/plan/startBuild/sourceTypeOverride").asText(), enterprise::toString);
        }
    }

    @Test
    void init_badGitHosts_stopsTheFunctionNamingTheKey() throws IOException {
        // given: an entry whose source type CodeBuild does not have
        Map<String, String> environment = Map.of(GIT_HOSTS, "git.acme.io=SVN");
        try (LocalLambdaRuntime runtime = LocalLambdaRuntime.start();
                FunctionProcess function = PackagedFunction.start(runtime, environment, OutputStream.nullOutputStream())) {
            // when: the init error answers the first invocation
            Failure failure = runtime.invoke(Files.readAllBytes(Repo.path("events/apigw-health.json")), TIMEOUT).failure();
            function.close();
            // then: the init failed (the handler could not be constructed), and the function's log says which key and why
            assertEquals("Runtime.BadFunctionCode", failure.functionErrorType(), () -> failure.errorType() + ": "
                    + failure.errorMessage());
            assertTrue(function.output().contains("java.lang.IllegalStateException: buildpush.codebuild.git-hosts:"
                    + " \"SVN\" (for git.acme.io) is not a CodeBuild source type of a Git host"), function.output());
        }
    }
}
