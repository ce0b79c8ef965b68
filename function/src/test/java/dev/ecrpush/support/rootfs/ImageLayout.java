package dev.ecrpush.support.rootfs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.ecrpush.plan.BuildImage;

/**
 * A root filesystem laid out from an image's facts ({@link BuildImage}) and nothing else, so a script that calls
 * a program its image does not have fails here with "not found":
 *
 * <ul>
 * <li>the shell where the image has one (busybox's ash; a symlink when the facts put {@code sh} elsewhere, as
 * the kaniko debug image's {@code /bin/sh -> /busybox/sh}; the host's bash where the image's is bash), none where
 * it has none;</li>
 * <li>each program busybox provides as a busybox applet at the image's path for it;</li>
 * <li>{@code git} as the host's git, {@code nohup} as the host's (Debian's busybox-static has no nohup applet;
 * alpine's busybox, which the docker images have, does);</li>
 * <li>every other program (the plugins, dockerd, docker, kaniko's executor) as a recording stub.</li>
 * </ul>
 */
public final class ImageLayout {
    private static Set<String> applets;

    private ImageLayout() {
    }

    /** The root of {@code image} in {@code emptyDirectory}. */
    public static ImageRootfs of(BuildImage image, Path emptyDirectory) {
        ImageRootfs root = ImageRootfs.in(emptyDirectory);
        String sh = image.programs().stream().filter(p -> p.name().equals("sh")).map(BuildImage.Program::path)
                .findFirst().orElse(null);
        image.shell().ifPresent(shell -> {
            if (shell.endsWith("/bash")) {
                root.hostProgram(shell, Path.of("/bin/bash"));
                return;
            }
            root.shell(sh == null ? shell : sh);
            if (sh != null && !sh.equals(shell)) {
                root.symlink(shell, sh);
            }
        });
        for (BuildImage.Program program : image.programs()) {
            if (program.name().equals("sh") || program.name().equals("bash")) {
                continue;
            }
            if (program.name().equals("git")) {
                root.hostGit();
            } else if (program.name().equals("nohup")) {
                root.hostProgram(program.path(), Path.of("/usr/bin/nohup"));
            } else if (applets().contains(program.name())) {
                root.busyboxApplet(program.path());
            } else {
                root.stub(program.path());
            }
        }
        return root;
    }

    /** Whether the layout makes {@code program} a recording stub. */
    public static boolean isStub(BuildImage.Program program) {
        return !program.name().equals("sh") && !program.name().equals("bash") && !program.name().equals("git")
                && !program.name().equals("nohup")
                && !applets().contains(program.name());
    }

    /** The applets busybox-static has (it runs none it is not linked as). */
    private static synchronized Set<String> applets() {
        if (applets == null) {
            Host.Output list = Host.run(List.of(ImageRootfs.HostBusybox.path().toString(), "--list"), null, null, null,
                    Duration.ofSeconds(30));
            applets = new TreeSet<>(List.of(list.stdout().strip().split("\n")));
        }
        return applets;
    }
}
