package dev.ecrpush.support.rootfs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Runs a buildspec's {@code build} phase in an {@link ImageRootfs} the way CodeBuild runs it on a Linux image,
 * as far as public sources show. What is known: buildspec 0.2 runs each command through the image's shell
 * ({@code sh} unless {@code env.shell} says otherwise), variables and {@code cd} from one command carry over to
 * the next, the first command that exits non-zero fails the phase and no later command of it runs, and the
 * build's logs name the command's script {@code /codebuild/output/tmp/script.sh} with the command on its line 4
 * ("script.sh: line 4: ...: not found") beside an {@code env.sh} in the same directory.
 *
 * <p>How the carry-over works inside CodeBuild is not published; this is our emulation of what the logs
 * show. Each command is written to {@code script.sh} as
 *
 * <pre>
 * 1  . /codebuild/output/tmp/env.sh
 * 2  cd "$PWD"
 * 3  set -a; trap 'export PWD; export -p &gt;/codebuild/output/tmp/env.sh' EXIT
 * 4  COMMAND
 * </pre>
 *
 * and run as {@code SHELL /codebuild/output/tmp/script.sh}: line 1 restores what the previous command left,
 * line 3 makes every assignment exported (AWS's own samples set {@code IMAGE_TAG=...} in one command and use
 * it in the next, without {@code export}) and saves the state however the command ends, {@code exit} included,
 * in the shell's own re-readable {@code export -p} form. So a command that unsets a variable given by the
 * build does not unset it for the next, and a command that sets its own EXIT trap carries nothing over.
 *
 * <p>The {@code install}, {@code pre_build} and {@code build} phases are run in that order, and a failed one ends
 * the build (CodeBuild's documented order; it runs no later phase but {@code post_build} after a failure, which is
 * not emulated). A buildspec with {@code post_build}, {@code finally}, {@code on-failure} or secrets is refused
 * rather than half-run. {@code env.shell} is accepted when it names the shell the emulation was given.
 * {@code env.variables} are set, below the build's own variables (as CodeBuild lets a start-build override win).
 * {@code env.exported-variables} are read from the state after the phases, whether they succeeded or not.
 */
public final class CodeBuildEmulation {
    /** Where CodeBuild puts the primary source, and the working directory of the first command. */
    public static final String SRC_DIR = "/codebuild/output/src1/src";
    public static final String BUILD_ID = "ecr-build-push:00000000-0000-4000-8000-000000000000";
    private static final String TMP = "/codebuild/output/tmp";
    private static final String SCRIPT = TMP + "/script.sh";
    private static final String ENV_SH = TMP + "/env.sh";
    private static final String EXPORTED = TMP + "/exported";
    private static final Set<String> PHASE_KEYS = Set.of("commands");
    private static final Set<String> ENV_KEYS = Set.of("variables", "exported-variables", "shell");
    private static final List<String> PHASES = List.of("install", "pre_build", "build");

    private final ImageRootfs rootfs;
    private final String shell;
    private final String path;

    /**
     * @param shell the image's shell, inside the root (e.g. {@code /bin/sh}); need not exist, as in a shell-less image
     * @param path the image's {@code PATH}, as the image's config sets it
     */
    public CodeBuildEmulation(ImageRootfs rootfs, String shell, String path) {
        this.rootfs = rootfs;
        this.shell = shell;
        this.path = path;
    }

    /** One command of the phase, as CodeBuild's log shows it ("Running command ..."), and how it ended. */
    public record Command(String command, int exitCode, String stdout, String stderr) {
    }

    /**
     * @param commands the commands that ran, in order; the last is the failing one if the phase failed
     * @param exportedVariables each {@code env.exported-variables} name that was set at the end, to its value
     */
    public record Result(List<Command> commands, boolean succeeded, Map<String, String> exportedVariables) {
        /** The last command's stderr, where a failure says why. */
        public String lastStderr() {
            return commands.isEmpty() ? "" : commands.get(commands.size() - 1).stderr();
        }
    }

