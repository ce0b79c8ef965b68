package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.config.WithDefault;

import dev.ecrpush.config.ServiceConfig;

/**
 * Every environment variable and configuration key the code reads is set by {@code template.yaml}, defaulted in the
 * code, or one Lambda sets itself; and every {@code BUILDPUSH_*} variable the template sets is a key the code reads
 * (a misspelt variable would be silently ignored).
 */
class TemplateEnvironmentTest {
    private static final Path SOURCES = Path.of("src/main/java");

    /** Set by the Lambda runtime in every function. */
    private static final Set<String> LAMBDA_RUNTIME = Set.of("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "TZ");

    private static final Pattern GETENV = Pattern.compile("getenv\\(\\)\\s*\\.\\s*get(?:OrDefault)?\\(\\s*\"([A-Z0-9_]+)\""
            + "|getenv\\(\\s*\"([A-Z0-9_]+)\"\\s*\\)");
    private static final Pattern CONFIG_PROPERTY = Pattern.compile("@ConfigProperty\\(([^)]*)\\)");
    private static final Pattern CONFIG_GET_VALUE = Pattern.compile("\\.getValue\\(\\s*\"([^\"]+)\"");

    private static Map<String, String> environment;

    @BeforeAll
    static void load() {
        environment = new TreeMap<>();
        CfnTemplate.load(CfnTemplate.SAM).properties("BuildPushFunction").at("/Environment/Variables")
                .fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().toString()));
    }

    /** One configuration key of {@link ServiceConfig}, as SmallRye derives it, and whether it must be set. */
    record Key(String name, boolean required, boolean map) {
        String env() {
            return name.toUpperCase().replaceAll("[^A-Z0-9]", "_");
        }
    }

    static List<Key> keys(String prefix, Class<?> group) {
        List<Key> keys = new ArrayList<>();
        for (Method method : group.getDeclaredMethods()) {
            String key = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            Class<?> type = method.getReturnType();
            if (type.isInterface() && type.getEnclosingClass() == ServiceConfig.class) {
                keys.addAll(keys(key, type));
            } else {
                boolean optional = type == Optional.class || type == OptionalInt.class || method.isAnnotationPresent(WithDefault.class);
                boolean map = type == Map.class;
                keys.add(new Key(key, !optional && !map, map));
            }
        }
        return keys;
    }

    @Test
    void requiredConfigKeys_areSetByTheTemplate() {
        List<Key> keys = keys("buildpush", ServiceConfig.class);
        assertTrue(keys.size() > 10, "the key walk found only " + keys);
        List<String> missing = keys.stream().filter(Key::required).map(Key::env)
                .filter(env -> !environment.containsKey(env)).toList();
        assertEquals(List.of(), missing, "configuration keys with no default that template.yaml does not set");
    }

    @Test
    void everyBuildpushVariableOfTheTemplate_isAConfigKey() {
        List<Key> keys = keys("buildpush", ServiceConfig.class);
        Set<String> unknown = new TreeSet<>();
        for (String variable : environment.keySet()) {
            if (!variable.startsWith("BUILDPUSH_")) {
                continue;
            }
            boolean known = keys.stream().anyMatch(k -> k.map() ? variable.startsWith(k.env() + "_") : variable.equals(k.env()));
            if (!known) {
                unknown.add(variable);
            }
        }
        assertEquals(Set.of(), unknown, "template.yaml sets variables that no configuration key reads");
    }

    @Test
    void environmentVariablesReadDirectly_areSetByLambdaOrTheTemplate() {
        Map<String, String> reads = new TreeMap<>();
        List<String> unreadable = new ArrayList<>();
        forEachSource((file, text) -> {
            Matcher m = GETENV.matcher(text);
            int found = 0;
            while (m.find()) {
                reads.put(m.group(1) != null ? m.group(1) : m.group(2), file.toString());
                found++;
            }
            if (count(text, "getenv(") != found) {
                unreadable.add(file + " reads the environment in a way this test cannot tell the variable of");
            }
        });
        assertEquals(List.of(), unreadable);
        assertTrue(reads.containsKey("AWS_REGION"), "the scan misses a read it should see: " + reads);
        Map<String, String> unset = new TreeMap<>(reads);
        unset.keySet().removeIf(v -> LAMBDA_RUNTIME.contains(v) || environment.containsKey(v));
        assertEquals(Map.of(), unset, "environment variables the code reads that neither Lambda nor template.yaml sets");
    }

    @Test
    void configPropertiesOutsideServiceConfig_haveADefaultOrAreSet() {
        List<String> missing = new ArrayList<>();
        forEachSource((file, text) -> {
            Matcher injected = CONFIG_PROPERTY.matcher(text);
            while (injected.find()) {
                Matcher name = Pattern.compile("name\\s*=\\s*\"([^\"]+)\"").matcher(injected.group(1));
                if (name.find() && !injected.group(1).contains("defaultValue") && !isSet(name.group(1))) {
                    missing.add(file + ": " + name.group(1));
                }
            }
            Matcher looked = CONFIG_GET_VALUE.matcher(text);
            while (looked.find()) {
                if (!isSet(looked.group(1))) {
                    missing.add(file + ": " + looked.group(1));
                }
            }
        });
        assertEquals(List.of(), missing, "required configuration read outside ServiceConfig, set neither in"
                + " application.properties nor in template.yaml");
    }

    private static boolean isSet(String key) {
        try {
            String properties = Files.readString(Path.of("src/main/resources/application.properties"));
            return properties.lines().anyMatch(l -> l.startsWith(key + "="))
                    || environment.containsKey(key.toUpperCase().replaceAll("[^A-Z0-9]", "_"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }

    private static void forEachSource(java.util.function.BiConsumer<Path, String> visitor) {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                visitor.accept(file, Files.readString(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
