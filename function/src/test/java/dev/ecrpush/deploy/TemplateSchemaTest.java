package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.support.Repo;

/**
 * {@code template.yaml} against the published AWS SAM schema (a copy in the test resources), every reference in
 * the templates against what they declare, and what the schema cannot check (plain CloudFormation resources,
 * pass-through properties) by hand.
 */
class TemplateSchemaTest {
    private static final Path SCHEMA = Path.of("src/test/resources/schemas/sam-template.schema.json");
    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
            "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");

    private static JsonSchema schema;
    private static CfnTemplate sam;

    @BeforeAll
    static void load() throws IOException {
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(new ObjectMapper().readTree(SCHEMA.toFile()));
        sam = CfnTemplate.load(CfnTemplate.SAM);
    }

    @Test
    void template_validatesAgainstTheSamSchema() {
        Set<ValidationMessage> errors = schema.validate(sam.root());
        assertTrue(errors.isEmpty(), "template.yaml does not validate against the SAM schema: " + errors);
    }

    @Test
    void schema_rejectsAnUnknownFunctionProperty() {
        // A control: the validator is really applying the SAM property models.
        ObjectNode broken = sam.root().deepCopy();
        ((ObjectNode) broken.at("/Resources/BuildPushFunction/Properties")).put("SnapStartt", "PublishedVersions");
        Set<ValidationMessage> errors = schema.validate(broken);
        assertFalse(errors.isEmpty(), "a misspelt function property went through");
    }

    static Stream<Path> cloudFormationFiles() throws IOException {
        try (Stream<Path> infra = Files.list(Repo.path("infra"))) {
            List<Path> files = new ArrayList<>(List.of(CfnTemplate.SAM));
            infra.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().startsWith("buildspec"))
                    .sorted().forEach(files::add);
            return files.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cloudFormationFiles")
    void everyReference_namesSomethingTheTemplateDeclares(Path file) {
        // given
        CfnTemplate template = CfnTemplate.load(file);
        Set<String> parameters = names(template.root().path("Parameters"));
        Set<String> resources = names(template.root().path("Resources"));
        Set<String> conditions = names(template.root().path("Conditions"));
        assertFalse(resources.isEmpty(), file + " has no resources");
        List<String> unknown = new ArrayList<>();
        // when
        walk(template.root(), node -> {
            String ref = node.path("Ref").asText(null);
            if (node.size() == 1 && ref != null && !isDeclared(ref, parameters, resources)) {
                unknown.add("Ref " + ref);
            }
            JsonNode getAtt = node.path("Fn::GetAtt");
            if (getAtt.isArray() && !resources.contains(getAtt.path(0).asText())) {
                unknown.add("GetAtt " + getAtt);
            }
            JsonNode sub = node.path("Fn::Sub");
            if (!sub.isMissingNode()) {
                String text = sub.isArray() ? sub.path(0).asText() : sub.asText();
                Set<String> variables = sub.isArray() ? names(sub.path(1)) : Set.of();
                Matcher m = Pattern.compile("\\$\\{([^!}][^}]*)}").matcher(text);
                while (m.find()) {
                    String name = m.group(1);
                    String base = name.contains(".") && !name.startsWith("AWS::") ? name.substring(0, name.indexOf('.')) : name;
                    if (!variables.contains(name) && !isDeclared(base, parameters, resources)) {
                        unknown.add("Sub ${" + name + "}");
                    }
                }
            }
            JsonNode conditional = node.path("Fn::If");
            if (conditional.isArray() && !conditions.contains(conditional.path(0).asText())) {
                unknown.add("If " + conditional.path(0).asText());
            }
        });
        template.root().path("Resources").forEach(r -> {
            if (r.has("Condition") && !conditions.contains(r.path("Condition").asText())) {
                unknown.add("Condition " + r.path("Condition").asText());
            }
        });
        // then
        assertEquals(List.of(), unknown, file + " refers to names it does not declare");
    }

    @Test
    void function_isTheZipWithItsEdgeHandler_onJava21_withSnapStartOnTheAlias() throws Exception {
        JsonNode function = sam.properties("BuildPushFunction");
        assertEquals("function/target/function.zip", function.path("CodeUri").asText());
        assertEquals("java21", function.path("Runtime").asText());
        assertEquals("PublishedVersions", function.at("/SnapStart/ApplyOn").asText());
        assertFalse(function.path("AutoPublishAlias").asText().isBlank(), "SnapStart applies to published versions only");
        String[] handler = function.path("Handler").asText().split("::");
        Class.forName(handler[0]).getMethod(handler[1], InputStream.class, OutputStream.class, Context.class);
        assertTrue(function.path("MemorySize").isInt() && function.path("Timeout").isInt(), "numeric memory and timeout");
    }

    /** One route per registered Git host: a host added without its route would never be reached once deployed. */
    @Test
    void httpApi_hasTheWebhookRoutesOnly() {
        Set<String> routes = new TreeSet<>();
        sam.properties("BuildPushFunction").path("Events").forEach(event -> {
            if (event.path("Type").asText().equals("HttpApi")) {
                JsonNode p = event.path("Properties");
                assertEquals("WebhookApi", p.at("/ApiId/Ref").asText(), "every route on the webhook API: " + p);
                routes.add(p.path("Method").asText() + " " + p.path("Path").asText());
            }
        });
        assertEquals(new GitHostRegistry().names().stream().map(name -> "POST /webhooks/" + name).collect(Collectors.toSet()), routes);
        assertEquals(List.of("WebhookApi"), sam.resourcesOfType("AWS::Serverless::HttpApi"));
    }

    @Test
    void stateChangeRules_sendCodeBuildAndEcsEndsOfThisStacksBuilds() {
        Map<String, String> expected = Map.of("aws.codebuild", "CodeBuild Build State Change", "aws.ecs", "ECS Task State Change");
        Set<String> seen = new TreeSet<>();
        sam.properties("BuildPushFunction").path("Events").forEach(event -> {
            JsonNode pattern = event.at("/Properties/Pattern");
            String source = pattern.at("/source/0").asText();
            if (event.path("Type").asText().equals("EventBridgeRule") && !SCAN_SOURCES.containsKey(source)) {
                assertEquals(expected.get(source), pattern.at("/detail-type/0").asText(), pattern.toString());
                assertEquals(1, pattern.path("detail").size(), "filtered to this stack's projects or cluster: " + pattern);
                seen.add(source);
            }
        });
        assertEquals(expected.keySet(), seen);
    }

    /** The scan events a scan gate hears of (docs/scan-gate.md): basic scanning's, and Inspector's. */
    private static final Map<String, String> SCAN_SOURCES = Map.of("aws.ecr", "ECR Image Scan", "aws.inspector2",
            "Inspector2 Scan");

    @Test
    void scanRules_sendBasicAndEnhancedScanEnds_andASweepAsksAgain() {
        Map<String, String> seen = new TreeMap<>();
        List<String> sweeps = new ArrayList<>();
        sam.properties("BuildPushFunction").path("Events").forEach(event -> {
            JsonNode pattern = event.at("/Properties/Pattern");
            String source = pattern.at("/source/0").asText();
            if (event.path("Type").asText().equals("EventBridgeRule") && SCAN_SOURCES.containsKey(source)) {
                assertEquals(1, pattern.path("detail-type").size(), pattern.toString());
                seen.put(source, pattern.at("/detail-type/0").asText());
            }
            if (event.path("Type").asText().equals("Schedule")) {
                sweeps.add(event.at("/Properties/Input").asText());
            }
        });
        assertEquals(new TreeMap<>(SCAN_SOURCES), seen);
        assertEquals(List.of("{\"scanGateSweep\": {}}"), sweeps);
    }

    @Test
    void codeBuildProjects_kanikoUnprivileged_dockerAndImageBootstrapPrivileged_eachWithRoleAndLogGroup() {
        List<String> projects = List.of("KanikoProject", "DockerProject", "ImageBootstrapProject");
        assertEquals(Set.copyOf(projects), Set.copyOf(sam.resourcesOfType("AWS::CodeBuild::Project")));
        for (String project : projects) {
            JsonNode p = sam.properties(project);
            assertEquals(!project.equals("KanikoProject"), p.at("/Environment/PrivilegedMode").asBoolean(), project);
            assertEquals("AWS::IAM::Role", sam.resource(p.at("/ServiceRole/Fn::GetAtt/0").asText()).path("Type").asText());
            assertEquals("AWS::Logs::LogGroup", sam.resource(p.at("/LogsConfig/CloudWatchLogs/GroupName/Ref").asText())
                    .path("Type").asText());
        }
        JsonNode env = sam.properties("BuildPushFunction").at("/Environment/Variables");
        assertEquals("KanikoProject", env.at("/BUILDPUSH_CODEBUILD_PROJECT/Ref").asText());
        assertEquals("DockerProject", env.at("/BUILDPUSH_CODEBUILD_DOCKER_PROJECT/Ref").asText());
    }

    @Test
    void idempotencyTable_hasTheSharedKeyAndTtlNames() {
        JsonNode table = sam.properties("IdempotencyTable");
        assertEquals("idempotencyKey", table.at("/KeySchema/0/AttributeName").asText());
        assertEquals("HASH", table.at("/KeySchema/0/KeyType").asText());
        assertEquals("S", table.at("/AttributeDefinitions/0/AttributeType").asText());
        assertEquals("expiresAt", table.at("/TimeToLiveSpecification/AttributeName").asText());
        assertTrue(table.at("/TimeToLiveSpecification/Enabled").asBoolean());
    }

    @Test
    void ecs_clusterAndBothTaskRoles_andTheRebuildScheduleTargetsTheAlias() {
        assertEquals(List.of("EcsCluster"), sam.resourcesOfType("AWS::ECS::Cluster"));
        for (String role : List.of("EcsTaskRole", "EcsTaskExecutionRole")) {
            assertEquals("ecs-tasks.amazonaws.com",
                    sam.properties(role).at("/AssumeRolePolicyDocument/Statement/0/Principal/Service").asText());
        }
        JsonNode schedule = sam.properties("RebuildSchedule");
        assertEquals("BuildPushFunction.Alias", schedule.at("/Target/Arn/Ref").asText());
        String input = schedule.at("/Target/Input/Fn::Sub").asText()
                .replace("${AWS::AccountId}", "111111111111").replace("${AWS::Region}", "eu-west-1");
        assertEquals("Scheduled Event", parse(input).path("detail-type").asText());
    }

    @Test
    void outputs_includeTheWebhookUrlAndTheFunctionArn() {
        JsonNode outputs = sam.root().path("Outputs");
        assertTrue(outputs.at("/WebhookUrl/Value/Fn::Sub").asText().contains("${WebhookApi}"), outputs.toString());
        assertEquals("BuildPushFunction.Alias", outputs.at("/FunctionArn/Value/Ref").asText());
    }

    private static JsonNode parse(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static boolean isDeclared(String name, Set<String> parameters, Set<String> resources) {
        // SAM's AutoPublishAlias adds FUNCTION.Alias and FUNCTION.Version.
        String base = name.endsWith(".Alias") || name.endsWith(".Version") ? name.substring(0, name.lastIndexOf('.')) : name;
        return PSEUDO_PARAMETERS.contains(name) || parameters.contains(base) || resources.contains(base);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new LinkedHashSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void walk(JsonNode node, java.util.function.Consumer<JsonNode> visitor) {
        if (node.isObject()) {
            visitor.accept(node);
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                walk(it.next(), visitor);
            }
        } else if (node.isArray()) {
            node.forEach(child -> walk(child, visitor));
        }
    }
}
