package dev.ecrpush.step;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.plan.Hashing;

/**
 * Turns a step payload into a {@link StepPayload}, or throws one {@link InvalidStepException} that lists
 * every problem with its field path. Reads only the payload and the settings handed in: no I/O.
 */
public final class StepParser {
    private static final Set<String> TOP = Set.of("mode", "idempotencyKey", "infra", "executor", "codebase",
            "oidcToken", "taskToken", "triggerType", "step", "connectors");
    /** The idempotency table keeps a build's task token under this prefix, next to the runs' keys. */
    private static final String RESERVED_KEY_PREFIX = "build#";
    /**
     * Left out of the content hash: they say whom to tell and how to sign in, not what to build, and a genuine
     * retry may carry new ones (a Step Functions retry brings a new task token, a pipeline a fresh OIDC token).
     */
    private static final Set<String> NOT_CONTENT = Set.of("taskToken", "oidcToken");
    private static final Set<String> STEP = Set.of("type", "identifier", "name", "timeout", "spec");
    /** Pipeline fields a step may carry that only the pipeline engine acts on. */
    private static final Set<String> STEP_IGNORED = Set.of("description", "when", "failureStrategies", "strategy");
    /** {@code prNumber}, {@code sourceBranch} and {@code targetBranch}: what a trigger sets for a pull request's build. */
    private static final Set<String> CODEBASE = Set.of("repoUrl", "branch", "commitSha", "tag", "prNumber", "sourceBranch",
            "targetBranch");

    private StepParser() {
    }

    public static StepPayload parse(JsonNode root, ParseSettings settings) {
        if (root == null || !root.isObject()) {
            throw new InvalidStepException("payload: must be a JSON object (a step payload), not "
                    + (root == null || root.isMissingNode() ? "nothing" : root.getNodeType().name().toLowerCase()));
        }
        Problems problems = new Problems();
        TriggerType triggerType = triggerType(root.path("triggerType"), settings.triggerType(), problems);
        Fields top = new Fields((ObjectNode) root, "", problems, new Expressions.Context(Codebase.NONE, triggerType));
        top.allowOnly(TOP, Set.of());

        Codebase codebase = codebase(top.object("codebase", false));
        Fields fields = new Fields((ObjectNode) root, "", problems, new Expressions.Context(codebase, triggerType));

        Mode mode = Mode.RUN;
        String modeText = fields.optionalText("mode");
        if (modeText != null) {
            mode = Mode.fromWire(modeText);
            if (mode == null) {
                problems.error("mode", Rules.quoted(modeText) + " is not a mode (plan, preflight, run)");
            }
        }
        Infra infra = Infra.K8;
        String infraText = fields.optionalText("infra");
        if (infraText != null) {
            infra = Infra.fromName(infraText);
            if (infra == null) {
                problems.error("infra", Rules.quoted(infraText) + " is not an infra type (" + Infra.acceptedNames() + ")");
            }
        }
        String idempotencyKey = idempotencyKey(fields, settings, problems);
        SecretText oidcToken = secretText(fields, "oidcToken");
        SecretText taskToken = secretText(fields, "taskToken");
        ExecutorSpec executor = executor(fields.object("executor", false), settings, infra, problems);
        if (executor != null && executor.clonesTheRepository() && codebase.repoUrl() == null) {
            problems.error("codebase.repoUrl", "is required with the " + executor.type()
                    + " executor: the build clones the repository itself");
        }

        BuildPushStep step = null;
        AwsConnector connector = null;
        DockerConnector baseImage = null;
        Fields stepFields = fields.object("step", true);
        if (stepFields != null) {
            SpecParser.Parsed spec = stepSpec(stepFields, infra == null ? Infra.K8 : infra, executor);
            step = spec == null ? null : step(stepFields, spec.spec(), executor);
            Connectors connectors = new Connectors(root, fields, settings.storedConnectors());
            connector = spec == null ? null : connectors.aws(spec.connectorRef(), "step.spec.connectorRef");
            baseImage = spec == null ? null : baseImage(spec.baseImageConnectorRefs(), connectors, problems);
            if (connector != null && connector.credential() instanceof AwsCredential.Oidc && oidcToken == null) {
                problems.error("oidcToken", "is required: connector " + connector.ref()
                        + " authenticates with OIDC and the token is its web identity");
            }
            if (executor != null) {
                executor.check(new StepCheck(infra, infraText, codebase, connector, baseImage, connectors::pathOf, problems,
                        spec == null || spec.spec() == null ? null : spec.spec().platforms()));
            }
        }
        if (step != null && connector == null && !problems.hasErrors()) {
            problems.error("step.spec.connectorRef", "names a connector that could not be read");
        }
        problems.throwIfAny();
        return new StepPayload(mode, idempotencyKey, infra, executor, codebase, oidcToken, taskToken, step,
                connector, baseImage, problems.warnings(), contentHash((ObjectNode) root));
    }

