package dev.ecrpush.executor.codebuild;

import java.util.Set;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;

import dev.ecrpush.aws.Arn;
import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.error.NotAllowedException;
import dev.ecrpush.executor.BuildExecutor;
import dev.ecrpush.executor.ExecutorType;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.ExecutorCheck;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.plan.LaunchInput;
import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.step.ExecutorSpec;
import dev.ecrpush.step.Fields;
import dev.ecrpush.step.Infra;
import dev.ecrpush.step.Problems;
import dev.ecrpush.step.Rules;

/**
 * Builds on AWS CodeBuild, in the function's own account: one {@code StartBuild} of a project, with the plugin
 * image, its environment and a buildspec that runs it ({@link Buildspec}). The payload may name the project;
 * by default the docker plugins start on a privileged project of their own and kaniko on an unprivileged one.
 */
@Singleton
public class CodeBuildExecutor implements BuildExecutor {
    static final ExecutorType KIND = ExecutorType.CODEBUILD;
    private static final Set<String> FIELDS = Set.of("type", "project");
    /** A project's name, as a payload names it or as it ends its ARN. */
    private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{1,254}");
    /** What {@code StartBuild} returns as the build's ID. */
    private static final Pattern BUILD_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{1,254}:[0-9a-f-]{36}");
    private static final String BUILD_ARN_MARKER = ":build/";

    private final CodeBuildSettings settings;
    private final AwsClients clients;

    @Inject
    public CodeBuildExecutor(ServiceConfig config, GitHostRegistry hosts, AwsClients clients) {
        this(CodeBuildSettings.from(config.codebuild(), hosts), clients);
    }

    /** @param clients the function's clients; unused by the pure parts (parsing and planning) */
    public CodeBuildExecutor(CodeBuildSettings settings, AwsClients clients) {
        this.settings = settings;
        this.clients = clients;
    }

    @Override
    public ExecutorType kind() {
        return KIND;
    }

    @Override
    public ExecutorSpec parse(Fields executor, Infra infra, Problems problems) {
        // The docker plugins (every infra but K8) need privileged mode: they may have a project of their own.
        String project = settings.defaultProject(infra != null && infra != Infra.K8);
        if (executor != null) {
            executor.allowOnly(FIELDS, Set.of());
            String given = executor.optionalText("project");
            project = given != null ? given : project;
        }
        if (project == null) {
            problems.error("executor.project", "is required: no default CodeBuild project is configured");
            return null;
        }
        if (!isProject(project)) {
            problems.error("executor.project", Rules.quoted(project) + " is not a CodeBuild project name");
            return null;
        }
        if (!settings.isFunctionProject(project)) {
            // The function reads back and completes builds of its own projects only (a state change of any other is
            // ignored), and the stack's role starts builds on those only: a build elsewhere would be orphaned.
            problems.error("executor.project", Rules.quoted(project) + " is not one of the function's CodeBuild projects ("
                    + String.join(", ", settings.projectNames()) + "; buildpush.codebuild.project and docker-project)");
            return null;
        }
        return new CodeBuildSpec(project);
    }

    /** A project name, or a project's ARN ({@code arn:PARTITION:codebuild:REGION:ACCOUNT:project/NAME}). */
    private static boolean isProject(String text) {
        if (PROJECT.matcher(text).matches()) {
            return true;
        }
        Arn arn = Arn.parse(text);
        return arn != null && arn.service().equals("codebuild") && !arn.region().isEmpty()
                && arn.resource().startsWith("project/") && PROJECT.matcher(arn.resource().substring("project/".length())).matches();
    }

    @Override
    public LaunchRequest plan(ExecutorSpec executor, LaunchInput input) {
        return new CodeBuildLaunch(CodeBuildRequests.startBuild((CodeBuildSpec) executor, input, settings.sourceTypesByHost()));
    }

    @Override
    public LaunchResult launch(Plan plan) {
        return launcher().launch(plan);
    }

    @Override
    public ExecutorCheck preflight(Plan plan) {
        return launcher().check(((CodeBuildLaunch) plan.launch()).request().projectName());
    }

    @Override
    public boolean owns(String buildId) {
        return buildId != null && BUILD_ID.matcher(buildId).matches();
    }

    @Override
    public String buildIdForm() {
        return "PROJECT:BUILD-UUID";
    }

    /** A build of a project that is not the function's, by the project its ID starts with. */
    @Override
    public String foreignBuild(String buildId) {
        String project = buildId.substring(0, buildId.indexOf(':'));
        return settings.projectNames().contains(project) ? null
                : "build " + Rules.shown(buildId) + " is of CodeBuild project " + Rules.shown(project)
                        + ", not of the function's (" + String.join(", ", settings.projectNames()) + ")";
    }

    @Override
    public BuildStatusResult status(String buildId) {
        String foreign = foreignBuild(buildId);
        if (foreign != null) {
            throw new NotAllowedException("buildId: " + foreign);
        }
        return new CodeBuildStatus(codeBuild(), settings.projectNames()).status(buildId);
    }

    @Override
    public boolean readsEvent(String source, String detailType) {
        return source.equals("aws.codebuild") && detailType.equals("CodeBuild Build State Change");
    }

    /** The event names the build by its ARN, {@code arn:aws:codebuild:REGION:ACCOUNT:build/PROJECT:UUID}. */
    @Override
    public String buildIdOf(JsonNode event) {
        String arn = event.path("detail").path("build-id").asText("");
        int at = arn.indexOf(BUILD_ARN_MARKER);
        String buildId = at < 0 ? "" : arn.substring(at + BUILD_ARN_MARKER.length());
        if (!owns(buildId)) {
            throw new InvalidStepException("detail.build-id: a CodeBuild state change must name the build's ARN");
        }
        return buildId;
    }

    private CodeBuildLauncher launcher() {
        Region region = Region.of(settings.region());
        return new CodeBuildLauncher(codeBuild(), clients.ssm(region, clients.functionCredentials()));
    }

    private CodeBuildClient codeBuild() {
        return clients.codeBuild(Region.of(settings.region()), clients.functionCredentials());
    }
}