    /**
     * Runs the {@code build} phase of {@code buildspec} with the build's {@code variables} (the project's and
     * start-build's environment variables) and CodeBuild's own: {@code CODEBUILD_BUILD_ID},
     * {@code CODEBUILD_SRC_DIR} (created, empty), {@code CODEBUILD_BUILD_SUCCEEDING=1}, {@code HOME=/root} and
     * the image's {@code PATH}.
     *
     * @param commandTimeout for each command; one that runs longer fails the test
     */
    public Result runBuildPhase(String buildspec, Map<String, String> variables, Duration commandTimeout) {
        Map<String, Object> spec = parse(buildspec);
        Map<String, Object> env = map(spec.get("env"), "env");
        checkKeys(env, ENV_KEYS, "env");
        List<String> exportedNames = strings(env.get("exported-variables"), "env.exported-variables");
        if (env.containsKey("shell") && !shell.endsWith("/" + env.get("shell")) && !shell.equals(env.get("shell"))) {
            throw new IllegalArgumentException("the buildspec runs in " + env.get("shell") + ", the emulation was given " + shell);
        }
        Map<String, Object> phases = map(spec.get("phases"), "phases");
        checkKeys(phases, Set.copyOf(PHASES), "phases");
        List<String> phaseCommands = new ArrayList<>();
        for (String phase : PHASES) {
            Map<String, Object> commands = map(phases.get(phase), "phases." + phase);
            checkKeys(commands, PHASE_KEYS, "phases." + phase);
            phaseCommands.addAll(strings(commands.get("commands"), "phases." + phase + ".commands"));
        }

        Map<String, String> environment = new LinkedHashMap<>();
        map(env.get("variables"), "env.variables").forEach((name, value) -> environment.put(name, String.valueOf(value)));
        environment.putAll(variables);
        environment.put("CODEBUILD_BUILD_ID", BUILD_ID);
        environment.put("CODEBUILD_SRC_DIR", SRC_DIR);
        environment.put("CODEBUILD_BUILD_SUCCEEDING", "1");
        environment.put("HOME", "/root");
        environment.put("PATH", path);

        rootfs.directory(SRC_DIR).directory(TMP).file(ENV_SH, "", 0644);
        List<Command> commands = new ArrayList<>();
        boolean succeeded = true;
        for (String command : phaseCommands) {
            rootfs.file(SCRIPT, ". " + ENV_SH + "\ncd \"$PWD\"\nset -a; trap 'export PWD; export -p >" + ENV_SH
                    + "' EXIT\n" + command + "\n", 0755);
            ImageRootfs.Result result = rootfs.run(List.of(shell, SCRIPT), environment, SRC_DIR, commandTimeout);
            commands.add(new Command(command, result.exitCode(), result.stdout(), result.stderr()));
            if (!result.succeeded()) {
                succeeded = false;
                break;
            }
        }
        return new Result(commands, succeeded, exported(exportedNames, environment, commandTimeout));
    }

    /**
     * The named variables as the last command left them, read by the image's shell from {@code env.sh} (the
     * shell's own quoting is the only sure way back to the values). Without a shell there is nothing to read.
     */
    private Map<String, String> exported(List<String> names, Map<String, String> environment, Duration timeout) {
        Map<String, String> values = new LinkedHashMap<>();
        if (names.isEmpty()) {
            return values;
        }
        rootfs.directory(EXPORTED);
        StringBuilder script = new StringBuilder(". " + ENV_SH + "\n");
        for (String name : names) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("not a variable name in env.exported-variables: " + name);
            }
            delete(rootfs.path(EXPORTED + "/" + name));
            script.append("if [ -n \"${").append(name).append("+set}\" ]; then printf '%s' \"$").append(name)
                    .append("\" >").append(EXPORTED).append('/').append(name).append("; fi\n");
        }
        rootfs.file(TMP + "/export.sh", script.toString(), 0755);
        ImageRootfs.Result result = rootfs.run(List.of(shell, TMP + "/export.sh"), environment, SRC_DIR, timeout);
        if (!result.succeeded()) {
            return values;
        }
        for (String name : names) {
            Path file = rootfs.path(EXPORTED + "/" + name);
            if (Files.exists(file)) {
                try {
                    values.put(name, Files.readString(file, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return values;
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, Object> parse(String buildspec) {
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(buildspec);
        Map<String, Object> spec = map(document, "the buildspec");
        Object version = spec.get("version");
        if (!"0.2".equals(String.valueOf(version))) {
            throw new IllegalArgumentException("only buildspec version 0.2 is emulated, not " + version);
        }
        return spec;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(where + " is not a mapping: " + value);
        }
        return (Map<String, Object>) value;
    }

    private static List<String> strings(Object value, String where) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(String.class::isInstance)) {
            throw new IllegalArgumentException(where + " is not a list of strings: " + value);
        }
        return list.stream().map(String.class::cast).toList();
    }

    private static void checkKeys(Map<String, Object> section, Set<String> emulated, String where) {
        for (String key : section.keySet()) {
            if (!emulated.contains(key)) {
                throw new IllegalArgumentException(where + "." + key + " is not emulated (only " + emulated + ")");
            }
        }
    }
}
