package dev.ecrpush.abuse;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.runtime.Startup;
import io.quarkus.test.junit.QuarkusTest;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.flow.AwsStages;
import dev.ecrpush.registry.RepositoryDefaults;

import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.AwsFakeResource;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.FromEdge;
import dev.ecrpush.support.InjectFake;
import dev.ecrpush.support.KnownTargetScenario;

/**
 * The AWS side of "nobody gets in where they don't belong", through the application configured as the stack
 * configures it (an unprivileged kaniko project, a privileged docker project, the build roles by ARN), with the
 * real SDK clients against a fake of every AWS API, asserting the requests as AWS receives them:
 *
 * <ul>
 * <li>a payload cannot put the docker plugins on the unprivileged project (which would be asked for privileged
 * mode), kaniko on the privileged one, or a build on a project outside the deployment; each is refused naming
 * {@code executor.project} before any AWS call;</li>
 * <li>{@code privilegedModeOverride} is sent for the privileged project only;</li>
 * <li>a repository created in a target account lets in exactly the build roles, never the build account's
 * root (which would admit whoever that account's IAM lets push); an account given as the build principal stops
 * the function at init, naming the key.</li>
 * </ul>
 */
@QuarkusTest
@QuarkusTestResource(value = AwsSideAbuseTest.Stack.class, restrictToAnnotatedClass = true)
class AwsSideAbuseTest {
    static final String KANIKO_PROJECT = "ecr-build-push";
    static final String DOCKER_PROJECT = "ecr-build-push-docker";
    static final String KANIKO_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-us-east-1-codebuild-kaniko";
    static final String DOCKER_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-us-east-1-codebuild-docker";