    /**
     * The key, when it is one this payload may use: {@code build#} is the table's own, and the trigger prefixes
     * ({@code github/}, ..., {@code schedule/}) belong to the payloads triggers build. Whether a payload is a
     * direct one is what the entry point that delivered it says, never the payload's own {@code triggerType}
     * (any caller can write that). Compared ignoring case: AWS may not tell {@code GitHub/} from {@code github/}.
     */
    private static String idempotencyKey(Fields fields, ParseSettings settings, Problems problems) {
        String key = fields.optionalText("idempotencyKey");
        if (key == null) {
            return null;
        }
        String lower = key.toLowerCase(Locale.ROOT);
        if (key.length() > 512 || key.chars().anyMatch(Character::isISOControl)) {
            problems.error("idempotencyKey", "must be at most 512 printable characters");
        } else if (lower.startsWith(RESERVED_KEY_PREFIX)) {
            problems.error("idempotencyKey", "must not start with " + RESERVED_KEY_PREFIX + ", which the function keeps for itself");
        } else if (settings.triggerType() == TriggerType.MANUAL) {
            settings.triggerKeyPrefixes().stream().filter(lower::startsWith).findFirst().ifPresent(prefix ->
                    problems.error("idempotencyKey", "must not start with " + prefix + ": keys starting with "
                            + String.join(", ", settings.triggerKeyPrefixes()) + " are the function's own for the runs"
                            + " its triggers start (webhook deliveries, schedules); choose another key"));
        }
        return key;
    }

    /**
     * The SHA-256 of the payload's canonical JSON (object members sorted by name, no whitespace) without
     * {@link #NOT_CONTENT}: what an idempotency key is bound to, so that the same key with another payload is
     * told apart from a retry of the same one.
     */
    static String contentHash(ObjectNode root) {
        ObjectNode content = root.deepCopy();
        content.remove(NOT_CONTENT);
        StringBuilder canonical = new StringBuilder();
        canonical(content, canonical);
        return Hashing.sha256(canonical.toString());
    }

