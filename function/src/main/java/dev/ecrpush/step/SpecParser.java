package dev.ecrpush.step;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Reads {@code step.spec}: the inputs of the step, checked against the rules and the chosen infra. */
final class SpecParser {
    private static final Set<String> SPEC = Set.of("connectorRef", "region", "account", "imageName", "tags",
            "dockerfile", "context", "target", "buildArgs", "labels", "optimize", "caching", "cacheFrom", "cacheTo",
            "remoteCacheImage", "baseImageConnectorRefs", "envDockerSecrets", "fileDockerSecrets", "envVariables",
            "runAsUser", "resources", "retry", "platforms", "scanGate", "onExistingTag");
    private static final Set<String> RESOURCES = Set.of("limits");
    private static final Set<String> LIMITS = Set.of("memory", "cpu");
    private static final Set<String> SCAN_GATE = Set.of("maxSeverity", "ignoreUnfixed", "timeout", "untagOnFailure");
    private static final int DEFAULT_RETRY = 1;

    private SpecParser() {
    }

    /**
     * The spec, null when it has errors; {@code connectorRef} and {@code baseImageConnectorRefs} are kept
     * either way, so the connectors they name are checked in the same pass.
     */
    record Parsed(EcrSpec spec, String connectorRef, List<String> baseImageConnectorRefs) {
    }

    /**
     * @param appliesRunAsUser whether the executor applies {@code runAsUser} to the plugin (an ECS task does)
     *              container rather than ignored
     */
    static Parsed spec(Fields spec, Infra infra, boolean appliesRunAsUser) {
        Problems problems = spec.problems();
        spec.allowOnly(SPEC, Set.of());

        String connectorRef = spec.requiredText("connectorRef");
        String region = spec.requiredText("region");
        if (region != null && !Rules.isRegion(region)) {
            problems.error(spec.path("region"), Rules.quoted(region) + " is not an AWS region");
        }
        String account = spec.requiredText("account");
        if (account != null && !Rules.ACCOUNT.matcher(account).matches()) {
            problems.error(spec.path("account"), Rules.quoted(account) + " is not an AWS account ID (12 digits)");
        }
        String imageName = repository(spec, "imageName", true);
        List<String> tags = tags(spec);
        String dockerfile = notNullString(spec, "dockerfile");
        String context = notNullString(spec, "context");
        String target = notNullString(spec, "target");
        List<KeyValue> buildArgs = buildArgs(spec);
        List<KeyValue> labels = labels(spec);
        boolean optimize = spec.bool("optimize", true);
        boolean caching = spec.bool("caching", false);
        List<String> cacheFrom = spec.textList("cacheFrom", true);
        for (int i = 0; i < cacheFrom.size(); i++) {
            if (cacheFrom.get(i).contains(";")) {
                problems.error(spec.path("cacheFrom") + "[" + i + "]", "must not contain ';' (the plugin's list separator)");
            }
        }
        String cacheTo = spec.optionalText("cacheTo");
        if (cacheTo != null && cacheTo.contains(";")) {
            problems.error(spec.path("cacheTo"), "must not contain ';' (the plugin's list separator)");
        }
        String remoteCacheImage = repository(spec, "remoteCacheImage", false);
        List<String> baseImageRefs = spec.textList("baseImageConnectorRefs", true);
        // Every id of both maps, by the variable it would arrive in: see dockerSecrets.
        Map<String, String> secretVariables = new HashMap<>();
        List<DockerSecret> envSecrets = dockerSecrets(spec, "envDockerSecrets", false, secretVariables);
        List<DockerSecret> fileSecrets = dockerSecrets(spec, "fileDockerSecrets", true, secretVariables);
        List<KeyValue> envVariables = envVariables(spec);
        Integer runAsUser = spec.integer("runAsUser", 0, Integer.MAX_VALUE);
        Resources resources = resources(spec.object("resources", false));
        Integer retry = spec.integer("retry", 0, 5);
        List<Platform> platforms = platforms(spec, tags);
        ScanGate scanGate = scanGate(spec, platforms);
        OnExistingTag onExistingTag = onExistingTag(spec);

        applicability(spec, infra, caching, cacheFrom, cacheTo, remoteCacheImage, envSecrets, fileSecrets, runAsUser, appliesRunAsUser);
        if (problems.hasErrors()) {
            return new Parsed(null, connectorRef, baseImageRefs);
        }
        return new Parsed(new EcrSpec(connectorRef, region, account, imageName, tags, dockerfile, context, target, buildArgs,
                labels, optimize, caching, cacheFrom, cacheTo, remoteCacheImage, baseImageRefs, envSecrets, fileSecrets,
                envVariables, runAsUser, resources, retry == null ? DEFAULT_RETRY : retry, platforms, scanGate, onExistingTag),
                connectorRef,
                baseImageRefs);
    }

