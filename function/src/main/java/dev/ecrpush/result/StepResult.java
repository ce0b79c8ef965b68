package dev.ecrpush.result;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.launch.ExecutorCheck;
import dev.ecrpush.launch.LaunchResult;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.registry.RepositoryCheck;
import dev.ecrpush.step.Warning;

/**
 * The answer to a step payload. Fields that do not apply to the status are left out. No field
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
        Map<String, Object> checks,
        ObjectNode plan,
        RunTimings timings) {

    public static final String PLANNED = "PLANNED";
    public static final String PREFLIGHT_OK = "PREFLIGHT_OK";
    public static final String STARTED = "STARTED";

    /** A result without the function's time (every status but STARTED). */
    public StepResult(String status, String mode, String executor, String buildId, String buildArn, String logsUrl,
            String registry, String repository, List<String> imageUris, String pluginImage, Boolean repositoryCreated,
            Boolean duplicate, List<String> warnings, Map<String, Object> checks, ObjectNode plan) {
        this(status, mode, executor, buildId, buildArn, logsUrl, registry, repository, imageUris, pluginImage,
                repositoryCreated, duplicate, warnings, checks, plan, null);
    }

    /** The same result, with the function's time to the launch's answer. */
    public StepResult withTimings(RunTimings runTimings) {
        return new StepResult(status, mode, executor, buildId, buildArn, logsUrl, registry, repository, imageUris, pluginImage,
                repositoryCreated, duplicate, warnings, checks, plan, runTimings);
    }

    public static StepResult planned(Plan plan) {
        return of(PLANNED, plan, null, null, null, view(plan));
    }

    /** What preflight found: each repository and whether it exists, then the executor's check under its own field. */
    public static StepResult preflightOk(Plan plan, List<RepositoryCheck> repositories, ExecutorCheck executor) {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("repositories", repositories);
        checks.put(executor.field(), executor);
        return of(PREFLIGHT_OK, plan, null, null, checks, view(plan));
    }

    public static StepResult started(Plan plan, LaunchResult launch, boolean repositoryCreated) {
        return of(STARTED, plan, launch, repositoryCreated, null, view(plan));
    }

    private static StepResult of(String status, Plan plan, LaunchResult launch,
            Boolean repositoryCreated, Map<String, Object> checks, ObjectNode view) {
        return new StepResult(status, plan.payload().mode().wire(), plan.payload().executor().type(),
                launch == null ? null : launch.buildId(), launch == null ? null : launch.buildArn(),
                launch == null ? null : launch.logsUrl(), plan.registry(), plan.repository(), plan.imageUris(),
                plan.pluginImage(), repositoryCreated, null, plan.warnings().stream().map(Warning::toString).toList(),
                checks, view);
    }

    /**
     * What the plan shows of itself: {@code env}, {@code secretEnv}, {@code repositories}, {@code credentials},
     * then the launch request under its API's names ({@code startBuild}; {@code registerTaskDefinition},
     * {@code runTask}).
     */
    public static ObjectNode view(Plan plan) {
        ObjectNode view = JsonNodeFactory.instance.objectNode();
        view.set("env", strings(plan.env().plain()));
        view.set("secretEnv", strings(plan.env().secretDisplay()));
        ArrayNode repositories = view.putArray("repositories");
        plan.repositories().forEach(r -> repositories.addObject().put("name", r.name()).put("purpose", r.purpose().name()));
        view.set("credentials", credentials(plan.credentials()));
        plan.launch().describe(view);
        return view;
    }

    private static ObjectNode strings(Map<String, String> values) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        values.forEach(node::put);
        return node;
    }

    private static ObjectNode credentials(CredentialsPlan credentials) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
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