    private static void canonical(JsonNode node, StringBuilder out) {
        if (node.isObject()) {
            out.append('{');
            boolean first = true;
            SortedSet<String> names = new TreeSet<>();
            node.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                out.append(first ? "" : ",").append(TextNode.valueOf(name)).append(':');
                canonical(node.get(name), out);
                first = false;
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                out.append(i == 0 ? "" : ",");
                canonical(node.get(i), out);
            }
            out.append(']');
        } else {
            // A scalar's own JSON: strings quoted and escaped, numbers as written.
            out.append(node);
        }
    }

    /**
     * Where connector {@code ref} of {@code root} is read from: the payload's {@code connectors} map first
     * ({@code connectors.REF}), then the configured store ({@code connectorStore.REF}); how problems name its fields.
     */
    public static String connectorPath(JsonNode root, String ref) {
        JsonNode connectors = root.path("connectors");
        return connectors.isObject() && connectors.hasNonNull(ref) ? "connectors." + ref : "connectorStore." + ref;
    }

    /**
     * The payload's own {@code triggerType} when it declares one (a scheduled rule's constant input cannot be
     * told from a direct invocation otherwise), else the delivering entry point's.
     */
    private static TriggerType triggerType(JsonNode declared, TriggerType delivered, Problems problems) {
        if (declared.isMissingNode() || declared.isNull()) {
            return delivered;
        }
        java.util.Optional<TriggerType> type = declared.isTextual() ? TriggerType.declarable(declared.asText())
                : java.util.Optional.empty();
        if (type.isEmpty()) {
            problems.error("triggerType", "must be \"schedule\" (a scheduled rule's input) or \"manual\", not "
                    + Rules.shown(declared.toString()));
            return delivered;
        }
        return type.get();
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
        String urlProblem = repoUrl == null ? null : GitUrls.problem(repoUrl);
        if (urlProblem != null) {
            // Every reader of the URL (CodeBuild's source type, the ECS task's token scope) parses it as a URI: one
            // it cannot parse is refused here, naming the field, not later as an internal error.
            fields.problems().error(fields.path("repoUrl"), urlProblem);
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
        return new Codebase(repoUrl, refName(fields, "branch"), commitSha, refName(fields, "tag"),
                fields.integer("prNumber", 1, Integer.MAX_VALUE), refName(fields, "sourceBranch"), refName(fields, "targetBranch"));
    }

    /** A branch or tag name, checked as git checks one: it becomes CodeBuild's source version and a fetch argument. */
    private static String refName(Fields fields, String field) {
        String name = fields.optionalText(field);
        String problem = name == null ? null : Rules.refNameProblem(name);
        if (problem != null) {
            // Quoted with control characters escaped, and cut short: the message goes to logs and callers as is.
            fields.problems().error(fields.path(field), Rules.quoted(name) + " is not a valid git "
                    + (field.equals("tag") ? "tag" : "branch") + " name (" + problem + ")");
            return null;
        }
        return name;
    }

    /** The registered executor the payload names, which reads its own fields (with its defaults). */
    private static ExecutorSpec executor(Fields fields, ParseSettings settings, Infra infra, Problems problems) {
        String type = fields == null ? settings.defaultExecutor() : fields.requiredText("type");
        if (type == null) {
            return null;
        }
        ExecutorParser parser = settings.executors().get(type);
        if (parser == null) {
            problems.error("executor.type", Rules.quoted(type) + " is not an executor ("
                    + String.join(", ", settings.executors().keySet()) + ")");
            return null;
        }
        return parser.parse(fields, infra, problems);
    }

    private static SpecParser.Parsed stepSpec(Fields step, Infra infra, ExecutorSpec executor) {
        Fields spec = step.object("spec", true);
        return spec == null ? null : SpecParser.spec(spec, infra, executor != null && executor.appliesRunAsUser());
    }

    private static BuildPushStep step(Fields step, EcrSpec spec, ExecutorSpec executor) {
        step.allowOnly(STEP, STEP_IGNORED);
        String type = step.requiredText("type");
        if (type != null && !type.equals("BuildAndPushECR")) {
            step.problems().error("step.type", "must be BuildAndPushECR, not " + Rules.quoted(type));
        }
        String identifier = step.requiredText("identifier");
        if (identifier != null && !Rules.IDENTIFIER.matcher(identifier).matches()) {
            step.problems().error("step.identifier", Rules.quoted(identifier)
                    + " is not an identifier (a letter or _, then letters, digits or _, at most 128)");
            identifier = null;
        }
        String name = step.optionalText("name");
        Duration timeout = null;
        String timeoutText = step.optionalText("timeout");
        if (timeoutText != null) {
            timeout = Rules.duration(timeoutText);
            if (timeout == null) {
                step.problems().error("step.timeout", Rules.quoted(timeoutText) + " is not a duration such as 90s, 30m or 1h30m");
            } else if (executor != null && executor.minimumTimeout() != null && timeout.compareTo(executor.minimumTimeout()) < 0) {
                step.problems().warn("step.timeout", timeoutText + " is below " + executor.type() + "'s minimum; the build gets "
                        + executor.minimumTimeout().toMinutes() + " minutes");
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
        private final JsonNode root;
        private final Fields top;
        private final Fields payload;
        private final Map<String, JsonNode> stored;

        Connectors(JsonNode root, Fields top, Map<String, JsonNode> stored) {
            this.root = root;
            this.top = top;
            this.payload = top.object("connectors", false);
            this.stored = stored;
            if (payload != null && top.withinLimit("connectors", top.raw("connectors"), Rules.MAX_ITEMS)) {
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
            return connectorPath(root, ref);
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
                top.problems().error(refPath, "connector " + Rules.quoted(ref)
                        + " is neither in the payload's connectors nor in the configured connector store");
                return null;
            }
            if (!node.isObject()) {
                return null;
            }
            if (!type.equals(node.path("type").asText())) {
                top.problems().error(refPath, Rules.quoted(ref) + " is not " + what + " (type " + type + ")");
                return null;
            }
            return top.child((ObjectNode) node, path);
        }
    }
}
