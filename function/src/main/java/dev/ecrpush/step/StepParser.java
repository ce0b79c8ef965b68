package dev.ecrpush.step;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;

/**
 * Turns a step payload into a {@link StepPayload}, or throws one {@link InvalidStepException} that lists
 * every problem with its field path. Reads only the payload and the settings handed in: no I/O.
 */
public final class StepParser {
    private static final Set<String> TOP = Set.of("mode", "idempotencyKey", "infra", "executor", "codebase",
            "oidcToken", "taskToken", "triggerType", "step", "connectors");
    /** What a payload may say delivered it: a scheduled rule's constant input says {@code schedule}. */
    private static final Set<String> DECLARED_TRIGGERS = Set.of("manual", "schedule");
    /** The idempotency table keeps a build's task token under this prefix, next to the runs' keys. */
    private static final String RESERVED_KEY_PREFIX = "build#";
    private static final Set<String> STEP = Set.of("type", "identifier", "name", "timeout", "spec");
    /** Pipeline fields a step may carry that only the pipeline engine acts on. */
    private static final Set<String> STEP_IGNORED = Set.of("description", "when", "failureStrategies", "strategy");
    private static final Set<String> CODEBASE = Set.of("repoUrl", "branch", "commitSha", "tag");
    private static final Set<String> CODEBUILD = Set.of("type", "project");
    private static final Set<String> ECS = Set.of("type", "cluster", "subnets", "securityGroups", "assignPublicIp");

    private StepParser() {
    }

    public static StepPayload parse(JsonNode root, ParseSettings settings) {
        if (root == null || !root.isObject()) {
            throw new InvalidStepException("payload: must be a JSON object (a step payload), not "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase()));
        }
        Problems problems = new Problems();
        String triggerType = triggerType(root.path("triggerType"), settings.triggerType(), problems);
        Fields top = new Fields((ObjectNode) root, "", problems, new Expressions.Context(Codebase.NONE, triggerType));
        top.allowOnly(TOP, Set.of());

        Codebase codebase = codebase(top.object("codebase", false));
        Fields fields = new Fields((ObjectNode) root, "", problems, new Expressions.Context(codebase, triggerType));

        Mode mode = Mode.RUN;
        String modeText = fields.optionalText("mode");
        if (modeText != null) {
            mode = Mode.fromWire(modeText);
            if (mode == null) {
                problems.error("mode", "\"" + modeText + "\" is not a mode (plan, preflight, run)");
            }
        }
        Infra infra = Infra.K8;
        String infraText = fields.optionalText("infra");
        if (infraText != null) {
            infra = Infra.fromName(infraText);
            if (infra == null) {
                problems.error("infra", "\"" + infraText + "\" is not an infra type (" + Infra.acceptedNames() + ")");
            }
        }
        String idempotencyKey = fields.optionalText("idempotencyKey");
        if (idempotencyKey != null && (idempotencyKey.length() > 512 || idempotencyKey.chars().anyMatch(Character::isISOControl))) {
            problems.error("idempotencyKey", "must be at most 512 printable characters");
        } else if (idempotencyKey != null && idempotencyKey.startsWith(RESERVED_KEY_PREFIX)) {
            problems.error("idempotencyKey", "must not start with " + RESERVED_KEY_PREFIX + ", which the function keeps for itself");
        }
        SecretText oidcToken = secretText(fields, "oidcToken");
        SecretText taskToken = secretText(fields, "taskToken");
        Executor executor = executor(fields.object("executor", false), settings.executorDefaults(), infra, problems);
        if (executor instanceof Executor.Ecs && infra != null && infra != Infra.K8) {
            problems.error("infra", infraText + " needs the docker daemon (privileged mode), which ECS Fargate does not"
                    + " have; only the kaniko plugin (infra K8) runs on ECS");
        }

        boolean onEcs = executor instanceof Executor.Ecs;
        if (onEcs && codebase.repoUrl() == null) {
            problems.error("codebase.repoUrl", "is required with the ECS executor: the task clones the repository itself");
        } else if (executor instanceof Executor.CodeBuild && codebase.repoUrl() == null) {
            // Not an error: a project of the caller's own may have a source. This stack's projects have none.
            problems.warn("codebase.repoUrl", "is not set, so the build has no source unless its CodeBuild project"
                    + " has one of its own (the projects of this function's stack have none)");
        }

