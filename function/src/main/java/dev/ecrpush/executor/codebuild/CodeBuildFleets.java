package dev.ecrpush.executor.codebuild;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentType;

import dev.ecrpush.aws.Arn;
import dev.ecrpush.aws.Partition;
import dev.ecrpush.step.Fields;
import dev.ecrpush.step.KeyValue;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.Problems;
import dev.ecrpush.step.Rules;

/**
 * Reads the CodeBuild executor's machine options, {@code executor.computeType} and {@code executor.fleet}, and holds a
 * fleet to the deployment. A fleet is the deployer's reserved capacity, billed whether used or not: a payload may put
 * its build only on a fleet of the build account (the function's own; {@code buildpush.codebuild.account}), in the
 * project's region, and, when the deployer lists fleets ({@code buildpush.codebuild.fleets}), on one of those. All is
 * decided here, before any AWS call.
 */
final class CodeBuildFleets {
    /** {@code fleet/NAME:ID}: CodeBuild's fleet names (2 to 128 characters) and the ID it gives a fleet (a UUID). */
    private static final Pattern RESOURCE = Pattern.compile(
            "fleet/[A-Za-z0-9][A-Za-z0-9_-]{1,127}:[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
    private static final String FORM = "arn:PARTITION:codebuild:REGION:ACCOUNT:fleet/NAME:ID";

    private CodeBuildFleets() {
    }

    /**
     * Why {@code text} is not a fleet a build of this deployment may run on, or null when it is one.
     *
     * @param region  the project's region
     * @param account the build account; null when the deployment names none, which allows no fleet
     */
    static String problem(String text, String region, String account) {
        Arn arn = fleetArn(text);
        if (arn == null) {
            return "is not a CodeBuild fleet ARN (" + FORM + ")";
        }
        if (arn.partition() != Partition.of(region) || !arn.region().equals(region)) {
            return "is a fleet of region " + arn.region() + "; the builds run in " + region;
        }
        if (account == null) {
            return "cannot be checked: the deployment names no build account (buildpush.codebuild.account), so no fleet"
                    + " is allowed";
        }
        if (!arn.account().equals(account)) {
            // The build account is not quoted back: a caller learns only that this one is not it.
            return "is a fleet of account " + arn.account() + ", not of the build account; a build runs only on the"
                    + " function's own fleets";
        }
        return null;
    }

    /** {@code text} as a fleet's ARN; null when it is not one. */
    private static Arn fleetArn(String text) {
        Arn arn = Arn.parse(text);
        return arn != null && arn.service().equals("codebuild") && RESOURCE.matcher(arn.resource()).matches() ? arn : null;
    }

    /** {@code executor.computeType}: one of the on-demand compute types ({@link CodeBuildCompute}); null when unset. */
    static ComputeType computeType(Fields executor, Problems problems) {
        String text = executor.optionalText("computeType");
        if (text == null) {
            return null;
        }
        // Every type either environment type has; whether it has it in the region is checked per build.
        List<String> known = CodeBuildCompute.names(EnvironmentType.LINUX_CONTAINER, "us-east-1");
        if (!known.contains(text)) {
            problems.error("executor.computeType", Rules.quoted(text) + " is not an on-demand CodeBuild compute type " + known);
            return null;
        }
        return ComputeType.fromValue(text);
    }

    /**
     * {@code executor.fleet}: a fleet ARN, or a map of fleet ARNs keyed by platform ({@code linux/amd64}); each checked
     * by {@link #problem} and against the allow-list. Which platforms the step has is checked with the rest of the step
     * ({@code CodeBuildSpec#check}).
     */
    static CodeBuildSpec.Fleets fleets(Fields executor, CodeBuildSettings settings, Problems problems) {
        if (!executor.has("fleet")) {
            return CodeBuildSpec.Fleets.NONE;
        }
        if (!executor.isObject("fleet")) {
            String fleet = executor.optionalText("fleet");
            return fleet != null && allowed("executor.fleet", fleet, settings, problems)
                    ? new CodeBuildSpec.Fleets(fleet, Map.of()) : CodeBuildSpec.Fleets.NONE;
        }
        Map<Platform, String> byPlatform = new LinkedHashMap<>();
        for (KeyValue entry : executor.textMap("fleet")) {
            String at = "executor.fleet." + entry.key();
            Platform platform = Platform.parse(entry.key());
            if (platform == null) {
                problems.error(at, "is not a platform the builds run on natively; use "
                        + Platform.SUPPORTED.stream().map(Platform::wire).toList());
            } else if (byPlatform.containsKey(platform)) {
                problems.error(at, "names " + platform.wire() + " again");
            } else if (allowed(at, entry.value(), settings, problems)) {
                byPlatform.put(platform, entry.value());
            }
        }
        return new CodeBuildSpec.Fleets(null, byPlatform);
    }

    private static boolean allowed(String at, String fleet, CodeBuildSettings settings, Problems problems) {
        String problem = problem(fleet, settings.region(), settings.account());
        if (problem == null && !settings.fleets().isEmpty() && !settings.fleets().contains(fleet)) {
            problem = "is not one of the fleets this deployment allows (buildpush.codebuild.fleets)";
        }
        if (problem != null) {
            // A fleet ARN is quoted whole (its shape allows nothing but ARN characters), anything else cut.
            problems.error(at, (fleetArn(fleet) != null ? "\"" + fleet + "\"" : Rules.quoted(fleet)) + " " + problem);
            return false;
        }
        return true;
    }
}
