package dev.ecrpush.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.plan.PluginVar;
import dev.ecrpush.support.Repo;

/** The README's tables are the user's reference: they must name everything the code emits and reads. */
class ReadmeTest {
    private static String readme() throws IOException {
        return Files.readString(Repo.path("README.md"));
    }

    @Test
    void mappingTable_namesEveryPluginVariable() throws IOException {
        String readme = readme();
        for (PluginVar var : PluginVar.values()) {
            assertTrue(readme.contains("`" + var.variable() + "`"), var.variable() + " is missing from the README's mapping table");
        }
    }

    @Test
    void configurationTable_namesEveryConfigKey() throws IOException {
        String readme = readme();
        List<String> keys = keys("buildpush", ServiceConfig.class);
        assertTrue(keys.size() > 10, "the key walk found only " + keys);
        for (String key : keys) {
            assertTrue(readme.contains("`" + key), key + " is missing from the README's configuration table");
        }
    }

    @Test
    void errorTable_namesEveryErrorType() throws IOException {
        String readme = readme();
        for (Class<?> type : BuildPushException.class.getPermittedSubclasses()) {
            assertTrue(readme.contains("`" + type.getName() + "`"), type.getName() + " is missing from the README's error table");
        }
    }

    /** Config keys as SmallRye derives them: nested interfaces are groups, method names in kebab case. */
    private static List<String> keys(String prefix, Class<?> group) {
        List<String> keys = new ArrayList<>();
        for (Method method : group.getDeclaredMethods()) {
            String key = prefix + "." + method.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
            if (method.getReturnType().isInterface() && method.getReturnType().getEnclosingClass() == ServiceConfig.class) {
                keys.addAll(keys(key, method.getReturnType()));
            } else {
                keys.add(key);
            }
        }
        return keys;
    }
}
