package dev.ecrpush.executor.codebuild;

import java.util.List;

import software.amazon.awssdk.services.codebuild.model.ComputeType;
import software.amazon.awssdk.services.codebuild.model.EnvironmentType;

import dev.ecrpush.aws.Partition;
import dev.ecrpush.step.Platform;

/**
 * The on-demand (EC2) compute types CodeBuild has for each environment type a build of this function runs in, the one
 * place that says which exist: a {@code computeTypeOverride} the environment type lacks fails the build at {@code
 * StartBuild}, after the function has done everything else.
 *
 * <p>Source: the CodeBuild User Guide, "Build environment compute modes and types", section "About environment
 * types" (build-env-ref-compute-types.html), on-demand EC2 table: {@code LINUX_CONTAINER} has SMALL (3 GB, 2 vCPUs),
 * MEDIUM (7 GB, 4), LARGE (15 GB, 8), XLARGE (70 GB, 36) and 2XLARGE (145 GB, 72); {@code ARM_CONTAINER} has SMALL
 * (4 GB, 2), MEDIUM (8 GB, 4), LARGE (16 GB, 8), XLARGE (64 GB, 32) and 2XLARGE (96 GB, 48). The China regions' copy
 * of the same page (docs.amazonaws.cn) lists only SMALL (4 GB, 2) and LARGE (16 GB, 8) for {@code ARM_CONTAINER}, so
 * that partition gets those two. The Lambda compute types ({@code BUILD_LAMBDA_*}) need the Lambda environment types,
 * which run no Docker daemon and no privileged mode, and attribute-based or custom-instance compute is for
 * reserved-capacity fleets: none of them is offered.
 */
final class CodeBuildCompute {
    /** A compute type of an environment type: its memory (GiB) and vCPUs, smallest first in each table. */
    record Size(ComputeType type, long memoryGib, int vcpus) {
    }

    private static final List<Size> LINUX = List.of(
            new Size(ComputeType.BUILD_GENERAL1_SMALL, 3, 2),
            new Size(ComputeType.BUILD_GENERAL1_MEDIUM, 7, 4),
            new Size(ComputeType.BUILD_GENERAL1_LARGE, 15, 8),
            new Size(ComputeType.BUILD_GENERAL1_XLARGE, 70, 36),
            new Size(ComputeType.BUILD_GENERAL1_2_XLARGE, 145, 72));

    private static final List<Size> ARM = List.of(
            new Size(ComputeType.BUILD_GENERAL1_SMALL, 4, 2),
            new Size(ComputeType.BUILD_GENERAL1_MEDIUM, 8, 4),
            new Size(ComputeType.BUILD_GENERAL1_LARGE, 16, 8),
            new Size(ComputeType.BUILD_GENERAL1_XLARGE, 64, 32),
            new Size(ComputeType.BUILD_GENERAL1_2_XLARGE, 96, 48));

    private static final List<Size> ARM_CHINA = List.of(
            new Size(ComputeType.BUILD_GENERAL1_SMALL, 4, 2),
            new Size(ComputeType.BUILD_GENERAL1_LARGE, 16, 8));

    private CodeBuildCompute() {
    }

    /**
     * The environment type a platform's build runs in; {@code LINUX_CONTAINER} when the step names no platform (the
     * environment of this stack's projects).
     */
    static EnvironmentType environmentType(Platform platform) {
        return platform != null && platform.arm() ? EnvironmentType.ARM_CONTAINER : EnvironmentType.LINUX_CONTAINER;
    }

    /** The compute types of {@code environmentType} in {@code region}, smallest first. */
    static List<Size> sizes(EnvironmentType environmentType, String region) {
        if (environmentType == EnvironmentType.ARM_CONTAINER) {
            return Partition.of(region) == Partition.AWS_CN ? ARM_CHINA : ARM;
        }
        return LINUX;
    }

    /** The names of the compute types of {@code environmentType} in {@code region}, for messages. */
    static List<String> names(EnvironmentType environmentType, String region) {
        return sizes(environmentType, region).stream().map(size -> size.type().toString()).toList();
    }

    /** Whether {@code type} exists for {@code environmentType} in {@code region}. */
    static boolean exists(ComputeType type, EnvironmentType environmentType, String region) {
        return sizes(environmentType, region).stream().anyMatch(size -> size.type() == type);
    }
}
