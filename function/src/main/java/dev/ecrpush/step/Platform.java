package dev.ecrpush.step;

import java.util.List;
import java.util.Locale;

/**
 * A platform an image is built for, natively: {@code step.spec.platforms} (beyond the seed's inputs). Only the
 * platforms both executors have hardware for are accepted: CodeBuild's {@code LINUX_CONTAINER} and
 * {@code ARM_CONTAINER}, Fargate's {@code X86_64} and {@code ARM64}. Nothing is emulated.
 *
 * @param os           the OCI {@code platform.os}
 * @param architecture the OCI {@code platform.architecture} ({@code amd64}, {@code arm64})
 * @param variant      the OCI {@code platform.variant}: {@code v8} for arm64, as buildx writes it; null for amd64
 */
public record Platform(String os, String architecture, String variant) {
    public static final Platform LINUX_AMD64 = new Platform("linux", "amd64", null);
    public static final Platform LINUX_ARM64 = new Platform("linux", "arm64", "v8");

    /** Every platform a step may ask for, in the order the index lists them. */
    public static final List<Platform> SUPPORTED = List.of(LINUX_AMD64, LINUX_ARM64);

    /** {@code linux/amd64}, {@code linux/arm64}: how a step names it. */
    public String wire() {
        return os + "/" + architecture;
    }

    /** What the platform's own tag ends with, e.g. {@code linux-arm64}. */
    public String tagSuffix() {
        return os + "-" + architecture;
    }

    public boolean arm() {
        return "arm64".equals(architecture);
    }

    /**
     * The platform {@code text} names, or null for none supported. {@code linux/arm64/v8} is {@code linux/arm64};
     * {@code linux/x86_64} and {@code linux/aarch64} are accepted as the names {@code uname -m} gives.
     */
    public static Platform parse(String text) {
        String name = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        return switch (name) {
            case "linux/amd64", "linux/x86_64", "linux/amd64/v1" -> LINUX_AMD64;
            case "linux/arm64", "linux/arm64/v8", "linux/aarch64" -> LINUX_ARM64;
            default -> null;
        };
    }

    @Override
    public String toString() {
        return wire();
    }
}
