package dev.ecrpush.executor.ecs;

import java.math.BigDecimal;
import java.util.List;

import dev.ecrpush.step.Resources;
import dev.ecrpush.step.Warning;

/**
 * A task size Fargate accepts: {@code cpu} in CPU units (1024 = 1 vCPU) and {@code memory} in MiB. Fargate
 * takes only fixed pairs, so requested limits are rounded up to the smallest pair that holds both.
 */
public record FargateSize(int cpu, int memory) {
    /** The size a task gets when the step sets no {@code resources}: enough for kaniko to unpack base images. */
    public static final FargateSize DEFAULT = new FargateSize(1024, 2048);

    /** The memory Fargate allows with each CPU value: from, to, in steps of (MiB). */
    private record Range(int cpu, int from, int to, int step) {
    }

    private static final List<Range> RANGES = List.of(
            new Range(256, 512, 512, 512),
            new Range(256, 1024, 2048, 1024),
            new Range(512, 1024, 4096, 1024),
            new Range(1024, 2048, 8192, 1024),
            new Range(2048, 4096, 16384, 1024),
            new Range(4096, 8192, 30720, 1024),
            new Range(8192, 16384, 61440, 4096),
            new Range(16384, 32768, 122880, 8192));

    private static final FargateSize LARGEST = new FargateSize(16384, 122880);

    /**
     * The smallest size that meets both limits (either may be unset); a warning when a limit had to be raised,
     * or when the limits exceed the largest size, which is then used.
     */
    static FargateSize fit(Resources resources, List<Warning> warnings) {
        Integer cpu = resources.milliCpu() == null ? null : (int) Math.ceil(resources.milliCpu() * 1024 / 1000.0);
        Integer memory = resources.memoryBytes() == null ? null : (int) Math.min(Integer.MAX_VALUE,
                (resources.memoryBytes() + (1L << 20) - 1) >> 20);
        for (Range range : RANGES) {
            if (cpu != null && range.cpu() < cpu) {
                continue;
            }
            int wanted = memory == null ? range.from() : Math.max(memory, range.from());
            int rounded = range.from() + (int) Math.ceil((wanted - range.from()) / (double) range.step()) * range.step();
            if (rounded <= range.to()) {
                FargateSize size = new FargateSize(range.cpu(), rounded);
                if ((cpu != null && size.cpu() != cpu) || (memory != null && size.memory() != memory)) {
                    warnings.add(new Warning("step.spec.resources.limits", "Fargate has no task of " + describe(cpu, memory)
                            + "; the task gets " + size + ", the smallest size that holds both"));
                }
                return size;
            }
        }
        warnings.add(new Warning("step.spec.resources.limits", describe(cpu, memory)
                + " exceeds the largest Fargate task; the task gets " + LARGEST));
        return LARGEST;
    }

    private static String describe(Integer cpu, Integer memory) {
        String cpuText = cpu == null ? "any CPU" : cpu + " CPU units";
        String memoryText = memory == null ? "any memory" : memory + " MiB";
        return cpuText + " and " + memoryText;
    }

    @Override
    public String toString() {
        String vcpu = new BigDecimal(cpu).divide(BigDecimal.valueOf(1024)).stripTrailingZeros().toPlainString();
        return cpu + " CPU units (" + vcpu + " vCPU) and " + memory + " MiB";
    }
}