    /** What the seeds mark as not applicable to the infra is reported, never silently dropped. */
    private static void applicability(Fields spec, Infra infra, boolean caching, List<String> cacheFrom, String cacheTo,
            String remoteCacheImage, List<DockerSecret> envSecrets, List<DockerSecret> fileSecrets, Integer runAsUser,
            boolean appliesRunAsUser) {
        Problems problems = spec.problems();
        if (infra == Infra.K8) {
            if (caching) {
                problems.warn(spec.path("caching"), "does not apply to K8: kaniko-ecr has no build cache driver; use remoteCacheImage");
            }
            if (!cacheFrom.isEmpty()) {
                problems.warn(spec.path("cacheFrom"), "does not apply to K8: kaniko-ecr ignores it; use remoteCacheImage");
            }
            if (cacheTo != null) {
                problems.warn(spec.path("cacheTo"), "does not apply to K8: kaniko-ecr ignores it; use remoteCacheImage");
            }
            if (!envSecrets.isEmpty()) {
                problems.error(spec.path("envDockerSecrets"),
                        "cannot be used on K8: kaniko-ecr cannot take docker secrets (use VM or DLITE_VM)");
            }
            if (!fileSecrets.isEmpty()) {
                problems.error(spec.path("fileDockerSecrets"),
                        "cannot be used on K8: kaniko-ecr cannot take docker secrets (use VM or DLITE_VM)");
            }
        } else {
            if (spec.has("optimize")) {
                problems.warn(spec.path("optimize"), "applies only to K8 (kaniko snapshot mode) and is ignored on " + infra);
            }
            if (caching && remoteCacheImage == null && cacheTo == null) {
                problems.warn(spec.path("caching"), "without remoteCacheImage or cacheTo keeps no cache between builds;"
                        + " set remoteCacheImage to cache layers in ECR");
            }
        }
        // An executor that applies it (ECS: the plugin container's user, as a Kubernetes pod would) says so.
        if (runAsUser != null && !appliesRunAsUser) {
            if (infra == Infra.VM) {
                problems.warn(spec.path("runAsUser"), "does not apply to VM infrastructure and is ignored");
            } else if (runAsUser != 0) {
                problems.warn(spec.path("runAsUser"), "the builder runs as root (the plugins need it); " + runAsUser + " is not applied");
            }
        }
    }

    private static String repository(Fields spec, String field, boolean required) {
        String name = required ? spec.requiredText(field) : spec.optionalText(field);
        if (name == null) {
            return null;
        }
        String at = spec.path(field);
        String first = name.contains("/") ? name.substring(0, name.indexOf('/')) : "";
        if (first.contains(":") || first.contains("dkr.ecr") || first.endsWith("amazonaws.com")
                || first.endsWith("amazonaws.com.cn") || first.equals("localhost") || first.endsWith("docker.io")
                || first.equals("public.ecr.aws")) {
            spec.problems().error(at, Rules.quoted(name) + " must be the repository name only, without the registry host");
            return null;
        }
        if (name.contains(":") || name.contains("@")) {
            spec.problems().error(at, Rules.quoted(name) + " must be the repository name only; tags go in tags");
            return null;
        }
        if (!Rules.isRepository(name)) {
            spec.problems().error(at, Rules.quoted(name) + " is not an ECR repository name (2 to 256 lowercase letters,"
                    + " digits and . _ - in /-separated parts)");
            return null;
        }
        return name;
    }

