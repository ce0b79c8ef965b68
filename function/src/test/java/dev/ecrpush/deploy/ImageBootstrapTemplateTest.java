package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.images.PinnedImages;
import dev.ecrpush.support.Repo;

/**
 * The image bootstrap's pieces agree with each other: {@code infra/buildspec-images.yml} with its inline copy in
 * {@code template.yaml}, with {@code infra/images/kaniko-ecr/Dockerfile} and with the project's environment; the
 * variables it exports with the custom resource's attributes and the function's configuration; and the custom
 * resource's {@code Revision} with what it builds, so that a change to the build makes an update rebuild.
 *
 * <p>What this cannot show is the buildspec running: that takes a root filesystem with stand-ins for {@code docker}
 * and {@code aws} that record what they are asked and answer with digests.
 */
class ImageBootstrapTemplateTest {
    private static final Path BUILDSPEC = Repo.path("infra/buildspec-images.yml");
    private static final Path DOCKERFILE = Repo.path("infra/images/kaniko-ecr/Dockerfile");
    /** Variables CodeBuild sets in every build; the buildspec may read them without the project setting them. */
    private static final Set<String> CODEBUILD_VARIABLES = Set.of("AWS_REGION", "AWS_DEFAULT_REGION", "CODEBUILD_BUILD_ID",
            "CODEBUILD_SRC_DIR");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CfnTemplate sam;
    private static String buildspecFile;
    private static Map<String, Object> buildspec;
    private static Map<String, JsonNode> projectEnvironment;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        sam = CfnTemplate.load(CfnTemplate.SAM);
        buildspecFile = Files.readString(BUILDSPEC);
        buildspec = (Map<String, Object>) new Yaml().load(buildspecFile);
        projectEnvironment = new LinkedHashMap<>();
        sam.properties("ImageBootstrapProject").at("/Environment/EnvironmentVariables")
                .forEach(v -> projectEnvironment.put(v.path("Name").asText(), v.path("Value")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void buildspec_exportsTheFourPinnedImages_fromOneShell() {
        assertEquals("0.2", String.valueOf(buildspec.get("version")));
        Map<String, Object> env = (Map<String, Object>) buildspec.get("env");
        assertEquals("bash", env.get("shell"), "the commands set -o pipefail, which POSIX sh lacks");
        assertEquals(List.copyOf(PinnedImages.ATTRIBUTES_BY_VARIABLE.keySet()), env.get("exported-variables"));
        for (String command : commands()) {
            long lines = command.lines().filter(l -> !l.isBlank()).count();
            boolean writesTheDockerfile = command.startsWith("printf '%s\\n' \\\n");
            assertTrue(lines == 1 || writesTheDockerfile || command.startsWith("set -eu -o pipefail\n"),
                    "a command of several lines fails on its first failing line only with set -eu -o pipefail: " + command);
        }
    }

    @Test
    void inlineBuildspec_isTheFile() throws IOException {
        String file = buildspecFile.replaceAll("(?m)^#.*\\n", "");
        assertEquals(file, inlineBuildspec(Files.readString(CfnTemplate.SAM)));
    }

    @Test
    void buildspecsDockerfile_isTheInstructionsOfTheDockerfile() throws IOException {
        // given: the file, without its header (the why and the sources), and the lines the buildspec writes
        List<String> instructions = Files.readString(DOCKERFILE).lines()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        String writer = commands().stream().filter(c -> c.contains("> Dockerfile")).findFirst().orElseThrow();
        List<String> written = new ArrayList<>();
        Matcher quoted = Pattern.compile("'([^']*)'").matcher(writer.substring(writer.indexOf('\n') + 1));
        while (quoted.find()) {
            written.add(quoted.group(1));
        }
        // then
        assertEquals(instructions, written);
        assertTrue(writer.startsWith("printf '%s\\n' \\\n") && writer.strip().endsWith("> Dockerfile"), writer);
    }

    @Test
    void dockerfile_andTheProjectNameTheSameVersions() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        String pluginDefault = match(dockerfile, "(?m)^ARG KANIKO_ECR=(\\S+)$");
        String kanikoVersion = match(dockerfile, "(?m)^ENV KANIKO_VERSION=(\\S+)$");
        String kaniko = match(dockerfile, "(?m)^ARG KANIKO=(\\S+)$");
        assertEquals(pluginDefault, env("KANIKO_ECR_FROM"), "the plugin built by hand and by the bootstrap");
        String pluginTag = pluginDefault.substring(pluginDefault.lastIndexOf(':') + 1);
        assertEquals(pluginTag + "-kaniko" + kanikoVersion, env("KANIKO_ECR_TAG"), "the tag says what is inside");
        assertTrue(kaniko.matches("ghcr\\.io/osscontainertools/kaniko:v" + Pattern.quote(kanikoVersion)
                + "-debug@sha256:[0-9a-f]{64}"), "the kaniko debug image of KANIKO_VERSION, pinned: " + kaniko);
        // The name the function's own default for the kaniko-ecr image expects, with the default prefix.
        String repository = sam.properties("PluginImageRepository").at("/RepositoryName/Fn::Sub").asText()
                .replace("${ResourcePrefix}", sam.root().at("/Parameters/ResourcePrefix/Default").asText());
        assertEquals("ecr-build-push/kaniko-ecr:1.13.9-kaniko1.28.5", repository + ":" + env("KANIKO_ECR_TAG"));
    }

    @Test
    void buildspec_readsExactlyTheProjectsVariables() {
        // given: the variables the commands read, outside single quotes (Dockerfile and Go templates)
        Set<String> read = new TreeSet<>();
        Set<String> assigned = new TreeSet<>();
        for (String command : commands()) {
            String unquoted = command.replaceAll("'[^']*'", "''");
            Matcher reference = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)").matcher(unquoted);
            while (reference.find()) {
                read.add(reference.group(1));
            }
            Matcher assignment = Pattern.compile("(?m)^\\s*([A-Za-z_][A-Za-z0-9_]*)=").matcher(unquoted);
            while (assignment.find()) {
                assigned.add(assignment.group(1));
            }
        }
        read.removeAll(assigned);
        read.removeIf(name -> name.matches("[0-9]|[a-z_]+") || CODEBUILD_VARIABLES.contains(name));
        // then
        assertEquals(new TreeSet<>(projectEnvironment.keySet()), read);
    }