    /** The configuration template.yaml gives the function, on top of the fake's endpoints. */
    public static class Stack extends AwsFakeResource {
        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            config.put("buildpush.codebuild.project", KANIKO_PROJECT);
            config.put("buildpush.codebuild.docker-project", DOCKER_PROJECT);
            config.put("buildpush.repository.build-principal", String.join(",", KANIKO_ROLE, DOCKER_ROLE, ECS_TASK_ROLE));
            return config;
        }
    }

    @InjectFake
    AwsFake aws;

    /** A run through a role of its own (credentials are cached per role), on {@code infra}, naming {@code project}. */
    private static ObjectNode run(String infra, String project, String image) {
        ObjectNode payload = KnownTargetScenario.payload("run", image, "abuse-" + image.replace('/', '-'));
        payload.put("infra", infra);
        if (project != null) {
            payload.putObject("executor").put("type", "CodeBuild").put("project", project);
        }
        return payload;
    }

    private JsonNode post(ObjectNode payload, int status) throws Exception {
        return Fixtures.JSON.readTree(FromEdge.given().body(payload.toString()).contentType("application/json")
                .post("/internal/events").then().statusCode(status).extract().asString());
    }

    private void refused(ObjectNode payload, String message) {
        KnownTargetScenario.stub(aws, true);
        FromEdge.given().body(payload.toString()).contentType("application/json").post("/internal/events").then().statusCode(400)
                .body("errorType", equalTo("InvalidStepException"))
                .body("errorMessage", startsWith("executor.project: " + message))
                .body("retryable", equalTo(false));
        assertEquals(List.of(), aws.calls(), "no AWS call for a refused payload");
    }

    @Test
    void vmOnTheUnprivilegedProject_isRefusedBeforeAnyAwsCall() {
        refused(run("VM", KANIKO_PROJECT, "abuse/vm"), "\"ecr-build-push\" is the unprivileged project");
    }

    @Test
    void dliteVmOnTheUnprivilegedProjectByArn_isRefusedBeforeAnyAwsCall() {
        refused(run("DLITE_VM", "arn:aws:codebuild:us-east-1:111111111111:project/" + KANIKO_PROJECT, "abuse/dlite"),
                "\"arn:aws:codebuild:us-east-1:111111111111:project/ecr-build-push\" is the unprivileged project");
    }

    @Test
    void k8OnThePrivilegedProject_isRefusedBeforeAnyAwsCall() {
        refused(run("K8", DOCKER_PROJECT, "abuse/k8"), "\"ecr-build-push-docker\" is the privileged project");
    }

    @Test
    void aProjectOutsideTheDeployment_isRefusedBeforeAnyAwsCall() {
        refused(run("VM", "someone-elses-privileged-project", "abuse/other"),
                "\"someone-elses-privileged-project\" is not a CodeBuild project of this deployment");
        refused(run("VM", "arn:aws:codebuild:us-east-1:222222222222:project/" + DOCKER_PROJECT + "-x", "abuse/other-account"),
                // Quoted input is cut at 64 characters in every message.
                "\"arn:aws:codebuild:us-east-1:222222222222:project/ecr-build-push-...(72 characters)\" is not a CodeBuild project");
    }

    @Test
    void vm_startsOnThePrivilegedProject_askingForPrivilegedMode() throws Exception {
        // given
        KnownTargetScenario.stub(aws, true);
        // when: without a project, and naming the right one by its ARN
        post(run("VM", null, "vm/app"), 200);
        post(run("VM", "arn:aws:codebuild:us-east-1:111111111111:project/" + DOCKER_PROJECT, "vm/arn"), 200);
        // then: both on the privileged project by its configured name, in privileged mode
        List<JsonNode> starts = aws.bodies(AwsFake.CODEBUILD + "StartBuild");
        assertEquals(2, starts.size());
        for (JsonNode start : starts) {
            assertEquals(DOCKER_PROJECT, start.get("projectName").asText(), start::toString);
            assertTrue(start.get("privilegedModeOverride").asBoolean(), start::toString);
        }
    }

    @Test
    void k8_startsOnTheUnprivilegedProject_withoutAnyPrivilegedModeOverride() throws Exception {
        // given
        KnownTargetScenario.stub(aws, true);
        // when: without a project, and naming its own
        post(run("K8", null, "k8/app"), 200);
        post(run("K8", KANIKO_PROJECT, "k8/named"), 200);
        // then: the unprivileged project keeps its own setting; no request asks it anything about privileged mode
        List<JsonNode> starts = aws.bodies(AwsFake.CODEBUILD + "StartBuild");
        assertEquals(2, starts.size());
        for (JsonNode start : starts) {
            assertEquals(KANIKO_PROJECT, start.get("projectName").asText(), start::toString);
            assertFalse(start.has("privilegedModeOverride"), start::toString);
        }
    }

    @Test
    void newRepositoryInATargetAccount_letsInExactlyTheBuildRoles_neverTheBuildAccountsRoot() throws Exception {
        // given: a repository that does not exist yet in the target account 123456789012
        KnownTargetScenario.stub(aws, false);
        aws.reply(AwsFake.ECR + "SetRepositoryPolicy", "{}");
        // when
        post(run("K8", null, "fresh/app"), 200);
        // then: the policy ECR receives names the three build roles and nothing else
        List<JsonNode> policies = aws.bodies(AwsFake.ECR + "SetRepositoryPolicy");
        assertEquals(1, policies.size(), aws.calls()::toString);
        assertEquals("123456789012", policies.get(0).get("registryId").asText());
        String text = policies.get(0).get("policyText").asText();
        JsonNode statements = Fixtures.JSON.readTree(text).get("Statement");
        assertEquals(1, statements.size(), text);
        List<String> principals = Fixtures.JSON.convertValue(statements.get(0).at("/Principal/AWS"),
                Fixtures.JSON.getTypeFactory().constructCollectionType(List.class, String.class));
        assertEquals(List.of(KANIKO_ROLE, DOCKER_ROLE, AwsFakeResource.ECS_TASK_ROLE), principals);
        assertFalse(text.contains(":root"), text);
        assertFalse(text.contains("*"), text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"111111111111", "arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:role/ecr-build-push-*"})
    void anAccountOrPatternAsBuildPrincipal_stopsTheFunctionAtInit_namingTheKey(String principal) {
        // given: the repository settings as the template used to set them (the build account's ID), or wider
        ServiceConfig config = mock(ServiceConfig.class);
        ServiceConfig.Repository repository = mock(ServiceConfig.Repository.class);
        when(config.repository()).thenReturn(repository);
        when(repository.tagMutability()).thenReturn(RepositoryDefaults.TagMutability.MUTABLE);
        when(repository.untaggedExpiryDays()).thenReturn(14);
        when(repository.cacheImagesKept()).thenReturn(100);
        when(repository.buildPrincipal()).thenReturn(Optional.of(List.of(KANIKO_ROLE, principal)));
        // when: the bean that holds them is made, which Quarkus does during init
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AwsStages(null, null, null, config));
        // then
        assertTrue(AwsStages.class.isAnnotationPresent(Startup.class), "made at init, before any payload is taken");
        assertTrue(e.getMessage().startsWith("buildpush.repository.build-principal "), e.getMessage());
        assertTrue(e.getMessage().contains(principal), e.getMessage());
    }
}
