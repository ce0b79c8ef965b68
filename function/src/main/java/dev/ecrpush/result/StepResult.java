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
import dev.ecrpush.registry.ImageIndex;
import dev.ecrpush.registry.RepositoryCheck;
import dev.ecrpush.step.ScanGate;
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
        List<PlatformStarted> platforms,
        RunTimings timings,
        String digest) {

    /**
     * One platform's build of a multi-platform step, as started.
     *
     * @param imageUri the platform's own image; the step's tags name the index written over them all
     */
    public record PlatformStarted(String platform, String imageUri, String buildId, String buildArn, String logsUrl) {
    }

    public static final String PLANNED = "PLANNED";
    public static final String PREFLIGHT_OK = "PREFLIGHT_OK";
    public static final String STARTED = "STARTED";
    /** Nothing started: every tag already names one image built from the run's commit ({@code onExistingTag: skip}). */
    public static final String ALREADY_BUILT = "ALREADY_BUILT";

    /** A result without a digest of its own (every status but ALREADY_BUILT). */
    public StepResult(String status, String mode, String executor, String buildId, String buildArn, String logsUrl,
            String registry, String repository, List<String> imageUris, String pluginImage, Boolean repositoryCreated,
            Boolean duplicate, List<String> warnings, Map<String, Object> checks, ObjectNode plan,
            List<PlatformStarted> platforms, RunTimings timings) {
        this(status, mode, executor, buildId, buildArn, logsUrl, registry, repository, imageUris, pluginImage,
                repositoryCreated, duplicate, warnings, checks, plan, platforms, timings, null);
    }

    /** A result without the function's time (every status but STARTED). */
    public StepResult(String status, String mode, String executor, String buildId, String buildArn, String logsUrl,
            String registry, String repository, List<String> imageUris, String pluginImage, Boolean repositoryCreated,
            Boolean duplicate, List<String> warnings, Map<String, Object> checks, ObjectNode plan) {
        this(status, mode, executor, buildId, buildArn, logsUrl, registry, repository, imageUris, pluginImage,
                repositoryCreated, duplicate, warnings, checks, plan, null, null);
    }

    /** The same result, with the function's time to the launch's answer. */
    public StepResult withTimings(RunTimings runTimings) {
        return new StepResult(status, mode, executor, buildId, buildArn, logsUrl, registry, repository, imageUris, pluginImage,
                repositoryCreated, duplicate, warnings, checks, plan, platforms, runTimings, digest);
    }

    /** The same result, with one more entry under {@code checks} (after those it has). */
    public StepResult withCheck(String field, Object check) {
        Map<String, Object> more = new LinkedHashMap<>(checks == null ? Map.of() : checks);
        more.put(field, check);
        return new StepResult(status, mode, executor, buildId, buildArn, logsUrl, registry, repository, imageUris, pluginImage,
                repositoryCreated, duplicate, warnings, more, plan, platforms, timings, digest);
    }

    /**
     * A run that started nothing: every tag names {@code digest}, an image of the run's commit; what was found is
     * under {@code checks.existingTags}.
     *
     * @param repositoryCreated whether the run created a repository (its cache repository: the image's held the tags)
     */
    public static StepResult alreadyBuilt(Plan plan, String digest, Object existingTags, boolean repositoryCreated) {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put(EXISTING_TAGS, existingTags);
        StepResult one = of(ALREADY_BUILT, plan, null, repositoryCreated, checks, view(plan));
        return new StepResult(one.status, one.mode, one.executor, null, null, null, one.registry, one.repository, one.imageUris,
                one.pluginImage, one.repositoryCreated, null, one.warnings, one.checks, one.plan, null, null, digest);
    }

    /** The field of {@code checks} the existing tags are reported under. */
    public static final String EXISTING_TAGS = "existingTags";

    public static StepResult planned(Plan plan) {
        return of(PLANNED, plan, null, null, null, view(plan));
    }

    /** What preflight found: each repository and whether it exists, then the executor's check under its own field. */
    public static StepResult preflightOk(Plan plan, List<RepositoryCheck> repositories, ExecutorCheck executor) {
        return preflightOk(plan, repositories, null, executor, null);
    }

    /**
     * The same, with what a run would do about the tags that exist already, under {@code existingTags}, and the signing
     * check under {@code signing} when a signing profile is configured (docs/signing.md); either null is left out.
     */
    public static StepResult preflightOk(Plan plan, List<RepositoryCheck> repositories, Object existingTags, ExecutorCheck executor,
            dev.ecrpush.registry.SigningCheck signing) {
        Map<String, Object> checks = new LinkedHashMap<>();
        checks.put("repositories", repositories);
        if (existingTags != null) {
            checks.put(EXISTING_TAGS, existingTags);
        }
        checks.put(executor.field(), executor);
        if (signing != null) {
            checks.put("signing", signing);
        }
        return of(PREFLIGHT_OK, plan, null, null, checks, view(plan));
    }

    public static StepResult started(Plan plan, LaunchResult launch, boolean repositoryCreated) {
        return of(STARTED, plan, launch, repositoryCreated, null, view(plan));
    }

    /**
     * A multi-platform step's builds, started: {@code buildId} is the first platform's, which a status request and the
     * Step Functions completion answer for the whole (every platform's build, and the index once written).
     */
    public static StepResult started(Plan plan, List<PlatformStarted> platforms, boolean repositoryCreated) {
        PlatformStarted first = platforms.get(0);
        StepResult one = of(STARTED, plan, new LaunchResult(first.buildId(), first.buildArn(), first.logsUrl()), repositoryCreated,
                null, view(plan));
        return new StepResult(one.status, one.mode, one.executor, one.buildId, one.buildArn, one.logsUrl, one.registry,
                one.repository, one.imageUris, one.pluginImage, one.repositoryCreated, one.duplicate, one.warnings, one.checks,
                one.plan, List.copyOf(platforms), null, null);
    }

    private static StepResult of(String status, Plan plan, LaunchResult launch,
            Boolean repositoryCreated, Map<String, Object> checks, ObjectNode view) {
        return new StepResult(status, plan.payload().mode().wire(), plan.payload().executor().type(),
                launch == null ? null : launch.buildId(), launch == null ? null : launch.buildArn(),
                launch == null ? null : launch.logsUrl(), plan.registry(), plan.repository(), plan.imageUris(),
                plan.pluginImage(), repositoryCreated, null, plan.warnings().stream().map(Warning::toString).toList(),
                checks, view, null, null, null);
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
        ScanGate gate = plan.payload().step().spec().scanGate();
        if (gate != null) {
            view.set("scanGate", scanGate(gate));
        }
        if (!plan.multiPlatform()) {
            plan.launch().describe(view);
            return view;
        }
        ArrayNode platforms = view.putArray("platforms");
        for (Plan.PlatformBuild build : plan.platformBuilds()) {
            ObjectNode platform = platforms.addObject().put("platform", build.platform().wire()).put("imageUri", build.imageUri());
            platform.set("env", strings(build.env().plain()));
            build.launch().describe(platform);
        }
        view.set("imageIndex", imageIndex(plan));
        return view;
    }

    /**
     * The index the function writes once every platform's build has pushed: its kind, the tags it goes under, and one
     * entry per platform, whose digest and size are the pushed image's (unknown before).
     */
    private static ObjectNode imageIndex(Plan plan) {
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.put("writtenBy", "ecr.PutImage, one call per tag, once every platform's build has succeeded");
        index.put("mediaType", ImageIndex.DOCKER_LIST + " when every image is a Docker manifest, else " + ImageIndex.OCI_INDEX);
        ArrayNode tags = index.putArray("imageUris");
        plan.imageUris().forEach(tags::add);
        ArrayNode manifests = index.putArray("manifests");
        for (Plan.PlatformBuild build : plan.platformBuilds()) {
            ObjectNode entry = manifests.addObject();
            entry.put("from", build.imageUri());
            ObjectNode platform = entry.putObject("platform");
            platform.put("architecture", build.platform().architecture()).put("os", build.platform().os());
            if (build.platform().variant() != null) {
                platform.put("variant", build.platform().variant());
            }
        }
        return index;
    }

    /** The gate the build's success waits for (docs/scan-gate.md), as the function will apply it. */
    private static ObjectNode scanGate(ScanGate gate) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("maxSeverity", gate.maxSeverity().name()).put("ignoreUnfixed", gate.ignoreUnfixed())
                .put("timeoutSeconds", gate.timeout().toSeconds()).put("untagOnFailure", gate.untagOnFailure());
        node.put("judgedBy", "ecr.DescribeImageScanFindings of the pushed digest, when the build has succeeded; the build"
                + " is SUCCEEDED only once the scan passes");
        return node;
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
