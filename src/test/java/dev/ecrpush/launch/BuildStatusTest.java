package dev.ecrpush.launch;

import static dev.ecrpush.support.AwsFake.CODEBUILD;
import static dev.ecrpush.support.AwsFake.ECR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
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

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.model.BuildPhaseType;
import software.amazon.awssdk.services.codebuild.model.StatusType;

import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.result.SdkJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;

class BuildStatusTest {
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
    private final Plan k8 = Fixtures.plan(Fixtures.read(Path.of("events/plan-k8.json")));
    private final List<String> registriesAsked = new ArrayList<>();

    @BeforeEach
    void reset() {
        AWS.reset();
        registriesAsked.clear();
        AWS.reply(ECR + "DescribeImages", "{\"imageDetails\": [{\"imageDigest\": \"" + DIGEST + "\", \"imageTags\": [\"3b8e1f0\"]}]}");
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
        assertEquals(expected == Status.SUCCEEDED, AWS.operations().contains("DescribeImages"));
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
    void status_succeeded_readsTheFirstTagsDigestFromTheTargetRegistry() {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("SUCCEEDED", "COMPLETED"));
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertEquals(DIGEST, result.digest());
        assertEquals(List.of("123456789012/eu-west-1"), registriesAsked);
        assertEquals(List.of("BatchGetBuilds", "DescribeImages"), AWS.operations());
        assertEquals(BUILD_ID, AWS.bodies(CODEBUILD + "BatchGetBuilds").get(0).get("ids").get(0).asText());
        JsonNode describe = AWS.bodies(ECR + "DescribeImages").get(0);
        assertEquals("123456789012", describe.get("registryId").asText());
        assertEquals("acme/payments-api", describe.get("repositoryName").asText());
        assertEquals("3b8e1f0", describe.get("imageIds").get(0).get("imageTag").asText());
    }

    @Test
    void status_succeededButImageNotFound_hasNoDigest() {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("SUCCEEDED", "COMPLETED"));
        AWS.fail(ECR + "DescribeImages", 400, "ImageNotFoundException", "The image requested does not exist");
        // when
        BuildStatusResult result = buildStatus().status(BUILD_ID);
        // then
        assertEquals(Status.SUCCEEDED, result.status());
        assertNull(result.digest());
    }

    @Test
    void status_digestReadDenied_throwsRepositoryFailed() {
        // given
        AWS.reply(CODEBUILD + "BatchGetBuilds", builds("SUCCEEDED", "COMPLETED"));
        AWS.fail(ECR + "DescribeImages", 400, "AccessDeniedException", "not authorized to perform: ecr:DescribeImages");
        // when
        RepositoryFailedException e = assertThrows(RepositoryFailedException.class, () -> buildStatus().status(BUILD_ID));
        // then
        assertTrue(e.getMessage().startsWith("ecr.DescribeImages failed for acme/payments-api:3b8e1f0 in 123456789012/eu-west-1: "
                + "AccessDeniedException"), e.getMessage());
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
        assertEquals(new TreeSet<>(List.of("buildId", "status", "phase", "imageUris", "digest", "reason")), fields);
        assertEquals("IN_PROGRESS", json.get("status").asText());
        assertTrue(json.get("digest").isNull());
        assertFalse(json.get("imageUris").isEmpty());
    }

    private BuildStatus buildStatus() {
        return new BuildStatus(AWS.codeBuild(Region.EU_WEST_1), (account, region) -> {
            registriesAsked.add(account + "/" + region);
            return AWS.ecr(Region.of(region));
        });
    }

    /** A BatchGetBuilds answer for the plan's build, its environment as CodeBuild shows it once started. */
    private String builds(String status, String phase) {
        JsonNode request = SdkJson.toJson(((LaunchRequest.CodeBuild) k8.launch()).request());
        ObjectNode response = Fixtures.JSON.createObjectNode();
        ObjectNode build = response.putArray("builds").addObject();
        build.put("id", BUILD_ID).put("buildStatus", status).put("currentPhase", phase);
        ObjectNode environment = build.putObject("environment");
        environment.put("type", "LINUX_CONTAINER").put("image", k8.pluginImage());
        environment.set("environmentVariables", request.get("environmentVariablesOverride"));
        return response.toString();
    }
}
