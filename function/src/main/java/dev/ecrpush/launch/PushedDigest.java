package dev.ecrpush.launch;

import java.util.List;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.codebuild.model.Build;
import software.amazon.awssdk.services.codebuild.model.ExportedEnvironmentVariable;

import dev.ecrpush.plan.Buildspec;
import dev.ecrpush.plan.EcsTaskLayout;

/**
 * The digest of the image a build pushed, as the build itself reported it: CodeBuild's exported variable
 * {@value Buildspec#DIGEST_VARIABLE}, or the last line of an ECS plugin container's log. Never what a tag points
 * at when someone asks: a shared tag such as {@code latest} may name another build's image by then. Anything that
 * is not a well-formed digest is no digest.
 */
final class PushedDigest {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private PushedDigest() {
    }

    /** From {@code BatchGetBuilds}: null when the build exported none (it failed, or its plugin wrote none). */
    static String of(Build build) {
        List<ExportedEnvironmentVariable> exported = build.exportedEnvironmentVariables();
        return exported.stream()
                .filter(v -> Buildspec.DIGEST_VARIABLE.equals(v.name()))
                .findFirst()
                .map(v -> valid(v.value()))
                .orElse(null);
    }

    /**
     * From the plugin container's log, oldest event first: only its very last line counts, which the container
     * printed after the plugin exited, so nothing the Dockerfile's own commands printed can stand in for it.
     */
    static String ofLog(List<OutputLogEvent> events) {
        if (events.isEmpty()) {
            return null;
        }
        String last = events.get(events.size() - 1).message().strip();
        return last.startsWith(EcsTaskLayout.DIGEST_MARKER) ? valid(last.substring(EcsTaskLayout.DIGEST_MARKER.length())) : null;
    }

    private static String valid(String text) {
        return text != null && DIGEST.matcher(text).matches() ? text : null;
    }
}
