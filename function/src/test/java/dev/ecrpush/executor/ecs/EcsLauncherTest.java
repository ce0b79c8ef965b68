package dev.ecrpush.executor.ecs;

import static dev.ecrpush.support.AwsFake.ECS;
import static dev.ecrpush.support.AwsFake.SSM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.error.ThrottledException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.result.SdkJson;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;
import dev.ecrpush.launch.LaunchResult;

/** Starting an ECS build with the real SDK against a fake ECS: the definition's reuse, the task, the refusals. */
class EcsLauncherTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:ci/aws";
    private static final String EXECUTION_ROLE = "arn:aws:iam::111111111111:role/ecr-build-push-execution";
    private static final String TASK_ARN = "arn:aws:ecs:eu-west-1:111111111111:task/ci-builds/0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    private static final EcsSettings ECS_CONFIG = Fixtures.ecsSettings("ecr-build-push", "alpine/git:2.45.2", EXECUTION_ROLE,
            "arn:aws:iam::111111111111:role/ecr-build-push-task", "/ecr-build-push/ecs", "eu-west-1", null, "x-access-token",
            Duration.ofHours(1));

    private TaskDefinitions.Known known;

    @BeforeEach
    void reset() {
        AWS.reset();
        known = new TaskDefinitions.Known();
        AWS.reply(SSM + "PutParameter", "{\"Version\": 1, \"Tier\": \"Standard\"}");
        AWS.fail(ECS + "DescribeTaskDefinition", 400, "ClientException", "Unable to describe task definition.");
        AWS.reply(ECS + "RunTask",
                "{\"tasks\": [{\"taskArn\": \"" + TASK_ARN + "\", \"lastStatus\": \"PROVISIONING\"}], \"failures\": []}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    private static ObjectNode payload() {
        ObjectNode payload = Fixtures.basePayload().put("mode", "run").put("idempotencyKey", "exec-42.build_app");
        ((ObjectNode) payload.at("/step/spec")).put("region", "eu-west-1");
        ((ObjectNode) payload.at("/connectors/aws/spec/credential/spec")).put("secretKeyRef", SECRET_ARN);
        payload.putObject("executor").put("type", "ECS").put("cluster", "ci-builds")
                .set("subnets", Fixtures.JSON.createArrayNode().add("subnet-0a1b2c3d"));
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/app.git").put("branch", "main");
        return payload;
    }

    private static Plan plan(JsonNode payload, EcsSettings ecs) {
        return Planner.plan(Fixtures.parse(payload), Fixtures.planConfig(CodeBuildSettings.defaults(), ecs));
    }

    private static Plan plan() {
        return plan(payload(), ECS_CONFIG);
    }

    private static String registered(Plan plan) {
        return "{\"taskDefinition\": {\"taskDefinitionArn\": \"arn:aws:ecs:eu-west-1:111111111111:task-definition/"
                + ((EcsLaunch) plan.launch()).taskDefinition().family() + ":1\", \"status\": \"ACTIVE\"}}";
    }

    /** DescribeTaskDefinition's answer: an active revision tagged with {@code hash}, of the plan's own content. */
    private static String described(Plan plan, String hash) {
        return described(plan, hash, content -> { });
    }

    /**
     * DescribeTaskDefinition's answer: an active revision tagged with {@code hash}, of the plan's content as ECS
     * describes it (with the members it adds and the values it fills in), changed by {@code change}.
     */
    private static String described(Plan plan, String hash, Consumer<ObjectNode> change) {
        ObjectNode definition = SdkJson.toJson(((EcsLaunch) plan.launch()).taskDefinition());
        definition.remove("tags");
        String family = definition.get("family").asText();
        definition.put("taskDefinitionArn", "arn:aws:ecs:eu-west-1:111111111111:task-definition/" + family + ":7")
                .put("revision", 7).put("status", "ACTIVE").put("enableFaultInjection", false)
                .put("registeredAt", 1.7e9).put("registeredBy", "arn:aws:sts::111111111111:assumed-role/x/y");
        definition.putArray("compatibilities").add("EC2").add("FARGATE");
        definition.putArray("requiresAttributes").addObject().put("name", "com.amazonaws.ecs.capability.logging-driver.awslogs");
        definition.putArray("placementConstraints");
        definition.get("volumes").forEach(volume -> ((ObjectNode) volume).putObject("host"));
        definition.get("containerDefinitions").forEach(container -> {
            ObjectNode c = (ObjectNode) container;
            c.put("cpu", 0).putArray("portMappings");
            c.get("mountPoints").forEach(mount -> ((ObjectNode) mount).put("readOnly", false));
            c.putArray("volumesFrom");
            c.putArray("systemControls");
            if (!c.has("environment")) {
                c.putArray("environment");
            }
        });
        change.accept(definition);
        ObjectNode answer = Fixtures.JSON.createObjectNode();
        answer.set("taskDefinition", definition);
        answer.putArray("tags").addObject().put("key", "ecr-build-push:content-sha256").put("value", hash);
        return answer.toString();
    }

    private static String contentHash(Plan plan) {
        return ((EcsLaunch) plan.launch()).taskDefinition().tags().get(0).value();
    }

    private EcsLauncher launcher() {
        var ecs = AWS.ecs(Region.EU_WEST_1);
        return new EcsLauncher(ecs, AWS.ssm(Region.EU_WEST_1), new TaskDefinitions(ecs, known));
    }

    @Test
    void launch_newContent_registersTheDefinitionThenRunsThePlansTaskOnThatRevision() {
        // given
        Plan plan = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        EcsLaunch expected = (EcsLaunch) plan.launch();
        // when
        LaunchResult result = launcher().launch(plan);
        // then: looked up, registered as planned, then run pinned to the new revision
        assertEquals(List.of("DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask"), AWS.operations());
        JsonNode describe = AWS.bodies(ECS + "DescribeTaskDefinition").get(0);
        assertEquals(expected.taskDefinition().family(), describe.get("taskDefinition").asText());
        assertEquals("TAGS", describe.at("/include/0").asText());
        assertEquals(SdkJson.toJson(expected.taskDefinition()), AWS.bodies(ECS + "RegisterTaskDefinition").get(0));

        ObjectNode wanted = SdkJson.toJson(expected.request());
        wanted.put("taskDefinition", "arn:aws:ecs:eu-west-1:111111111111:task-definition/" + expected.taskDefinition().family() + ":1");
        JsonNode runTask = AWS.bodies(ECS + "RunTask").get(0);
        assertEquals(wanted, runTask);
        assertEquals("exec-42.build_app", runTask.get("clientToken").asText());
        assertEquals("FARGATE", runTask.get("launchType").asText());

        assertEquals(new LaunchResult(TASK_ARN, TASK_ARN, "https://console.aws.amazon.com/ecs/v2/clusters/ci-builds/tasks/"
                + "0f1e2d3c4b5a69788796a5b4c3d2e1f0/logs?region=eu-west-1"), result);
    }

    @Test
    void launch_secretReferences_travelInTheDefinitionOnly() {
        // given
        Plan plan = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        // when
        launcher().launch(plan);
        // then
        JsonNode register = AWS.bodies(ECS + "RegisterTaskDefinition").get(0);
        assertEquals(SECRET_ARN, register.at("/containerDefinitions/1/secrets/0/valueFrom").asText());
        assertEquals(EXECUTION_ROLE, register.get("executionRoleArn").asText());
        String runTask = AWS.bodies(ECS + "RunTask").get(0).toString();
        assertFalse(runTask.contains("secretsmanager") || runTask.contains("SECRET_KEY"), runTask);
    }

    @Test
    void launch_activeRevisionWithTheSameContent_isReused_andNothingIsRegistered() {
        // given
        Plan plan = plan();
        AWS.reply(ECS + "DescribeTaskDefinition", described(plan, contentHash(plan)));
        // when
        launcher().launch(plan);
        // then
        assertEquals(List.of("DescribeTaskDefinition", "RunTask"), AWS.operations());
        assertTrue(AWS.bodies(ECS + "RunTask").get(0).get("taskDefinition").asText().endsWith(":7"));
    }

    /**
     * The content tag is anyone's to set who has {@code ecs:TagResource}: a revision of the family tagged with the
     * plan's hash whose containers are not the plan's is never run; a new revision is registered.
     */
    @ParameterizedTest
    @ValueSource(strings = {"image", "privileged", "environment", "secret", "taskRole", "extraContainer", "memory", "readOnlyMount"})
    void launch_revisionTaggedWithThePlansHashButOtherContent_isNotReused_andANewRevisionIsRegistered(String change) {
        // given: a revision registered by someone else under the family, then tagged with the plan's content hash
        Plan plan = plan();
        AWS.reply(ECS + "DescribeTaskDefinition", described(plan, contentHash(plan), definition -> {
            ObjectNode plugin = (ObjectNode) definition.at("/containerDefinitions/1");
            switch (change) {
                case "image" -> plugin.put("image", "attacker.example/kaniko:latest");
                case "privileged" -> plugin.put("privileged", true);
                case "environment" -> ((ArrayNode) plugin.get("environment")).addObject()
                        .put("name", "PLUGIN_REGISTRY").put("value", "attacker.example");
                case "secret" -> ((ObjectNode) plugin.at("/secrets/0")).put("valueFrom", "arn:aws:secretsmanager:eu-west-1:"
                        + "111111111111:secret:other");
                case "taskRole" -> definition.put("taskRoleArn", "arn:aws:iam::111111111111:role/admin");
                case "extraContainer" -> ((ArrayNode) definition.get("containerDefinitions"))
                        .addObject().put("name", "sidecar").put("image", "attacker.example/exfil").put("essential", false);
                case "readOnlyMount" -> ((ObjectNode) plugin.at("/mountPoints/0")).put("readOnly", true);
                default -> definition.put("memory", "30720");
            }
        }));
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        // when
        launcher().launch(plan);
        // then
        assertEquals(List.of("DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask"), AWS.operations());
        assertEquals(SdkJson.toJson(((EcsLaunch) plan.launch()).taskDefinition()), AWS.bodies(ECS + "RegisterTaskDefinition").get(0));
        assertTrue(AWS.bodies(ECS + "RunTask").get(0).get("taskDefinition").asText().endsWith(":1"));
    }

    @Test
    void launch_familyRevisionWithOtherContent_registersANewRevision() {
        // given: someone registered a revision under the family by hand
        Plan plan = plan();
        AWS.reply(ECS + "DescribeTaskDefinition", described(plan, "0".repeat(64)));
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        // when
        launcher().launch(plan);
        // then
        assertEquals(List.of("DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask"), AWS.operations());
        assertTrue(AWS.bodies(ECS + "RunTask").get(0).get("taskDefinition").asText().endsWith(":1"));
    }

    @Test
    void launch_warm_sameSecretSetAgain_runsWithoutLookingTheDefinitionUp() {
        // given: a first build registered the revision
        Plan first = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(first));
        launcher().launch(first);
        AWS.resetRequests();
        ObjectNode other = payload();
        ((ObjectNode) other.at("/step/spec")).putArray("tags").add("v2");
        // when: another build with the same secrets
        launcher().launch(plan(other, ECS_CONFIG));
        // then
        assertEquals(List.of("RunTask"), AWS.operations());
    }

    @Test
    void launch_runTaskRefused_forgetsTheCachedRevision() {
        // given: a known revision that has since been deregistered
        Plan plan = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        launcher().launch(plan);
        AWS.fail(ECS + "RunTask", 400, "ClientException", "TaskDefinition is inactive");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher().launch(plan));
        // then
        assertEquals("ecs.RunTask failed for cluster ci-builds in eu-west-1: ClientException: TaskDefinition is inactive", e.getMessage());
        AWS.resetRequests();
        assertThrows(LaunchFailedException.class, () -> launcher().launch(plan));
        assertEquals(List.of("DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask"), AWS.operations());
    }

    @Test
    void launch_placementFailures_areALaunchFailureWithEcsReasons() {
        // given
        Plan plan = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        AWS.reply(ECS + "RunTask", """
                {"tasks": [], "failures": [{"arn": "arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds",
                  "reason": "Capacity is unavailable at this time. Please try again later or in a different availability zone",
                  "detail": "subnet-0a1b2c3d"}]}
                """);
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher().launch(plan));
        // then
        assertEquals("ecs.RunTask could not place the task on cluster ci-builds in eu-west-1: Capacity is unavailable at this time."
                + " Please try again later or in a different availability zone (subnet-0a1b2c3d)"
                + " for arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds", e.getMessage());
        assertFalse(e.retryable());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ClusterNotFoundException", "InvalidParameterException", "PlatformUnknownException"})
    void launch_ecsRefusesTheTask_isALaunchFailureNamingTheCluster(String code) {
        // given
        Plan plan = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        AWS.fail(ECS + "RunTask", 400, code, "refused by ECS");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher().launch(plan));
        // then
        assertEquals("ecs.RunTask failed for cluster ci-builds in eu-west-1: " + code + ": refused by ECS", e.getMessage());
    }

    @Test
    void launch_registrationRefused_startsNoTask() {
        // given: the function may not pass the task role
        AWS.fail(ECS + "RegisterTaskDefinition", 400, "ClientException", "Role is not valid");
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher().launch(plan()));
        // then
        assertTrue(e.getMessage().startsWith("ecs.RegisterTaskDefinition failed for family ecr-build-push-"), e.getMessage());
        assertFalse(AWS.operations().contains("RunTask"));
    }

    @Test
    void launch_ecsStillFailing_isRetryableThrottled() {
        // given
        Plan plan = plan();
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        AWS.fail(ECS + "RunTask", 500, "ServerException", "internal error");
        // when
        ThrottledException e = assertThrows(ThrottledException.class, () -> launcher().launch(plan));
        // then: the SDK retried before giving up
        assertTrue(e.retryable());
        long attempts = AWS.operations().stream().filter("RunTask"::equals).count();
        assertTrue(attempts > 1, attempts + " attempt(s)");
    }

    @Test
    void launch_withoutAnExecutionRole_failsBeforeAnyCall() {
        // given
        EcsSettings noRole = Fixtures.ecsSettings("ecr-build-push", "alpine/git:2.45.2", null, null, "/ecr-build-push/ecs",
                "eu-west-1", null, "x-access-token", Duration.ofHours(1));
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher().launch(plan(payload(), noRole)));
        // then
        assertTrue(e.getMessage().contains("buildpush.ecs.execution-role-arn"), e.getMessage());
        assertEquals(List.of(), AWS.operations());
    }

    @Test
    void launch_oidcToken_isStashedInTheTaskRegionFirst_andNoEcsRequestCarriesIt() {
        // given
        ObjectNode payload = payload().put("oidcToken", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmFjbWUvYXBwIn0.c2lnbmF0dXJl");
        ((ObjectNode) payload.at("/connectors/aws/spec")).putObject("credential").put("type", "OidcAuthentication")
                .putObject("spec").put("iamRoleArn", "arn:aws:iam::123456789012:role/push");
        Plan plan = plan(payload, ECS_CONFIG);
        AWS.reply(ECS + "RegisterTaskDefinition", registered(plan));
        // when
        launcher().launch(plan);
        // then
        assertEquals(List.of("PutParameter", "DescribeTaskDefinition", "RegisterTaskDefinition", "RunTask"), AWS.operations());
        JsonNode put = AWS.bodies(SSM + "PutParameter").get(0);
        JsonNode register = AWS.bodies(ECS + "RegisterTaskDefinition").get(0);
        assertEquals(put.get("Name").asText(), register.at("/containerDefinitions/1/secrets/0/valueFrom").asText());
        assertEquals("PLUGIN_OIDC_TOKEN_ID", register.at("/containerDefinitions/1/secrets/0/name").asText());
        for (var request : AWS.requests()) {
            boolean isPut = (SSM + "PutParameter").equals(request.operation());
            assertTrue(isPut || !request.body().contains("c2lnbmF0dXJl"), request.operation());
        }
    }

    @Test
    void check_activeCluster_saysWhetherARunWouldRegister_readOnly() {
        // given
        AWS.reply(ECS + "DescribeClusters", """
                {"clusters": [{"clusterArn": "arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds", "clusterName": "ci-builds",
                  "status": "ACTIVE"}], "failures": []}
                """);
        Plan plan = plan();
        // when
        EcsCheck check = launcher().check(plan);
        // then
        assertEquals(List.of("DescribeClusters", "DescribeTaskDefinition"), AWS.operations());
        assertEquals("ci-builds", AWS.bodies(ECS + "DescribeClusters").get(0).at("/clusters/0").asText());
        assertEquals(new EcsCheck("arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds", "ACTIVE",
                ((EcsLaunch) plan.launch()).taskDefinition().family(), null), check);

        AWS.reply(ECS + "DescribeTaskDefinition", described(plan, contentHash(plan)));
        assertTrue(launcher().check(plan).taskDefinitionArn().endsWith(":7"));
    }

    @Test
    void check_missingCluster_isALaunchFailure() {
        // given
        AWS.reply(ECS + "DescribeClusters", """
                {"clusters": [], "failures": [{"arn": "arn:aws:ecs:eu-west-1:111111111111:cluster/ci-builds", "reason": "MISSING"}]}
                """);
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> launcher().check(plan()));
        // then
        assertEquals("ecs cluster ci-builds in eu-west-1 is not there; create it or name another with executor.cluster", e.getMessage());
        assertNull(AWS.bodies(ECS + "DescribeTaskDefinition").stream().findFirst().orElse(null));
    }
}
