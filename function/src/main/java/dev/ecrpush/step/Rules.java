package dev.ecrpush.step;

import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.error.ErrorText;

/** The shapes fields must have. Each check is a pure predicate or parser; messages live with the parser. */
public final class Rules {
    static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    /** ECR repository names: lowercase path segments, no registry host. */
    static final Pattern REPOSITORY = Pattern.compile("(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*");
    static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_][0-9a-zA-Z_]{0,127}");
    static final Pattern DURATION = Pattern.compile(
            "(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,6})m(?!s))?(?:(\\d{1,6})s)?(?:(\\d{1,9})ms)?");
    static final Pattern MEMORY = Pattern.compile("(\\d{1,15}(?:\\.\\d{1,9})?)(Ei|Pi|Ti|Gi|Mi|Ki|E|P|T|G|M|K|k)?");
    static final Pattern CPU = Pattern.compile("(\\d{1,7})m|(\\d{1,4}(?:\\.\\d{1,3})?)");
    static final Pattern COMMIT = Pattern.compile("[0-9a-fA-F]{7,40}");
    static final Pattern SECRET_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    /** Git itself sets no bound; a ref name longer than a file name can be is no branch anyone pushed. */
    static final int MAX_REF_NAME = 255;
    /**
     * The most items a list or map field of a payload may have (tags, buildArgs, labels, envVariables, the docker
     * secrets, cacheFrom, the connectors, ...): refused before any item is read, so that neither the work nor the
     * answer (a plan lists every tag's image) grows with what a caller sends. Fields AWS bounds lower say so.
     */
    public static final int MAX_ITEMS = 100;
    /** How much of an input value a message quotes ({@link #quoted}). */
    public static final int QUOTED_LENGTH = 64;
    /** Characters {@code git check-ref-format} refuses anywhere in a ref name (control characters aside). */
    private static final String REF_FORBIDDEN = " ~^:?*[\\";

    /** Real regions as the SDK knows them, without the global pseudo-regions used for signing. */
    private static final Set<String> REGIONS = Region.regions().stream()
            .filter(r -> !r.isGlobalRegion())
            .map(Region::id)
            .collect(Collectors.toUnmodifiableSet());

    private Rules() {
    }

    public static boolean isRegion(String region) {
        return REGIONS.contains(region);
    }

    public static boolean isGitRefName(String name) {
        return refNameProblem(name) == null;
    }

    /**
     * Why {@code name} is not a branch or tag name by {@code git check-ref-format --branch}'s rules, or null when
     * it is one. A leading {@code -} is refused for tags too: both end up as command arguments (CodeBuild's source
     * version, the ECS task's {@code git fetch}), where they would read as options.
     */
    public static String refNameProblem(String name) {
        if (name == null || name.isEmpty()) {
            return "it is empty";
        }
        if (name.length() > MAX_REF_NAME) {
            return "it is longer than " + MAX_REF_NAME + " characters";
        }
        if (name.startsWith("-")) {
            return "it starts with -";
        }
        if (name.equals("@")) {
            return "it is @";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "it contains a control character";
            }
            if (REF_FORBIDDEN.indexOf(c) >= 0) {
                return c == ' ' ? "it contains a space" : "it contains " + c;
            }
        }
        if (name.startsWith("/") || name.endsWith("/")) {
            return "it starts or ends with /";
        }
        if (name.contains("//")) {
            return "it contains //";
        }
        if (name.contains("..")) {
            return "it contains ..";
        }
        if (name.contains("@{")) {
            return "it contains @{";
        }
        if (name.endsWith(".")) {
            return "it ends with .";
        }
        for (String component : name.split("/")) {
            if (component.startsWith(".")) {
                return "a /-separated part starts with .";
            }
            if (component.endsWith(".lock")) {
                return "a /-separated part ends with .lock";
            }
        }
        return null;
    }

    /**
     * {@code text} quoted as a message or a log line may quote input: in double quotes, cut after
     * {@value #QUOTED_LENGTH} characters (saying how long it was) and with control characters escaped.
     */
    public static String quoted(String text) {
        return "\"" + shown(text) + "\"";
    }

    /** {@code text} cut after {@value #QUOTED_LENGTH} characters, saying how long it was, and {@link #printable}. */
    public static String shown(String text) {
        if (text == null) {
            return "null";
        }
        return printable(text.length() > QUOTED_LENGTH
                ? text.substring(0, QUOTED_LENGTH) + "...(" + text.length() + " characters)"
                : text);
    }

    /**
     * {@code text} as it may be quoted in a message or a log: control characters (and the other characters that
     * break or hide a line) escaped, never written raw.
     */
    public static String printable(String text) {
        return ErrorText.printable(text);
    }

    public static boolean isRepository(String name) {
        return name.length() >= 2 && name.length() <= 256 && REPOSITORY.matcher(name).matches();
    }

    /** {@code 90s}, {@code 30m}, {@code 1h30m}, {@code 1d}; null when not a duration or zero. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text);
        if (text.isEmpty() || !m.matches()) {
            return null;
        }
        Duration d = Duration.ZERO;
        long[] unitsMs = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        for (int i = 0; i < unitsMs.length; i++) {
            if (m.group(i + 1) != null) {
                d = d.plusMillis(Long.parseLong(m.group(i + 1)) * unitsMs[i]);
            }
        }
        return d.isZero() ? null : d;
    }

    /** Kubernetes memory quantity in bytes ({@code 500Mi}, {@code 2Gi}, {@code 1G}); null when invalid or zero. */
    public static Long memoryBytes(String text) {
        Matcher m = MEMORY.matcher(text);
        if (!m.matches()) {
            return null;
        }
        double number = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2);
        double factor = switch (unit) {
            case "Ki" -> 1024d;
            case "Mi" -> Math.pow(1024, 2);
            case "Gi" -> Math.pow(1024, 3);
            case "Ti" -> Math.pow(1024, 4);
            case "Pi" -> Math.pow(1024, 5);
            case "Ei" -> Math.pow(1024, 6);
            case "k", "K" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            case "P" -> 1e15;
            case "E" -> 1e18;
            default -> 1d;
        };
        long bytes = (long) Math.ceil(number * factor);
        return bytes > 0 ? bytes : null;
    }

    /** Kubernetes CPU quantity in millicores ({@code 400m}, {@code 1.5}, {@code 2}); null when invalid or zero. */
    public static Integer milliCpu(String text) {
        Matcher m = CPU.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long milli = m.group(1) != null
                ? Long.parseLong(m.group(1))
                : Math.round(Double.parseDouble(m.group(2)) * 1000);
        return milli > 0 && milli <= 1_000_000 ? (int) milli : null;
    }
}
