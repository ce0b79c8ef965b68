package dev.ecrpush.executor.codebuild;

import java.util.Set;
import java.util.regex.Pattern;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.ComputeType;

import dev.ecrpush.aws.Arn;
import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.aws.AwsFailures;
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
 * image, its environment and a buildspec that runs it ({@link Buildspec}). The infra chooses the project: the
 * docker plugins start on the privileged project, kaniko on the unprivileged one ({@link
 * CodeBuildSettings#projectFor}); a payload may name that project, and no other.
 */
@Singleton
public class CodeBuildExecutor implements BuildExecutor {
    static final ExecutorType KIND = ExecutorType.CODEBUILD;
    private static final Set<String> FIELDS = Set.of("type", "project", "computeType", "fleet");
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
        // The docker plugins (every infra but K8) need privileged mode: they have a project of their own.
        String project = settings.projectFor(infra != null && infra != Infra.K8);
        ComputeType computeType = null;
        CodeBuildSpec.Fleets fleets = CodeBuildSpec.Fleets.NONE;
        if (executor != null) {
            executor.allowOnly(FIELDS, Set.of());
            String given = executor.optionalText("project");
            if (given != null && !named(given, project, infra, problems)) {
                return null;
            }
            computeType = CodeBuildFleets.computeType(executor, problems);
            fleets = CodeBuildFleets.fleets(executor, settings, problems);
        }
        return new CodeBuildSpec(project, settings.isPrivileged(project), settings.region(), computeType, fleets);
    }

    /**
     * Whether the payload's {@code executor.project} names the project its infra builds on. It may name no other:
     * a project brings its own service role and privileged mode, which are the deployer's to choose, and the
     * unprivileged project must never be asked for privileged mode (nor a kaniko build run privileged).
     */
    private boolean named(String given, String project, Infra infra, Problems problems) {
        String shown = Rules.quoted(given);
        if (!isProject(given)) {
            problems.error("executor.project", shown + " is not a CodeBuild project name");
            return false;
        }
        if (infra == null || names(given, project)) {
            // An unknown infra is reported as such; its project is then beside the point.
            return true;
        }
        String other = settings.projectFor(infra == Infra.K8);
        String instead = "; leave executor.project out, or name " + project;
        if (infra == Infra.K8 && names(given, other)) {
            problems.error("executor.project", shown + " is the privileged project, for the docker plugins of infra VM and"
                    + " DLITE_VM only; infra K8 builds with kaniko on the unprivileged project " + project + instead);
        } else if (names(given, other)) {
            problems.error("executor.project", shown + " is the unprivileged project, for kaniko (infra K8) only; infra "
                    + infra + " runs docker-in-docker, which needs privileged mode, on " + project + instead);
        } else {
            problems.error("executor.project", shown + " is not a CodeBuild project of this deployment; infra " + infra
                    + " builds on " + project + instead);
        }
        return false;
    }

    /**
     * Whether a payload's project (a name or an ARN) is the configured one: the same name, and an ARN only in the
     * configured region. The request then names the configured project, never the payload's text.
     */
    private boolean names(String given, String configured) {
        if (given.equals(configured)) {
            return true;
        }
        Arn givenArn = Arn.parse(given);
        if (givenArn != null && (!givenArn.region().equals(settings.region()) || Arn.parse(configured) != null)) {
            return false;
        }
        return CodeBuildSettings.nameOf(given).equals(CodeBuildSettings.nameOf(configured));
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

    /** CodeBuild keeps no reason for a stop: the build ends STOPPED, and the function's log says why. */
    @Override
    public void stop(String buildId, String reason) {
        String foreign = foreignBuild(buildId);
        if (foreign != null) {
            throw new NotAllowedException("buildId: " + foreign);
        }
        try {
            codeBuild().stopBuild(r -> r.id(buildId));
        } catch (SdkException e) {
            throw AwsFailures.launch(e, "codebuild.StopBuild", "build " + buildId);
        }
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
