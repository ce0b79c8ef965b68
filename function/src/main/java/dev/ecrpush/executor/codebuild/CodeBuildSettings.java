package dev.ecrpush.executor.codebuild;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.codebuild.model.SourceType;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.config.Settings;
import dev.ecrpush.githost.GitHostRegistry;

/**
 * The CodeBuild executor's configuration ({@code buildpush.codebuild.*}), checked at start-up.
 *
 * @param project           the unprivileged project kaniko builds (infra K8) start on
 * @param dockerProject     the privileged project of the plugins that need the docker daemon (infra VM, DLITE_VM);
 *                          null (or {@code project} again): one project, which is then the privileged one for both
 * @param region            the region of the projects (the build account's)
 * @param sourceTypesByHost CodeBuild source types for self-managed Git hosts, by lower-case host name
 * @param account           the build account (the function's own, whose fleets a build may run on); null when not known
 * @param fleets            the only reserved-capacity fleets a payload may name, by ARN; empty: any fleet of {@code
 *                          account} in {@code region}
 */
public record CodeBuildSettings(String project, String dockerProject, String region, Map<String, String> sourceTypesByHost,
        String account, Set<String> fleets) {
    /** A build account: twelve digits. */
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    /** A DNS host name, lower case: what {@code URI.getHost()} of a clone URL is compared with. */
    private static final Pattern HOST = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    /** CodeBuild's source types of Git hosts, sorted; S3, CodePipeline and NO_SOURCE are not Git hosts. */
    private static final List<String> GIT_SOURCE_TYPES = SourceType.knownValues().stream()
            .filter(type -> type != SourceType.S3 && type != SourceType.CODEPIPELINE && type != SourceType.NO_SOURCE)
            .map(SourceType::toString).sorted().toList();

    public CodeBuildSettings {
        if (project == null || project.isBlank()) {
            throw new IllegalStateException("buildpush.codebuild.project must name the CodeBuild project");
        }
        if (dockerProject != null && (dockerProject.isBlank() || dockerProject.equals(project))) {
            dockerProject = null;
        }
        sourceTypesByHost = Map.copyOf(sourceTypesByHost);
        if (account == null || account.isBlank()) {
            account = accountOf(project);
        } else if (!ACCOUNT.matcher(account).matches()) {
            throw new IllegalStateException("buildpush.codebuild.account: \"" + account + "\" is not an AWS account ID (12 digits)");
        }
        fleets = Collections.unmodifiableSet(new LinkedHashSet<>(fleets));
        for (String fleet : fleets) {
            String problem = CodeBuildFleets.problem(fleet, region, account);
            if (problem != null) {
                throw new IllegalStateException("buildpush.codebuild.fleets: " + fleet + " " + problem);
            }
        }
    }

    /** Settings without fleet configuration: the build account is the configured project's when it is an ARN. */
    public CodeBuildSettings(String project, String dockerProject, String region, Map<String, String> sourceTypesByHost) {
        this(project, dockerProject, region, sourceTypesByHost, null, Set.of());
    }

    /** The account of a project given by ARN; null for a project given by name. */
    private static String accountOf(String project) {
        dev.ecrpush.aws.Arn arn = project == null ? null : dev.ecrpush.aws.Arn.parse(project);
        return arn == null ? null : arn.account();
    }

    /**
     * {@code buildpush.codebuild.fleets}: comma-separated fleet ARNs, blanks around entries allowed; empty for none.
     */
    public static Set<String> fleetList(String value) {
        Set<String> fleets = new LinkedHashSet<>();
        for (String entry : value.split(",")) {
            if (!entry.isBlank()) {
                fleets.add(entry.strip());
            }
        }
        return fleets;
    }

    /**
     * What the function runs with when nothing is configured: one project, {@code ecr-build-push}, in us-east-1, and
     * the registered Git hosts' own clone hosts.
     */
    public static CodeBuildSettings defaults() {
        return new CodeBuildSettings("ecr-build-push", null, "us-east-1", new GitHostRegistry().sourceTypesByHost());
    }

    /**
     * The source types are the Git hosts' own clone hosts ({@code github.com} → {@code GITHUB}), with the configured
     * entries over them: the deployer knows how its CodeBuild reaches each.
     *
     * @throws IllegalStateException naming the key of a value that is not valid
     */
    public static CodeBuildSettings from(ServiceConfig.CodeBuild config, GitHostRegistry hosts) {
        Map<String, String> types = new LinkedHashMap<>(hosts.sourceTypesByHost());
        types.putAll(config.gitHosts().map(CodeBuildSettings::gitHosts).orElse(Map.of()));
        return new CodeBuildSettings(config.project(), config.dockerProject().orElse(null),
                config.region().orElseGet(Settings::functionRegion), types, config.account().orElse(null),
                config.fleets().map(CodeBuildSettings::fleetList).orElse(Set.of()));
    }

    /**
     * {@code buildpush.codebuild.git-hosts}: comma-separated {@code host=SOURCE_TYPE} entries, as CodeBuild source
     * types by lower-cased host name. Blanks around entries and an empty entry are allowed; anything else that is
     * not a host name and a Git source type CodeBuild knows fails the start, naming the key and every bad entry.
     */
    public static Map<String, String> gitHosts(String value) {
        Map<String, String> types = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String entry : value.split(",")) {
            entry = entry.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int equals = entry.indexOf('=');
            if (equals < 0) {
                problems.add("\"" + entry + "\" is not a host=SOURCE_TYPE entry");
                continue;
            }
            String host = entry.substring(0, equals).strip().toLowerCase(Locale.ROOT);
            String type = entry.substring(equals + 1).strip();
            if (!HOST.matcher(host).matches()) {
                problems.add("\"" + host + "\" is not a host name (the clone URL's host alone: no scheme, port or path)");
            } else if (!GIT_SOURCE_TYPES.contains(type)) {
                problems.add("\"" + type + "\" (for " + host + ") is not a CodeBuild source type of a Git host ("
                        + String.join(", ", GIT_SOURCE_TYPES) + ")");
            } else if (types.putIfAbsent(host, type) != null) {
                problems.add(host + " is given twice");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("buildpush.codebuild.git-hosts: " + String.join("; ", problems));
        }
        return types;
    }

    /**
     * The project a build starts on, the one place that decides it: the plugins that need the docker daemon (infra
     * VM and DLITE_VM) run docker-in-docker, which needs privileged mode, so they start on {@link
     * #privilegedProject()}; kaniko (infra K8) needs none and starts on {@code project}, which stays unprivileged. A
     * payload may name only this project ({@code CodeBuildExecutor#parse}).
     */
    String projectFor(boolean needsDockerDaemon) {
        return needsDockerDaemon ? privilegedProject() : project;
    }

    /**
     * The only project a build may ask privileged mode for: {@code docker-project}, or the one project when no
     * other is configured (the deployer made it privileged for the docker plugins).
     */
    String privilegedProject() {
        return dockerProject != null ? dockerProject : project;
    }

    /** Whether the project this configuration names as {@code configured} is {@link #privilegedProject()}. */
    boolean isPrivileged(String configured) {
        return configured.equals(privilegedProject());
    }

    /**
     * The function's projects, by name: the only ones it starts builds on, reads back, and completes tasks for
     * ({@code project}, and {@code docker-project} when set; a configured ARN counts by its name).
     */
    public Set<String> projectNames() {
        Set<String> names = new LinkedHashSet<>();
        names.add(nameOf(project));
        if (dockerProject != null) {
            names.add(nameOf(dockerProject));
        }
        return Collections.unmodifiableSet(names);
    }

    /** A project's name: the text itself, or what follows {@code project/} in its ARN. */
    static String nameOf(String projectOrArn) {
        int at = projectOrArn.startsWith("arn:") ? projectOrArn.lastIndexOf(":project/") : -1;
        return at < 0 ? projectOrArn : projectOrArn.substring(at + ":project/".length());
    }
}