    @Test
    void revision_changesWithTheBuildspecAndTheImages() throws Exception {
        String expected = revision();
        JsonNode revision = sam.properties("PluginImages").path("Revision");
        assertTrue(revision.isTextual(), "quote it: YAML reads hex digits without a letter as a number: " + revision);
        assertEquals(expected, revision.asText(),
                "the build changed: set PluginImages' Revision in template.yaml to " + expected + ", so that an update rebuilds");
    }

    @Test
    void pluginImages_isAnsweredByTheBootstrapFunction_andChangesWithWhereImagesGoAndComeFrom_orOnRequest() {
        JsonNode images = sam.properties("PluginImages");
        assertEquals("Custom::PluginImages", sam.resource("PluginImages").path("Type").asText());
        assertEquals("ImageBootstrapFunction", images.at("/ServiceToken/Fn::GetAtt/0").asText());
        assertEquals("ImageBootstrapProject", images.at("/ProjectName/Ref").asText());
        assertTrue(images.path("ServiceTimeout").asInt() > sam.properties("ImageBootstrapFunction").path("Timeout").asInt(),
                "CloudFormation waits longer than the function can run, and less than an hour");
        assertEquals(images.path("Repository"), projectEnvironment.get("REPOSITORY_URI"));
        assertEquals("PluginImageRepository", images.at("/Repository/Fn::GetAtt/0").asText());
        assertEquals(images.path("RegistryPrefix"), projectEnvironment.get("REGISTRY_PREFIX"));
        // Docker Hub by default; the pull-through cache named through its rule, so the rule is there before the build.
        JsonNode prefix = images.path("RegistryPrefix").path("Fn::If");
        assertEquals("CreatePullThroughCache", prefix.path(0).asText());
        assertTrue(prefix.at("/1/Fn::Sub").asText().endsWith("/${DockerHubPullThroughCache}"), prefix.toString());
        assertEquals("docker.io", prefix.at("/2/Fn::If/2").asText());
        // and the operator's way to re-pin without changing anything else
        assertEquals("PluginImagesRebuild", images.at("/Rebuild/Ref").asText());
    }