    private static List<String> tags(Fields spec) {
        if (!spec.has("tags")) {
            spec.problems().error(spec.path("tags"), "is required");
            return List.of();
        }
        if (!spec.raw("tags").isArray()) {
            spec.problems().error(spec.path("tags"), "must be a list of tags");
            return List.of();
        }
        if (!spec.withinLimit("tags", spec.raw("tags"), Rules.MAX_ITEMS)) {
            return List.of();
        }
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < spec.raw("tags").size(); i++) {
            String at = spec.path("tags") + "[" + i + "]";
            String tag = spec.text(spec.raw("tags").get(i), at, true);
            if (tag == null) {
                continue;
            }
            if (!Rules.TAG.matcher(tag).matches()) {
                spec.problems().error(at, Rules.quoted(tag) + " is not a valid image tag (at most 128 of A-Z a-z 0-9 _ . -,"
                        + " not starting with . or -)");
            } else {
                tags.add(tag);
            }
        }
        if (spec.raw("tags").isEmpty()) {
            spec.problems().error(spec.path("tags"), "must list at least one tag");
        }
        return tags;
    }

    /**
     * {@code platforms}: each a supported platform, once. With two or more, each platform's build pushes its own tag,
     * the first tag followed by {@code -<os>-<arch>}, which must be a valid tag and none of the step's own.
     */
    private static List<Platform> platforms(Fields spec, List<String> tags) {
        List<String> names = spec.textList("platforms", true);
        List<Platform> platforms = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String at = spec.path("platforms") + "[" + i + "]";
            Platform platform = Platform.parse(names.get(i));
            if (platform == null) {
                spec.problems().error(at, Rules.quoted(names.get(i)) + " is not a platform the builds run on natively;"
                        + " use " + Platform.SUPPORTED.stream().map(Platform::wire).toList());
            } else if (platforms.contains(platform)) {
                spec.problems().error(at, Rules.quoted(names.get(i)) + " is listed twice");
            } else {
                platforms.add(platform);
            }
        }
        if (platforms.size() > 1 && !tags.isEmpty()) {
            for (Platform platform : platforms) {
                String own = EcrSpec.platformTag(tags.get(0), platform);
                if (!Rules.TAG.matcher(own).matches()) {
                    spec.problems().error(spec.path("tags") + "[0]", "is too long for the per-platform tag " + Rules.quoted(own)
                            + " (at most 128 characters)");
                } else if (tags.contains(own)) {
                    spec.problems().error(spec.path("platforms"), "each platform's build pushes " + Rules.quoted(own)
                            + ", which is also one of the step's tags; the index goes under the step's tags");
                }
            }
        }
        return platforms;
    }

    /** {@code onExistingTag}: one of the exact names; unset is the default. */
    private static OnExistingTag onExistingTag(Fields spec) {
        if (spec.has("onExistingTag") && !spec.raw("onExistingTag").isTextual()) {
            spec.problems().error(spec.path("onExistingTag"), "must be a string: one of " + String.join(", ",
                    OnExistingTag.wires()));
            return null;
        }
        String text = spec.optionalText("onExistingTag");
        if (text == null) {
            return OnExistingTag.DEFAULT;
        }
        OnExistingTag value = OnExistingTag.fromWire(text);
        if (value == null) {
            spec.problems().error(spec.path("onExistingTag"), Rules.quoted(text) + " is not one of " + String.join(", ",
                    OnExistingTag.wires()));
        }
        return value;
    }

    /** The literal {@code "null"} a pipeline YAML leaves behind means unset, for all three fields alike. */
    private static String notNullString(Fields spec, String field) {
        String value = spec.optionalText(field);
        if ("null".equals(value)) {
            spec.problems().warn(spec.path(field), "the string \"null\" is treated as unset");
            return null;
        }
        return value;
    }

    private static List<KeyValue> buildArgs(Fields spec) {
        List<KeyValue> args = spec.textMap("buildArgs");
        boolean anyComma = args.stream().anyMatch(a -> a.value().contains(","));
        for (KeyValue arg : args) {
            String at = spec.path("buildArgs") + "." + arg.key();
            if (!arg.key().matches("[^=,;\\s]+")) {
                spec.problems().error(at, "a build-arg name must not be empty or contain =, ',', ';' or spaces");
            } else if (arg.value().contains(",") && arg.value().contains(";")) {
                spec.problems().error(at, "a value with both ',' and ';' cannot be passed to the plugins (no escaping exists)");
            } else if (anyComma && arg.value().contains(";")) {
                spec.problems().error(at, "contains ';', which cannot be passed while another build-arg value contains ','"
                        + " (the plugins then split on ';')");
            }
        }
        return args;
    }

    private static List<KeyValue> labels(Fields spec) {
        List<KeyValue> labels = spec.textMap("labels");
        for (KeyValue label : labels) {
            String at = spec.path("labels") + "." + label.key();
            if (!label.key().matches("[^=,\\s]+")) {
                spec.problems().error(at, "a label key must not be empty or contain =, ',' or spaces");
            } else if (label.value().contains(",")) {
                spec.problems().error(at, "a label value with ',' cannot be passed to the plugins (they split on ',')");
            }
        }
        return labels;
    }

    private static List<KeyValue> envVariables(Fields spec) {
        List<KeyValue> variables = spec.textMap("envVariables");
        for (KeyValue variable : variables) {
            String at = spec.path("envVariables") + "." + variable.key();
            if (!Rules.ENV_NAME.matcher(variable.key()).matches()) {
                spec.problems().error(at, "is not an environment variable name (letters, digits and _, not starting with a digit)");
            } else if (variable.key().toUpperCase(Locale.ROOT).startsWith("CODEBUILD_")) {
                spec.problems().error(at, "CODEBUILD_ variables are reserved by CodeBuild");
            }
        }
        return variables;
    }

    /**
     * @param variables the variable of each id read so far, with the field that has it. Only a secret given by
     *                  reference arrives in its variable, but every id of both maps is held to a variable of its
     *                  own, so that whether two ids may coexist never depends on their values.
     */
    private static List<DockerSecret> dockerSecrets(Fields spec, String field, boolean files, Map<String, String> variables) {
        List<DockerSecret> secrets = new ArrayList<>();
        for (KeyValue entry : spec.textMap(field)) {
            String at = spec.path(field) + "." + entry.key();
            if (!Rules.SECRET_ID.matcher(entry.key()).matches()) {
                spec.problems().error(at, "a secret id must be 1 to 128 of A-Z a-z 0-9 _ . -");
                continue;
            }
            if (entry.key().chars().allMatch(c -> c == '.')) {
                // A file secret given by reference is written to /tmp/docker-secrets/<id>: . and .. name no file there.
                spec.problems().error(at, "a secret id must not be only dots");
                continue;
            }
            String variable = DockerSecret.variable(entry.key());
            String first = variables.putIfAbsent(variable, at);
            if (first != null) {
                spec.problems().error(at, "maps to the same variable " + variable + " as " + first);
            }
            DockerSecret.Source source;
            if (SecretRef.looksLikeReference(entry.value())) {
                SecretRef ref = SecretRef.parse(entry.value(), at, spec.problems());
                source = ref == null ? null : new DockerSecret.Source.Reference(ref);
            } else if (files) {
                source = entry.value().contains(",") || entry.value().contains("=")
                        ? null
                        : new DockerSecret.Source.FilePath(entry.value());
                if (source == null) {
                    spec.problems().error(at, "a file path must not contain ',' or '='");
                }
            } else {
                source = Rules.ENV_NAME.matcher(entry.value()).matches() ? new DockerSecret.Source.EnvName(entry.value()) : null;
                if (source == null) {
                    spec.problems().error(at, "must be an environment variable name or a secret reference (arn:... or ssm:/path)");
                }
            }
            if (source != null) {
                secrets.add(new DockerSecret(entry.key(), source));
            }
        }
        return secrets;
    }

    /**
     * {@code scanGate} (docs/scan-gate.md): {@code maxSeverity} is required (the gate names its bar), {@code timeout}
     * is bounded; a multi-platform step is refused, since its tags name an index the function writes, whose platforms'
     * images are scanned one by one.
     */
    private static ScanGate scanGate(Fields spec, List<Platform> platforms) {
        Fields gate = spec.object("scanGate", false);
        if (gate == null) {
            return null;
        }
        Problems problems = spec.problems();
        gate.allowOnly(SCAN_GATE, Set.of());
        ScanGate.Severity bar = null;
        String barText = gate.requiredText("maxSeverity");
        if (barText != null) {
            bar = ScanGate.Severity.bar(barText);
            if (bar == null) {
                problems.error(gate.path("maxSeverity"), Rules.quoted(barText) + " is not one of " + ScanGate.Severity.BARS);
            }
        }
        boolean ignoreUnfixed = gate.bool("ignoreUnfixed", false);
        boolean untag = gate.bool("untagOnFailure", false);
        Duration timeout = ScanGate.DEFAULT_TIMEOUT;
        String timeoutText = gate.optionalText("timeout");
        if (timeoutText != null) {
            timeout = Rules.duration(timeoutText);
            if (timeout == null || timeout.compareTo(ScanGate.MIN_TIMEOUT) < 0 || timeout.compareTo(ScanGate.MAX_TIMEOUT) > 0) {
                problems.error(gate.path("timeout"), Rules.quoted(timeoutText) + " is not a duration from 1m to 6h, such as"
                        + " 30m");
                timeout = null;
            }
        }
        if (platforms.size() > 1) {
            problems.error(spec.path("scanGate"), "is not available for a multi-platform step: its tags name an index the"
                    + " function writes, and ECR scans each platform's image on its own; gate a step of one platform");
            return null;
        }
        return bar == null || timeout == null ? null : new ScanGate(bar, ignoreUnfixed, timeout, untag);
    }

    private static Resources resources(Fields resources) {
        if (resources == null) {
            return null;
        }
        resources.allowOnly(RESOURCES, Set.of());
        Fields limits = resources.object("limits", false);
        if (limits == null) {
            return null;
        }
        limits.allowOnly(LIMITS, Set.of());
        Long memory = null;
        String memoryText = limits.optionalText("memory");
        if (memoryText != null) {
            memory = Rules.memoryBytes(memoryText);
            if (memory == null) {
                limits.problems().error(limits.path("memory"), Rules.quoted(memoryText) + " is not a memory size such as 500Mi, 2Gi or 1G");
            }
        }
        Integer cpu = null;
        String cpuText = limits.optionalText("cpu");
        if (cpuText != null) {
            cpu = Rules.milliCpu(cpuText);
            if (cpu == null) {
                limits.problems().error(limits.path("cpu"), Rules.quoted(cpuText) + " is not a CPU amount such as 400m, 1 or 1.5");
            }
        }
        return memory == null && cpu == null ? null : new Resources(memory, cpu);
    }
}
