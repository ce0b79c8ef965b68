package dev.ecrpush.executor.codebuild;

import static dev.ecrpush.support.AwsFake.CODEBUILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.model.BuildPhaseType;
import software.amazon.awssdk.services.codebuild.model.StatusType;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.result.SdkJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.support.Repo;

class CodeBuildStatusTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String BUILD_ID = "ecr-build-push:0b6c4c1e-7d2f-4a8e-9b1a-2f3c4d5e6f70";
    private static final String DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    /** CodeBuild status, current phase, and what a caller sees. */
    private static final List<Object[]> TABLE = List.of(
            new Object[] {"IN_PROGRESS", "SUBMITTED", Status.QUEUED},
            new Object[] {"IN_PROGRESS", "QUEUED", Status.QUEUED},
            new Object[] {"IN_PROGRESS", "PROVISIONING", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "DOWNLOAD_SOURCE", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "INSTALL", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "PRE_BUILD", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "BUILD", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "POST_BUILD", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "UPLOAD_ARTIFACTS", Status.IN_PROGRESS},
            new Object[] {"IN_PROGRESS", "FINALIZING", Status.IN_PROGRESS},
            new Object[] {"SUCCEEDED", "COMPLETED", Status.SUCCEEDED},
            new Object[] {"FAILED", "COMPLETED", Status.FAILED},
            new Object[] {"FAULT", "COMPLETED", Status.FAILED},
            new Object[] {"STOPPED", "COMPLETED", Status.STOPPED},
            new Object[] {"TIMED_OUT", "COMPLETED", Status.TIMED_OUT},
            new Object[] {"FAILED", "BUILD", Status.FAILED},
            new Object[] {"STOPPED", "QUEUED", Status.STOPPED});

    /** K8 in eu-west-1: tags {@code 3b8e1f0} and {@code main-latest} of acme/payments-api. */
    private final Plan k8 = Fixtures.plan(Fixtures.read(Repo.path("events/plan-k8.json")));

    @BeforeEach
    void reset() {
        AWS.reset();
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    static Stream<Arguments> table() {
        return TABLE.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0} in {1} is {2}")
    @MethodSource("table")
    void status_codeBuildStatusAndPhase_mapsToCallerStatus(String codeBuildStatus, String phase, Status expected) {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds(codeBuildStatus, phase));
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertEquals(expected, result.status());
        assertEquals(phase, result.phase());
        assertEquals(k8.imageUris(), result.imageUris());
        assertEquals(expected == Status.SUCCEEDED ? DIGEST : null, result.digest());
        assertEquals(List.of("BatchGetBuilds"), AWS.operations());
    }

    @Test
    void table_coversEveryCodeBuildStatusAndPhase() {
        // given
        Set<String> statuses = new TreeSet<>();
        Set<String> phases = new TreeSet<>();
        TABLE.forEach(row -> {
            statuses.add((String) row[0]);
            phases.add((String) row[1]);
        });
        // when
        Set<String> known = new TreeSet<>();
        StatusType.knownValues().forEach(s -> known.add(s.toString()));
        Set<String> knownPhases = new TreeSet<>();
        BuildPhaseType.knownValues().forEach(p -> knownPhases.add(p.toString()));
        // then
        assertEquals(known, statuses);
        assertEquals(knownPhases, phases);
    }

    @Test
    void status_succeeded_reportsTheDigestTheBuildExported_withoutAskingEcr() {
        // given: issue 10: a tag such as latest may name another build's image by the time anyone asks
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("SUCCEEDED", "COMPLETED"));
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertEquals(DIGEST, result.digest());
        assertEquals(List.of("BatchGetBuilds"), AWS.operations());
        assertEquals(BUILD_ID, AWS.bodies(CODEBUILD + "BatchGetBuilds").get(0).get("ids").get(0).asText());
    }

    @Test
    void status_succeededWithoutAnExportedDigest_hasNoDigest() {
        // given: a plugin that wrote no digest (e.g. PLUGIN_NO_PUSH through envVariables)
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("SUCCEEDED", "COMPLETED", null));
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertEquals(Status.SUCCEEDED, result.status());
        assertNull(result.digest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "sha256:", "sha256:4F53CDA18C2BAA0C0354BB5F9A3ECBE5ED12AB4D8E11BA873C2F11161202B945",
            "sha512:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945", "latest"})
    void status_exportedValueThatIsNoDigest_isNoDigest(String exported) {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("SUCCEEDED", "COMPLETED", exported));
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertNull(result.digest());
    }

    /** Issue 11: one judgement: a status request and a task completion name the same failed phase and reason. */
    @Test
    void status_failedBuild_namesTheFailedPhaseAndItsMessages() throws Exception {
        // given
        ObjectNode answer = (ObjectNode) Fixtures.JSON.readTree(builds("FAILED", "COMPLETED"));
        ((ObjectNode) answer.at("/builds/0")).set("phases", Fixtures.JSON.readTree("""
                [{"phaseType": "SUBMITTED", "phaseStatus": "SUCCEEDED"},
                 {"phaseType": "BUILD", "phaseStatus": "FAILED", "contexts": [
                   {"statusCode": "COMMAND_EXECUTION_ERROR", "message": "Error while executing command: /kaniko/kaniko-ecr"}]},
                 {"phaseType": "COMPLETED"}]"""));
        AWS.reply(CODEBUILD + "BatchGetBuilds", answer.toString());
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertEquals(Status.FAILED, result.status());
        assertEquals("BUILD", result.phase());
        assertEquals("COMMAND_EXECUTION_ERROR: Error while executing command: /kaniko/kaniko-ecr", result.reason());
        assertNull(result.digest());
    }

    @Test
    void status_unknownBuildId_throwsLaunchFailed() {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", "{\"builds\": [], \"buildsNotFound\": [\"" + BUILD_ID + "\"]}");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> buildStatus().status(BUILD_ID));
        // then
        assertEquals("codebuild build " + BUILD_ID + " was not found in eu-west-1", e.getMessage());
    }

    @Test
    void status_statusUnknownToThisSdk_throwsInternalError() {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("PAUSED", "BUILD"));
        // when
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> buildStatus().status(BUILD_ID));
        // then
        assertEquals("CodeBuild returned the unknown build status PAUSED", e.getMessage());
    }

    @Test
    void status_result_serializesExactlyTheStatusFields() throws Exception {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("IN_PROGRESS", "BUILD"));
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // when
        JsonNode json = Fixtures.JSON.readTree(Fixtures.JSON.writeValueAsString(result));
        // then
        Set<String> fields = new TreeSet<>();
        json.fieldNames().forEachRemaining(fields::add);
        assertEquals(new TreeSet<>(List.of("buildId", "status", "phase", "imageUris", "digest", "reason", "timings")), fields);
        assertEquals("IN_PROGRESS", json.get("status").asText());
        assertTrue(json.get("digest").isNull());
        assertFalse(json.get("imageUris").isEmpty());
    }

    private CodeBuildStatus buildStatus() {
        return new CodeBuildStatus(AWS.codeBuild(Region.EU_WEST_1), java.util.Set.of("ecr-build-push"));
    }

    /** A BatchGetBuilds answer: a succeeded build exported the digest it pushed. */
    private String builds(String status, String phase) {
        return builds(status, phase, status.equals("SUCCEEDED") ? DIGEST : null);
    }

    /** A BatchGetBuilds answer for the plan's build, its environment as CodeBuild shows it once started. */
    private String builds(String status, String phase, String exportedDigest) {
        JsonNode request = SdkJson.toJson(((CodeBuildLaunch) k8.launch()).request());
        ObjectNode response = Fixtures.JSON.createObjectNode();
        ObjectNode build = response.putArray("builds").addObject();
        build.put("id", BUILD_ID).put("buildStatus", status).put("currentPhase", phase);
        ObjectNode environment = build.putObject("environment");
        environment.put("type", "LINUX_CONTAINER").put("image", k8.pluginImage());
        environment.set("environmentVariables", request.get("environmentVariablesOverride"));
        if (exportedDigest != null) {
            build.putArray("exportedEnvironmentVariables").addObject().put("name", "BUILDPUSH_IMAGE_DIGEST").put("value", exportedDigest);
        }
        return response.toString();
    }
}
