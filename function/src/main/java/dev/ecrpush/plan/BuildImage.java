package dev.ecrpush.plan;

import java.util.List;
import java.util.Optional;

import dev.ecrpush.step.Platform;

/**
 * Every image the function starts, and what the scripts it hands them may rely on: the one place for the facts
 * about an image (its shell or none, its entry point, its {@code PATH}, the programs the rendered scripts call),
 * each read from the image's Dockerfile, cited in {@link #source()}. The CodeBuild buildspec and the ECS task are
 * rendered from these facts, and the tests lay out a root filesystem from them and run the rendered scripts in it,
 * so a script that calls something its image does not have fails a test, not a build.
 *
 * <p>Why the kaniko plugin runs in an image of the project's own: CodeBuild runs every buildspec command through
 * a shell inside the build image, and {@code plugins/kaniko-ecr} has none (its base is a kaniko executor image,
 * {@code FROM scratch} plus binaries). Upstream kaniko was archived in June 2025. {@link #KANIKO_ECR} is the
 * plugin binary on the maintained {@code osscontainertools/kaniko} fork's {@code debug} image, which has busybox
 * and {@code /bin/sh}; the stack builds it ({@code infra/images/kaniko-ecr/Dockerfile}).
 */
public enum BuildImage {
    /** The kaniko plugin on a maintained kaniko with a shell: infra K8, on CodeBuild and on ECS. */
    KANIKO_ECR("ecr-build-push/kaniko-ecr:1.13.9-kaniko1.28.5", "/bin/sh",
            List.of("/kaniko/kaniko-ecr"), "/usr/local/bin:/kaniko:/busybox",
            List.of(new Program("kaniko-ecr", "/kaniko/kaniko-ecr"), new Program("executor", "/kaniko/executor"),
                    new Program("sh", "/busybox/sh")),
            "infra/images/kaniko-ecr/Dockerfile: FROM ghcr.io/osscontainertools/kaniko:v1.28.5-debug (osscontainertools/kaniko"
                    + " deploy/Dockerfile @ v1.28.3, target kaniko-debug: busybox in /busybox, a VOLUME; /bin/sh -> /busybox/sh;"
                    + " PATH=/usr/local/bin:/kaniko:/busybox; /kaniko/executor), plus /kaniko/kaniko-ecr from plugins/kaniko-ecr:1.13.9"
                    + " (drone/drone-kaniko docker/ecr/Dockerfile.linux.amd64 @ v1.13.9: ADD release/linux/amd64/kaniko-ecr /kaniko/;"
                    + " the plugin runs /kaniko/executor with --digest-file=/kaniko/digest-file, kaniko.go)",
            List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
            "built by the stack's image bootstrap (infra/buildspec-images.yml, run by images/ImageBootstrap) with docker build,"
                    + " natively per platform: one build in the CodeBuild LINUX_CONTAINER project"
                    + " (aws/codebuild/amazonlinux-x86_64-standard:5.0) and one on ARM_CONTAINER"
                    + " (aws/codebuild/amazonlinux-aarch64-standard:3.0), each checking its image's platform before pushing it;"
                    + " the function then writes the index over the two and pins the image by its digest (images/KanikoIndex)."
                    + " Both bases exist for linux/arm64: plugins/kaniko-ecr:1.13.9 (below) and ghcr.io/osscontainertools/kaniko"
                    + " debug (osscontainertools/kaniko .github/workflows/images.yaml @ v1.28.3, image executor-debug, target"
                    + " kaniko-debug: platforms linux/amd64,linux/arm64,linux/s390x,linux/riscv64,linux/ppc64le)"),

    /**
     * The upstream kaniko plugin image, as released: not started by the function (it has no shell, so a buildspec
     * cannot run in it), kept here because {@link #KANIKO_ECR} takes its plugin binary from it.
     */
    PLUGINS_KANIKO_ECR("plugins/kaniko-ecr:1.13.9", null,
            List.of("/kaniko/kaniko-ecr"), "/usr/local/bin:/kaniko",
            List.of(new Program("kaniko-ecr", "/kaniko/kaniko-ecr"), new Program("executor", "/kaniko/executor")),
            "drone/drone-kaniko docker/ecr/Dockerfile.linux.amd64 @ v1.13.9: FROM harnesscommunity/kaniko-executor:1.25.15-linux-amd64"
                    + " (a kaniko executor image: FROM scratch plus /kaniko binaries, no shell; @ v1.13.3 the same on 1.25.0),"
                    + " ENTRYPOINT [\"/kaniko/kaniko-ecr\"]",
            List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
            "drone/drone-kaniko @ v1.13.9: docker/ecr/Dockerfile.linux.arm64 (FROM harnesscommunity/kaniko-executor:1.25.15-linux-arm64),"
                    + " .harness/harness.yaml stage linux-arm64 (auto_tag_suffix linux-arm64, matrix repo ecr) and"
                    + " docker/ecr/manifest.tmpl: plugins/kaniko-ecr:TAG lists linux/amd64 and linux/arm64"),

