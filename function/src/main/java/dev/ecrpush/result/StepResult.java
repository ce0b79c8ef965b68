package dev.ecrpush.result;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.plan.LaunchRequest;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.step.Warning;

/**
 * The answer to a step payload (SPEC §5). Fields that do not apply to the status are left out. No field
 * ever holds a secret value: secret variables appear as their references, the OIDC token as a mask.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StepResult(
        String status,
        String mode,
        String executor,
        String buildId,
        String buildArn,
        String logsUrl,
        String registry,
        String repository,
        List<String> imageUris,
        String pluginImage,
        Boolean repositoryCreated,
        Boolean duplicate,
        List<String> warnings,
        Preflight checks,
        PlanView plan) {

    public static final String PLANNED = "PLANNED";
    public static final String PREFLIGHT_OK = "PREFLIGHT_OK";
    public static final String STARTED = "STARTED";

    /** What preflight found: each repository and whether it exists, and the project or ECS cluster builds start on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Preflight(List<dev.ecrpush.registry.RepositoryCheck> repositories, dev.ecrpush.launch.ProjectCheck project,
            dev.ecrpush.launch.EcsCheck ecs) {
    }

    /** What the plan shows of itself. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlanView(
            Map<String, String> env,
            Map<String, String> secretEnv,
            List<Plan.RepositoryPlan> repositories,
            ObjectNode credentials,
            JsonNode startBuild,
            JsonNode registerTaskDefinition,
            JsonNode runTask) {
    }

    public static StepResult planned(Plan plan) {
        return of(PLANNED, plan, null, null, null, view(plan));
    }

    public static StepResult preflightOk(Plan plan, List<dev.ecrpush.registry.RepositoryCheck> repositories,
            dev.ecrpush.launch.ProjectCheck project) {
        return of(PREFLIGHT_OK, plan, null, null, new Preflight(repositories, project, null), view(plan));
    }

    public static StepResult preflightOk(Plan plan, List<dev.ecrpush.registry.RepositoryCheck> repositories,
            dev.ecrpush.launch.EcsCheck ecs) {
        return of(PREFLIGHT_OK, plan, null, null, new Preflight(repositories, null, ecs), view(plan));
    }

    public static StepResult started(Plan plan, dev.ecrpush.launch.LaunchResult launch, boolean repositoryCreated) {
        return of(STARTED, plan, launch, repositoryCreated, null, view(plan));
    }

    private static StepResult of(String status, Plan plan, dev.ecrpush.launch.LaunchResult launch,
            Boolean repositoryCreated, Preflight checks, PlanView view) {
        return new StepResult(status, plan.payload().mode().wire(), plan.payload().executor().kind(),
                launch == null ? null : launch.buildId(), launch == null ? null : launch.buildArn(),
                launch == null ? null : launch.logsUrl(), plan.registry(), plan.repository(), plan.imageUris(),
                plan.pluginImage(), repositoryCreated, null, plan.warnings().stream().map(Warning::toString).toList(),
                checks, view);
    }

    public static PlanView view(Plan plan) {
        JsonNode startBuild = null;
        JsonNode taskDefinition = null;
        JsonNode runTask = null;
        if (plan.launch() instanceof LaunchRequest.CodeBuild codeBuild) {
            startBuild = SdkJson.toJson(codeBuild.request());
        } else if (plan.launch() instanceof LaunchRequest.Ecs ecs) {
            taskDefinition = SdkJson.toJson(ecs.taskDefinition());
            runTask = SdkJson.toJson(ecs.request());
        }
        return new PlanView(plan.env().plain(), plan.env().secretDisplay(), plan.repositories(),
                credentials(plan.credentials()), startBuild, taskDefinition, runTask);
    }

    private static ObjectNode credentials(CredentialsPlan credentials) {
        ObjectNode node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        if (credentials.base() instanceof CredentialsPlan.Base.StaticKeys keys) {
            node.put("base", "AccessKeys");
            node.put("secretKeyRef", keys.secretKey().value());
            if (keys.sessionToken() != null) {
                node.put("sessionTokenRef", keys.sessionToken().value());
            }
        } else if (credentials.base() instanceof CredentialsPlan.Base.WebIdentity web) {
            node.put("base", "WebIdentity");
            node.put("roleArn", web.roleArn());
            node.put("roleSessionName", web.sessionName());
        } else {
            node.put("base", "FunctionRole");
        }
        if (credentials.assumeRole() != null) {
            ObjectNode assume = node.putObject("assumeRole");
            assume.put("roleArn", credentials.assumeRole().roleArn());
            if (credentials.assumeRole().externalId() != null) {
                assume.put("externalId", credentials.assumeRole().externalId());
            }
            assume.put("roleSessionName", credentials.assumeRole().sessionName());
        }
        return node;
    }
}