    @Test
    void pluginImages_namesTheTagTheProjectBuilds_andTheProjectIsTheAmd64Build() {
        // The index goes under the tag the project names; each platform's build pushes that tag and its platform.
        assertEquals(env("KANIKO_ECR_TAG"), sam.properties("PluginImages").path("KanikoEcrTag").asText());
        // The function starts the project as it is for linux/amd64 and overrides only the arm64 build's environment.
        assertEquals("linux/amd64", env("IMAGE_PLATFORM"));
        assertEquals("LINUX_CONTAINER", sam.properties("ImageBootstrapProject").at("/Environment/Type").asText());
    }

    @Test
    void function_takesEveryPinnedImageFromPluginImages() {
        Map<String, String> keys = Map.of("KanikoEcrImage", "BUILDPUSH_PLUGINS_KANIKO_ECR_IMAGE",
                "EcrImage", "BUILDPUSH_PLUGINS_ECR_IMAGE", "BuildxEcrImage", "BUILDPUSH_PLUGINS_BUILDX_ECR_IMAGE",
                "SourceImage", "BUILDPUSH_ECS_SOURCE_IMAGE");
        assertEquals(Set.copyOf(PinnedImages.ATTRIBUTES_BY_VARIABLE.values()), keys.keySet());
        JsonNode environment = sam.properties("BuildPushFunction").path("Environment").path("Variables");
        keys.forEach((attribute, variable) -> assertEquals("[\"PluginImages\",\"" + attribute + "\"]",
                environment.path(variable).path("Fn::GetAtt").toString(), variable));
        // and the platforms the kaniko-ecr image's index lists, as the bootstrap built them
        assertEquals("[\"PluginImages\",\"KanikoEcrPlatforms\"]",
                environment.path("BUILDPUSH_PLUGINS_KANIKO_ECR_PLATFORMS").path("Fn::GetAtt").toString());
        assertEquals("PluginImagePlatforms", sam.properties("PluginImages").at("/Platforms/Ref").asText());
        assertEquals("linux/amd64,linux/arm64", sam.root().at("/Parameters/PluginImagePlatforms/Default").asText());
    }

    @Test
    void bootstrapFunction_isThePlainHandlerInTheSameZip_withoutSnapStart() throws Exception {
        JsonNode function = sam.properties("ImageBootstrapFunction");
        assertEquals("function/target/function.zip", function.path("CodeUri").asText());
        assertEquals("java21", function.path("Runtime").asText());
        assertEquals(900, function.path("Timeout").asInt());
        assertEquals(512, function.path("MemorySize").asInt());
        assertTrue(function.path("SnapStart").isMissingNode() && function.path("AutoPublishAlias").isMissingNode(), function.toString());
        String[] handler = function.path("Handler").asText().split("::");
        assertEquals("dev.ecrpush.images.ImageBootstrap", handler[0]);
        Class.forName(handler[0]).getMethod(handler[1], InputStream.class, OutputStream.class, Context.class);
        assertEquals("AWS::Logs::LogGroup", sam.resource(function.at("/LoggingConfig/LogGroup/Ref").asText()).path("Type").asText());
    }

