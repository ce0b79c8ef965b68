package dev.ecrpush.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * A group of the Linux kernel's CPU controller holding the function's process, so that its CPU can be shared as
 * Lambda shares it ({@link LocalLambdaRuntime.CpuShare#MEMORY}): every thread of the process together gets at most
 * {@link #quotaMicros(int)} of CPU time in each period of {@value #PERIOD_MICROS} µs (the kernel's CFS bandwidth
 * control, its default period), or no limit. Both control-group versions are handled: version 1's {@code cpu}
 * hierarchy ({@code cpu.cfs_period_us}, {@code cpu.cfs_quota_us}) and version 2's {@code cpu.max}, where the
 * hierarchy's root hands the {@code cpu} controller down. Making a group needs the right to write there (root, or a
 * delegated hierarchy); where it cannot be made, {@link #create} says why rather than let the function run unlimited.
 */
final class CpuQuota implements AutoCloseable {
    /** The kernel's default CFS period. */
    static final long PERIOD_MICROS = 100_000;
    /** "At 1,769 MB, a function has the equivalent of one vCPU" (Lambda developer guide, "Configure Lambda function memory"). */
    static final int ONE_VCPU_MB = 1769;

    private static final Path MOUNTS = Path.of("/proc/self/mounts");

    private final Path group;
    private final boolean version2;

    private CpuQuota(Path group, boolean version2) {
        this.group = group;
        this.version2 = version2;
    }

    /** The CPU time a function of {@code memoryMb} gets in each period: its share of one vCPU, or more than one. */
    static long quotaMicros(int memoryMb) {
        return Math.round(memoryMb * (double) PERIOD_MICROS / ONE_VCPU_MB);
    }

    /**
     * Makes a group of its own and moves the process {@code pid} (all its threads, and those it starts later) into
     * it, with no limit yet.
     *
     * @throws IOException naming what is missing when the kernel's CPU controller cannot be used here
     */
    static CpuQuota create(long pid) throws IOException {
        return create(pid, MOUNTS);
    }

    /** {@link #create(long)} with the mounts read from {@code mounts}: a test's stand-in for {@code /proc/self/mounts}. */
    static CpuQuota create(long pid, Path mounts) throws IOException {
        Controller controller = controller(mounts).orElseThrow(() -> new IOException("no CPU controller of the kernel's "
                + "control groups is mounted where this process can use it (" + mounts + " lists none)"));
        Path group = controller.root().resolve("ecrpush-function-" + pid + "-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            Files.createDirectory(group);
        } catch (IOException e) {
            throw new IOException("cannot make a control group under " + controller.root()
                    + " (making one needs root or a delegated hierarchy): " + e, e);
        }
        CpuQuota quota = new CpuQuota(group, controller.version2());
        try {
            if (!controller.version2()) {
                Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
            }
            quota.unlimit();
            Files.writeString(group.resolve("cgroup.procs"), Long.toString(pid));
        } catch (IOException | UncheckedIOException e) {
            quota.close();
            throw new IOException("cannot put the function's process in control group " + group + ": " + e, e);
        }
        return quota;
    }

    /** Where the function's CPU cannot be shared as Lambda shares it, why; empty where it can be. */
    static Optional<String> unavailableBecause() {
        Optional<Controller> controller = controller(MOUNTS);
        if (controller.isEmpty()) {
            return Optional.of("no CPU controller of the kernel's control groups is mounted here");
        }
        if (!Files.isWritable(controller.get().root())) {
            return Optional.of("the CPU controller's hierarchy " + controller.get().root() + " is not writable by this user");
        }
        return Optional.empty();
    }

    /** Every thread of the process together gets at most {@code micros} of CPU time in each period. */
    void limit(long micros) {
        if (micros <= 0) {
            throw new IllegalArgumentException("a CPU quota is more than 0 µs, not " + micros);
        }
        write(version2 ? micros + " " + PERIOD_MICROS : Long.toString(micros));
    }

    /** No limit: the process takes whatever CPU it may run on. */
    void unlimit() {
        write(version2 ? "max " + PERIOD_MICROS : "-1");
    }

    /** The limit now in force, as the kernel reports it: microseconds per period, empty for none. */
    Optional<Long> limitMicros() {
        try {
            String value = Files.readString(group.resolve(version2 ? "cpu.max" : "cpu.cfs_quota_us")).strip();
            String quota = version2 ? value.split(" ")[0] : value;
            return quota.equals("max") || quota.equals("-1") ? Optional.empty() : Optional.of(Long.parseLong(quota));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the group once its process is gone; the kernel refuses while a thread is still in it, so it is retried. */
    @Override
    public void close() {
        for (int attempt = 0; attempt < 50 && Files.exists(group); attempt++) {
            try {
                Files.delete(group);
                return;
            } catch (IOException e) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void write(String value) {
        try {
            Files.writeString(group.resolve(version2 ? "cpu.max" : "cpu.cfs_quota_us"), value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the CPU quota of " + group, e);
        }
    }

    /** The mounted hierarchy that has the CPU controller: version 1's {@code cpu}, else version 2's where it is enabled. */
    private static Optional<Controller> controller(Path mountTable) {
        List<String> mounts;
        try {
            mounts = Files.readAllLines(mountTable);
        } catch (IOException e) {
            return Optional.empty();
        }
        Optional<Controller> v2 = Optional.empty();
        for (String mount : mounts) {
            String[] fields = mount.split(" ");
            if (fields.length < 4) {
                continue;
            }
            Path root = Path.of(fields[1]);
            if (fields[2].equals("cgroup") && List.of(fields[3].split(",")).contains("cpu")) {
                return Optional.of(new Controller(root, false));
            }
            if (fields[2].equals("cgroup2") && v2.isEmpty() && enables(root)) {
                v2 = Optional.of(new Controller(root, true));
            }
        }
        return v2;
    }

    private static boolean enables(Path v2Root) {
        try {
            return List.of(Files.readString(v2Root.resolve("cgroup.subtree_control")).strip().split(" ")).contains("cpu");
        } catch (IOException e) {
            return false;
        }
    }

    private record Controller(Path root, boolean version2) {
    }
}
