/**
 * Runs the scripts that the function hands to CodeBuild and to the ECS task the way those services run them:
 * in a root filesystem laid out like the build image, through that image's shell or none, against a real git
 * server on loopback.
 *
 * <ul>
 * <li>{@link dev.ecrpush.support.rootfs.ImageRootfs}: the root filesystem (a busybox shell and applets, host
 * programs with their libraries, stub programs, files) and {@code run}, which runs a command in it as root with
 * exactly the environment given.</li>
 * <li>Stubs ({@code ImageRootfs.stub}, {@link dev.ecrpush.support.rootfs.StubCall}): static binaries standing in
 * for plugins; each call's argv, working directory and environment are recorded, and a stub can be told its
 * exit code, its output and files to write (a digest file, say).</li>
 * <li>{@link dev.ecrpush.support.rootfs.GitServer} and {@link dev.ecrpush.support.rootfs.FixtureRepository}:
 * git:// and smart HTTP on ephemeral ports, public and token-protected repositories built by real git
 * commands with fixed dates.</li>
 * <li>{@link dev.ecrpush.support.rootfs.CodeBuildEmulation}: a buildspec's build phase, command by command,
 * as CodeBuild runs it.</li>
 * </ul>
 *
 * <p>An ECS task's source container, for example, is its image with {@code sh -c SCRIPT}:
 *
 * <pre>{@code
 * @TempDir Path root;
 * @TempDir Path repos;
 *
 * try (GitServer server = GitServer.start(repos)) {
 *     server.repository("app").commit("main", Map.of("Dockerfile", "FROM scratch\n"), "first");
 *     ImageRootfs image = ImageRootfs.in(root).shell("/bin/sh").busyboxApplet("/bin/mkdir").hostGit();
 *     ImageRootfs.Result result = image.run(List.of("/bin/sh", "-c", script),
 *             Map.of("PATH", "/usr/bin:/bin", "REPO_URL", server.httpUrl("app")), "/", Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p>What the host needs, and the tests skip with the reason when it is missing: root, or an unprivileged user
 * namespace, to change a process's root; util-linux's {@code unshare}; busybox-static; gcc with a static libc
 * (libc6-dev); git. {@code .ci/run} installs the packages. The stub is compiled once per test JVM into
 * {@code target/rootfs-stub}.
 */
package dev.ecrpush.support.rootfs;