    /** drone-docker behind the ECR wrapper, docker-in-docker: infra VM and DLITE_VM without caching. */
    ECR("plugins/ecr:21.1.1", "/bin/sh",
            List.of("/usr/local/bin/dockerd-entrypoint.sh", "/bin/drone-ecr"), Paths.ALPINE,
            docker(new Program("drone-ecr", "/bin/drone-ecr")),
            "drone-plugins/drone-docker docker/ecr/Dockerfile.linux.amd64 @ v21.1.1: FROM plugins/docker:linux-amd64,"
                    + " ENTRYPOINT [\"/usr/local/bin/dockerd-entrypoint.sh\", \"/bin/drone-ecr\"]; plugins/docker"
                    + " (docker/docker/Dockerfile.linux.amd64) is FROM docker:28.1.1-dind -> docker:28-cli -> alpine:3.21:"
                    + " busybox /bin/sh and applets, dockerd and docker in /usr/local/bin",
            List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
            "drone-plugins/drone-docker @ v21.1.1: docker/ecr/Dockerfile.linux.arm64 (FROM plugins/docker:linux-arm64) and"
                    + " docker/ecr/manifest.tmpl: plugins/ecr:TAG lists linux/amd64, linux/arm64 (variant v8) and two windows/amd64"),

    /** buildx behind the ECR wrapper, docker-in-docker: infra VM and DLITE_VM with caching. */
    BUILDX_ECR("plugins/buildx-ecr:1.4.2", "/bin/sh",
            List.of("/usr/local/bin/dockerd-entrypoint.sh", "/bin/buildx-ecr"), Paths.ALPINE,
            docker(new Program("buildx-ecr", "/bin/buildx-ecr")),
            "drone-plugins/drone-buildx-ecr docker/Dockerfile.linux.amd64 @ v1.4.2: FROM plugins/buildx:linux-amd64,"
                    + " ENTRYPOINT [\"/usr/local/bin/dockerd-entrypoint.sh\", \"/bin/buildx-ecr\"]; plugins/buildx"
                    + " (drone-plugins/drone-buildx @ v1.3.12) is FROM docker:28.1.1-dind -> alpine:3.21, as plugins/ecr",
            List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
            "drone-plugins/drone-buildx-ecr @ v1.4.2: docker/ecr/Dockerfile.linux.arm64 (FROM plugins/buildx:linux-arm64),"
                    + " .drone.yml pipeline linux-arm64-ecr (arch arm64, auto_tag_suffix linux-arm64) and docker/ecr/manifest.tmpl:"
                    + " plugins/buildx-ecr:TAG lists linux/amd64, linux/arm64 (variant v8) and two windows/amd64"),

    /** The ECS task's {@code source} container: clones the commit into the volume the plugin builds from. */
    GIT_SOURCE("alpine/git:2.45.2", "/bin/sh",
            List.of("git"), Paths.ALPINE,
            List.of(new Program("git", "/usr/bin/git"), new Program("sh", "/bin/sh"), new Program("tail", "/usr/bin/tail")),
            "alpine-docker/git Dockerfile: FROM alpine, apk add git ..., ENTRYPOINT [\"git\"]; no ENV HOME;"
                    + " busybox /bin/sh and applets from alpine",
            List.of(Platform.LINUX_AMD64, Platform.LINUX_ARM64),
            "alpine-docker/git build.sh (master): docker buildx build --push --platform linux/amd64,linux/arm/v7,"
                    + "linux/arm64/v8,linux/arm/v6,linux/ppc64le,linux/s390x,linux/386, tagged v<git version> and <git version>"),