        BuildPushStep step = null;
        AwsConnector connector = null;
        DockerConnector baseImage = null;
        Fields stepFields = fields.object("step", true);
        if (stepFields != null) {
            SpecParser.Parsed spec = stepSpec(stepFields, infra == null ? Infra.K8 : infra, onEcs);
            step = spec == null ? null : step(stepFields, spec.spec(), onEcs);
            Connectors connectors = new Connectors(fields, settings.storedConnectors());
            connector = spec == null ? null : connectors.aws(spec.connectorRef(), "step.spec.connectorRef");
            baseImage = spec == null ? null : baseImage(spec.baseImageConnectorRefs(), connectors, problems);
            if (connector != null && connector.credential() instanceof AwsCredential.Oidc && oidcToken == null) {
                problems.error("oidcToken", "is required: connector " + connector.ref()
                        + " authenticates with OIDC and the token is its web identity");
            }
            if (onEcs) {
                EcsSecretRefs.check(connector, baseImage, connectors::pathOf, problems);
            }
        }
        if (step != null && connector == null && !problems.hasErrors()) {
            problems.error("step.spec.connectorRef", "names a connector that could not be read");
        }
        problems.throwIfAny();
        return new StepPayload(mode, idempotencyKey, infra, executor, codebase, oidcToken, taskToken, step,
                connector, baseImage, problems.warnings());
    }

    /**
     * The payload's own {@code triggerType} when it declares one (a scheduled rule's constant input cannot be
     * told from a direct invocation otherwise), else the delivering entry point's.
     */
    private static String triggerType(JsonNode declared, String delivered, Problems problems) {
        if (declared.isMissingNode() || declared.isNull()) {
            return delivered;
        }
        if (!declared.isTextual() || !DECLARED_TRIGGERS.contains(declared.asText())) {
            problems.error("triggerType", "must be \"schedule\" (a scheduled rule's input) or \"manual\", not " + declared);
            return delivered;
        }
        return declared.asText();
    }

    private static SecretText secretText(Fields fields, String field) {
        if (!fields.has(field)) {
            return null;
        }
        JsonNode value = fields.raw(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            fields.problems().error(field, "must be a non-empty string");
            return null;
        }
        return new SecretText(value.asText());
    }

    private static Codebase codebase(Fields fields) {
        if (fields == null) {
            return Codebase.NONE;
        }
        fields.allowOnly(CODEBASE, Set.of());
        String repoUrl = fields.optionalText("repoUrl");
        if (repoUrl != null && !repoUrl.matches("https?://[^\\s]+")) {
            fields.problems().error(fields.path("repoUrl"), "must be the repository's http(s) clone URL");
        } else if (repoUrl != null && repoUrl.matches("https?://[^/@]*:[^/@]*@.*")) {
            // The URL travels in plain text (CodeBuild's source override, ECS's overrides): never quote it here.
            fields.problems().error(fields.path("repoUrl"), "must not carry a password or token (user:secret@);"
                    + " give the clone URL alone and the credentials to the executor");
            repoUrl = null;
        }
        String commitSha = fields.optionalText("commitSha");
        if (commitSha != null && !Rules.COMMIT.matcher(commitSha).matches()) {
            fields.problems().error(fields.path("commitSha"), "must be a commit hash (7 to 40 hexadecimal digits)");
            commitSha = null;
        }
        return new Codebase(repoUrl, refName(fields, "branch"), commitSha, refName(fields, "tag"));
    }

    /** A branch or tag name, checked as git checks one: it becomes CodeBuild's source version and a fetch argument. */
    private static String refName(Fields fields, String field) {
        String name = fields.optionalText(field);
        String problem = name == null ? null : Rules.refNameProblem(name);
        if (problem != null) {
            // Quoted with control characters escaped, and cut short: the message goes to logs and callers as is.
            String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
            fields.problems().error(fields.path(field), "\"" + Rules.printable(shown) + "\" is not a valid git "
                    + field + " name (" + problem + ")");
            return null;
        }
        return name;
    }

    private static Executor executor(Fields fields, ParseSettings.ExecutorDefaults defaults, Infra infra, Problems problems) {
        String type = fields == null ? "CodeBuild" : fields.requiredText("type");
        if (type == null) {
            return null;
        }
        switch (type) {
            case "CodeBuild" -> {
                // The docker plugins (every infra but K8) need privileged mode: they may have a project of their own.
                String project = defaults.codeBuildProject(infra);
                if (fields != null) {
                    fields.allowOnly(CODEBUILD, Set.of());
                    String given = fields.optionalText("project");
                    project = given != null ? given : project;
                }
                if (project == null) {
                    problems.error("executor.project", "is required: no default CodeBuild project is configured");
                    return null;
                }
                if (!project.matches("[A-Za-z0-9][A-Za-z0-9_-]{1,254}|arn:aws[a-z-]*:codebuild:[a-z0-9-]+:\\d{12}:project/[A-Za-z0-9][A-Za-z0-9_-]{1,254}")) {
                    problems.error("executor.project", "\"" + project + "\" is not a CodeBuild project name");
                    return null;
                }
                return new Executor.CodeBuild(project);
            }
            case "ECS" -> {
                fields.allowOnly(ECS, Set.of());
                String cluster = fields.optionalText("cluster");
                cluster = cluster != null ? cluster : defaults.ecsCluster();
                List<String> subnets = fields.has("subnets") ? fields.textList("subnets", true) : defaults.ecsSubnets();
                List<String> groups = fields.has("securityGroups") ? fields.textList("securityGroups", true) : defaults.ecsSecurityGroups();
                boolean publicIp = fields.bool("assignPublicIp", defaults.ecsAssignPublicIp());
                if (cluster == null) {
                    problems.error("executor.cluster", "is required: no default ECS cluster is configured");
                }
                if (subnets.isEmpty()) {
                    problems.error("executor.subnets", "must list at least one subnet: none is configured by default");
                }
                for (int i = 0; i < subnets.size(); i++) {
                    if (!subnets.get(i).matches("subnet-[0-9a-f]{8,17}")) {
                        problems.error("executor.subnets[" + i + "]", "\"" + subnets.get(i) + "\" is not a subnet ID");
                    }
                }
                for (int i = 0; i < groups.size(); i++) {
                    if (!groups.get(i).matches("sg-[0-9a-f]{8,17}")) {
                        problems.error("executor.securityGroups[" + i + "]", "\"" + groups.get(i) + "\" is not a security group ID");
                    }
                }
                return cluster == null ? null : new Executor.Ecs(cluster, subnets, groups, publicIp);
            }
            default -> {
                problems.error("executor.type", "\"" + type + "\" is not an executor (CodeBuild, ECS)");
                return null;
            }
        }
    }

    private static SpecParser.Parsed stepSpec(Fields step, Infra infra, boolean onEcs) {
        Fields spec = step.object("spec", true);
        return spec == null ? null : SpecParser.spec(spec, infra, onEcs);
    }

    private static BuildPushStep step(Fields step, EcrSpec spec, boolean onEcs) {
        step.allowOnly(STEP, STEP_IGNORED);
        String type = step.requiredText("type");
        if (type != null && !type.equals("BuildAndPushECR")) {
            step.problems().error("step.type", "must be BuildAndPushECR, not " + type);
        }
        String identifier = step.requiredText("identifier");
        if (identifier != null && !Rules.IDENTIFIER.matcher(identifier).matches()) {
            step.problems().error("step.identifier", "\"" + identifier
                    + "\" is not an identifier (a letter or _, then letters, digits or _, at most 128)");
            identifier = null;
        }
        String name = step.optionalText("name");
        Duration timeout = null;
        String timeoutText = step.optionalText("timeout");
        if (timeoutText != null) {
            timeout = Rules.duration(timeoutText);
            if (timeout == null) {
                step.problems().error("step.timeout", "\"" + timeoutText + "\" is not a duration such as 90s, 30m or 1h30m");
            } else if (!onEcs && timeout.compareTo(Duration.ofMinutes(5)) < 0) {
                step.problems().warn("step.timeout", timeoutText + " is below CodeBuild's minimum; the build gets 5 minutes");
            }
        }
        if (identifier == null || spec == null) {
            return null;
        }
        return new BuildPushStep(identifier, name == null ? identifier : name, timeout, spec);
    }

    private static DockerConnector baseImage(List<String> refs, Connectors connectors, Problems problems) {
        if (refs.size() > 1) {
            problems.error("step.spec.baseImageConnectorRefs", "name at most one connector: the plugins take one base image login");
            return null;
        }
        return refs.isEmpty() ? null : connectors.docker(refs.get(0), "step.spec.baseImageConnectorRefs[0]");
    }

    /** Connector look-up: the payload's map first, then the configured store. */
    private static final class Connectors {
        private final Fields top;
        private final Fields payload;
        private final Map<String, JsonNode> stored;

        Connectors(Fields top, Map<String, JsonNode> stored) {
            this.top = top;
            this.payload = top.object("connectors", false);
            this.stored = stored;
            if (payload != null) {
                for (Iterator<Map.Entry<String, JsonNode>> it = payload.entries(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!e.getValue().isObject()) {
                        top.problems().error(payload.path(e.getKey()), "must be a connector object");
                    }
                }
            }
        }

        AwsConnector aws(String ref, String refPath) {
            Fields entry = entry(ref, refPath, "Aws", "an AWS connector");
            return entry == null ? null : ConnectorParser.aws(ref, entry);
        }

        DockerConnector docker(String ref, String refPath) {
            Fields entry = entry(ref, refPath, "DockerRegistry", "a Docker registry connector");
            return entry == null ? null : ConnectorParser.docker(ref, entry);
        }

        /** Where connector {@code ref} is read from: the payload's map first, then the configured store. */
        String pathOf(String ref) {
            return payload != null && payload.has(ref) ? "connectors." + ref : "connectorStore." + ref;
        }

        /** The connector's reader, when it exists and has the expected type; otherwise the problem is at the ref. */
        private Fields entry(String ref, String refPath, String type, String what) {
            if (ref == null) {
                return null;
            }
            JsonNode node = payload != null && payload.has(ref) ? payload.raw(ref) : null;
            String path = pathOf(ref);
            if (node == null) {
                node = stored.get(ref);
            }
            if (node == null) {
                top.problems().error(refPath, "connector \"" + ref
                        + "\" is neither in the payload's connectors nor in the configured connector store");
                return null;
            }
            if (!node.isObject()) {
                return null;
            }
            if (!type.equals(node.path("type").asText())) {
                top.problems().error(refPath, "\"" + ref + "\" is not " + what + " (type " + type + ")");
                return null;
            }
            return top.child((ObjectNode) node, path);
        }
    }
}
