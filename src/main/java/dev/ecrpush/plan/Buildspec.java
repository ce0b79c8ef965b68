package dev.ecrpush.plan;

import java.util.ArrayList;
import java.util.List;

import dev.ecrpush.step.DockerSecret;
import dev.ecrpush.step.EcrSpec;

/** The CodeBuild buildspec that runs a plugin as its image's entry point would. */
final class Buildspec {
    private Buildspec() {
    }

    static String render(Plugin plugin, EcrSpec spec) {
        List<String> commands = new ArrayList<>();
        if (plugin.needsDockerDaemon()) {
            // The plugins run with PLUGIN_DAEMON_OFF=true (as on a Harness VM), so the daemon is ours to start.
            commands.add("nohup dockerd --host=unix:///var/run/docker.sock > /tmp/dockerd.log 2>&1 &");
            commands.add("timeout 60 sh -c 'until docker info > /dev/null 2>&1; do sleep 1; done'");
        }
        List<DockerSecret> files = spec.fileDockerSecrets().stream()
                .filter(s -> s.source() instanceof DockerSecret.Source.Reference)
                .toList();
        if (!files.isEmpty()) {
            commands.add("mkdir -p " + PluginEnvMapper.SECRET_FILE_DIR + " && chmod 700 " + PluginEnvMapper.SECRET_FILE_DIR);
            for (DockerSecret secret : files) {
                commands.add("printf '%s' \"$" + PluginEnvMapper.secretVariable(secret.id()) + "\" > "
                        + PluginEnvMapper.secretFile(secret.id()));
            }
        }
        commands.add(plugin.entrypoint());
        StringBuilder yaml = new StringBuilder("version: 0.2\nphases:\n  build:\n    commands:\n");
        for (String command : commands) {
            yaml.append("      - ").append(quote(command)).append('\n');
        }
        return yaml.toString();
    }

    /** YAML single-quoted scalar: the commands hold ':' and quotes. */
    private static String quote(String command) {
        return "'" + command.replace("'", "''") + "'";
    }
}