    @Test
    void project_isPrivilegedOnACodeBuildImage_withItsOwnLogGroup_andEndsBeforeTheFunctionGivesUp() {
        JsonNode project = sam.properties("ImageBootstrapProject");
        assertTrue(project.at("/Environment/PrivilegedMode").asBoolean());
        assertEquals("aws/codebuild/amazonlinux-x86_64-standard:5.0", project.at("/Environment/Image").asText());
        assertEquals("NO_SOURCE", project.at("/Source/Type").asText());
        assertEquals("ImageBootstrapBuildRole", project.at("/ServiceRole/Fn::GetAtt/0").asText());
        JsonNode logGroup = sam.properties(project.at("/LogsConfig/CloudWatchLogs/GroupName/Ref").asText());
        assertEquals("LogRetentionDays", logGroup.at("/RetentionInDays/Ref").asText());
        assertTrue(project.path("TimeoutInMinutes").asInt() * 60 < sam.properties("ImageBootstrapFunction").path("Timeout").asInt());
    }

    @Test
    void repository_scansKeepsTenAndGoesWithTheStack() throws IOException {
        JsonNode repository = sam.resource("PluginImageRepository");
        assertEquals("Delete", repository.path("DeletionPolicy").asText());
        assertEquals("Delete", repository.path("UpdateReplacePolicy").asText());
        JsonNode properties = repository.path("Properties");
        assertEquals("${ResourcePrefix}/kaniko-ecr", properties.at("/RepositoryName/Fn::Sub").asText());
        assertTrue(properties.at("/ImageScanningConfiguration/ScanOnPush").asBoolean());
        assertTrue(properties.path("EmptyOnDelete").asBoolean(), "deleting a repository with images fails without it");
        JsonNode rule = JSON.readTree(properties.at("/LifecyclePolicy/LifecyclePolicyText").asText()).at("/rules/0");
        assertEquals("imageCountMoreThan", rule.at("/selection/countType").asText());
        assertEquals(10, rule.at("/selection/countNumber").asInt());
        assertEquals("expire", rule.at("/action/type").asText());
    }

    @Test
    void pinnedReference_isANameThenSha256AndSixtyFourHexDigits() {
        // The shape the buildspec's grep and the handler's check both hold the exported values to.
        String grep = commands().stream().filter(c -> c.contains("grep -E")).findFirst().orElseThrow();
        assertTrue(grep.contains("grep -E '@sha256:[0-9a-f]{64}$'"), grep);
        assertFalse(grep.contains("@sha256:[0-9a-fA-F]"), "digests are lower-case hex");
    }

    // ------------------------------------------------------------------------------------------------------------

    /** SHA-256 over the inline buildspec and the project's environment, first 16 hex digits. */
    static String revision() throws IOException, NoSuchAlgorithmException {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(inlineBuildspec(Files.readString(CfnTemplate.SAM)).getBytes(StandardCharsets.UTF_8));
        sha256.update((byte) '\n');
        sha256.update(sam.properties("ImageBootstrapProject").at("/Environment/EnvironmentVariables").toString()
                .getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha256.digest()).substring(0, 16);
    }

    @SuppressWarnings("unchecked")
    private static List<String> commands() {
        List<String> commands = new ArrayList<>();
        Map<String, Object> phases = (Map<String, Object>) buildspec.get("phases");
        for (Object phase : phases.values()) {
            commands.addAll((List<String>) ((Map<String, Object>) phase).get("commands"));
        }
        return commands;
    }

    private static String env(String name) {
        JsonNode value = projectEnvironment.get(name);
        assertTrue(value != null && value.isTextual(), name + " is not a plain value of the project: " + value);
        return value.asText();
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex);
        return m.group(1);
    }

    /** The literal block under the bootstrap project's {@code BuildSpec: |}, un-indented. */
    private static String inlineBuildspec(String template) {
        String from = template.substring(template.indexOf("\n  ImageBootstrapProject:\n"));
        Matcher block = Pattern.compile("BuildSpec: \\|\\n((?:(?: {10}[^\\n]*)?\\n)+)").matcher(from);
        assertTrue(block.find(), "ImageBootstrapProject has no inline BuildSpec");
        String text = block.group(1).replaceAll("(?m)^ {10}", "");
        return text.replaceAll("\\n+$", "\n");
    }
}