    /**
     * The image the stack's image bootstrap builds {@link #KANIKO_ECR} in (CodeBuild's managed Amazon Linux image,
     * privileged, for {@code docker build}): started by the stack at deploy, not by the function, and kept here
     * because its buildspec ({@code infra/buildspec-images.yml}) is one more script handed to CodeBuild.
     */
    IMAGE_BUILDER("aws/codebuild/amazonlinux-x86_64-standard:5.0", "/bin/bash",
            List.of(), Paths.ALPINE,
            List.of(new Program("bash", "/bin/bash"), new Program("docker", "/usr/local/bin/docker"),
                    new Program("aws", "/usr/local/bin/aws"), new Program("grep", "/usr/bin/grep")),
            "aws/aws-codebuild-docker-images al/x86_64/standard/5.0/Dockerfile: FROM amazonlinux:2023 (bash, grep);"
                    + " AWS CLI v2 installed with -b /usr/local/bin; Docker 28.5.2's static binaries extracted into"
                    + " /usr/local/bin (CodeBuild starts the daemon in privileged mode)",
            List.of(Platform.LINUX_AMD64),
            "an x86_64 image by name; the bootstrap's arm64 build overrides it with aws/codebuild/amazonlinux-aarch64-standard:3.0"
                    + " (ARM_CONTAINER), CodeBuild's Amazon Linux 2023 aarch64 image with the same tools");

    /** Constants the constants above use: an enum's own static fields are not yet set when its constants are made. */
    private static final class Paths {
        /** alpine's default {@code PATH}, which the docker and alpine/git images keep (Amazon Linux's is the same). */
        static final String ALPINE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    }

    /** Where a program lives in an image: scripts call it by {@link #name()} through the image's {@code PATH}. */
    public record Program(String name, String path) {
    }

    private final String defaultReference;
    private final String shell;
    private final List<String> entrypoint;
    private final String path;
    private final List<Program> programs;
    private final String source;
    private final List<Platform> platforms;
    private final String platformsSource;

    BuildImage(String defaultReference, String shell, List<String> entrypoint, String path, List<Program> programs,
            String source, List<Platform> platforms, String platformsSource) {
        this.defaultReference = defaultReference;
        this.shell = shell;
        this.entrypoint = List.copyOf(entrypoint);
        this.path = path;
        this.programs = List.copyOf(programs);
        this.source = source;
        this.platforms = List.copyOf(platforms);
        this.platformsSource = platformsSource;
    }

    /** The plugins/ecr and plugins/buildx-ecr layout: the plugin, the daemon, and the busybox applets the buildspec uses. */
    private static List<Program> docker(Program plugin) {
        return List.of(plugin, new Program("dockerd", "/usr/local/bin/dockerd"), new Program("docker", "/usr/local/bin/docker"),
                new Program("sh", "/bin/sh"), new Program("nohup", "/usr/bin/nohup"), new Program("timeout", "/usr/bin/timeout"),
                new Program("sleep", "/bin/sleep"), new Program("cat", "/bin/cat"), new Program("sed", "/bin/sed"),
                new Program("mkdir", "/bin/mkdir"), new Program("chmod", "/bin/chmod"), new Program("head", "/usr/bin/head"));
    }

    /** The reference started when the configuration names no other ({@code name:tag}, or pinned {@code name@sha256:...}). */
    public String defaultReference() {
        return defaultReference;
    }

    /** The absolute path of the image's POSIX shell; empty when it has none (then no script can run in it). */
    public Optional<String> shell() {
        return Optional.ofNullable(shell);
    }

    /** {@code ENTRYPOINT} as the Dockerfile declares it: what ECS runs when the task definition sets none. */
    public List<String> entrypoint() {
        return entrypoint;
    }

    /** The image's {@code PATH}, through which scripts find {@link #programs()}. */
    public String path() {
        return path;
    }

    /** Every program a script rendered for this image calls (shell builtins aside), and where the image has it. */
    public List<Program> programs() {
        return programs;
    }

    /** Where the facts above were read: repository, path and tag. */
    public String source() {
        return source;
    }

    /**
     * The platforms {@link #defaultReference()} is published for (as the function knows them; for {@link #KANIKO_ECR},
     * what the stack builds), the ones the builds run on: {@code linux/amd64}, {@code linux/arm64}.
     */
    public List<Platform> platforms() {
        return platforms;
    }

    /** Where {@link #platforms()} was read: repository, path and tag. */
    public String platformsSource() {
        return platformsSource;
    }

    /**
     * The program a script is about to call; rendering fails here, not in a build, if the image lacks it.
     *
     * @throws IllegalStateException when the image has no such program
     */
    public String program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst()
                .map(Program::name)
                .orElseThrow(() -> new IllegalStateException(this + " has no program " + name + " (" + source + ")"));
    }

    /**
     * The shell scripts run with.
     *
     * @throws IllegalStateException when the image has none
     */
    public String requireShell() {
        if (shell == null) {
            throw new IllegalStateException(this + " has no shell, so no script can run in it (" + source + ")");
        }
        return shell;
    }
}
