package dev.ecrpush.executor.codebuild;

import java.util.ArrayList;
import java.util.List;

import dev.ecrpush.plan.BuildImage;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginEnvMapper;
import dev.ecrpush.step.DockerSecret;
import dev.ecrpush.step.EcrSpec;

/**
 * The CodeBuild buildspec that runs a plugin as its image's entry point would, rendered from the image's facts
 * ({@link BuildImage}): CodeBuild runs each command through the image's shell, so every command calls only
 * programs the image has, or shell builtins.
 *
 * <p>The build reports the digest it pushed itself, as the exported variable {@value #DIGEST_VARIABLE}, read
 * from what the plugin wrote (kaniko's digest file; the docker plugins' artifact file), so a status request never
 * has to ask ECR what a shared tag such as {@code latest} points at by then.
 */
public final class Buildspec {
    /** The exported variable holding {@code sha256:...} of the image the build pushed; empty or absent when unknown. */
    public static final String DIGEST_VARIABLE = "BUILDPUSH_IMAGE_DIGEST";
    static final String DOCKERD_LOG = "/tmp/dockerd.log";
    static final int DOCKERD_WAIT_SECONDS = 60;

    private Buildspec() {
    }

    static String render(Plugin plugin, EcrSpec spec) {
        BuildImage image = plugin.image();
        image.requireShell();
        List<String> commands = new ArrayList<>();
        if (plugin.needsDockerDaemon()) {
            // The plugins run with PLUGIN_DAEMON_OFF=true (as on a Harness VM), so the daemon is ours to start; when
            // it does not come up, its own log is the only explanation, so it is printed.
            commands.add(image.program("nohup") + " " + image.program("dockerd") + " --host=unix:///var/run/docker.sock > "
                    + DOCKERD_LOG + " 2>&1 &");
            commands.add("if ! " + image.program("timeout") + " " + DOCKERD_WAIT_SECONDS + " " + image.program("sh")
                    + " -c 'until " + image.program("docker") + " info > /dev/null 2>&1; do " + image.program("sleep")
                    + " 1; done'; then printf 'dockerd did not start in " + DOCKERD_WAIT_SECONDS + " s; its log:\\n' >&2; "
                    + image.program("cat") + " " + DOCKERD_LOG + " >&2; exit 1; fi");
            commands.add(image.program("mkdir") + " -p " + parent(PluginEnvMapper.ARTIFACT_FILE));
        }
        List<DockerSecret> files = spec.fileDockerSecrets().stream()
                .filter(s -> s.source() instanceof DockerSecret.Source.Reference)
                .toList();
        if (!files.isEmpty()) {
            commands.add(image.program("mkdir") + " -p " + PluginEnvMapper.SECRET_FILE_DIR + " && " + image.program("chmod")
                    + " 700 " + PluginEnvMapper.SECRET_FILE_DIR);
            for (DockerSecret secret : files) {
                commands.add("printf '%s' \"$" + PluginEnvMapper.secretVariable(secret.id()) + "\" > "
                        + PluginEnvMapper.secretFile(secret.id()));
            }
        }
        if (plugin == Plugin.KANIKO_ECR) {
            // One command: a multi-stage Dockerfile makes kaniko delete the build container's filesystem between
            // stages (all but /kaniko and mounts), so after the plugin only shell builtins are sure to be there.
            // read's status is not the build's: the digest file may end without a newline, or be missing.
            commands.add(plugin.binary() + " && { read -r " + DIGEST_VARIABLE + " < " + Plugin.KANIKO_DIGEST_FILE + "; export "
                    + DIGEST_VARIABLE + "; }");
        } else {
            commands.add(plugin.binary());
            // Every entry of the artifact file carries the same digest; an artifact without one leaves it empty.
            commands.add(DIGEST_VARIABLE + "=$(" + image.program("sed") + " -n '" + ARTIFACT_DIGEST_SED + "' "
                    + PluginEnvMapper.ARTIFACT_FILE + " | " + image.program("head") + " -n 1) && export " + DIGEST_VARIABLE);
        }
        StringBuilder yaml = new StringBuilder("version: 0.2\nenv:\n  exported-variables:\n    - ")
                .append(DIGEST_VARIABLE).append("\nphases:\n  build:\n    commands:\n");
        for (String command : commands) {
            yaml.append("      - ").append(quote(command)).append('\n');
        }
        return yaml.toString();
    }

    /** The {@code "digest": "sha256:..."} value of a drone artifact file ({@code drone-plugin-lib}'s docker/v1 format). */
    static final String ARTIFACT_DIGEST_SED = "s/.*\"digest\": *\"\\(sha256:[0-9a-f]\\{64\\}\\)\".*/\\1/p";

    private static String parent(String file) {
        return file.substring(0, file.lastIndexOf('/'));
    }

    /** YAML single-quoted scalar: the commands hold ':' and quotes. */
    private static String quote(String command) {
        return "'" + command.replace("'", "''") + "'";
    }
}
