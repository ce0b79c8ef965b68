package dev.ecrpush.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.githost.GitHost;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.SecretField;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginVar;

/**
 * The documentation's tables are the user's reference: they must name everything the code emits and reads.
 * Each table is read from the page under {@code docs/} that holds it.
 */
class DocsTest {
    private static final String PLUGIN_ENVIRONMENT = "docs/plugin-environment.md";
    private static final String CONFIGURATION = "docs/configuration.md";
    private static final String TRIGGERS = "docs/triggers.md";
    private static final String RESULTS_AND_ERRORS = "docs/results-and-errors.md";

    private static String read(String page) throws IOException {
        return Files.readString(Path.of(page));
    }

    @Test
    void mappingTable_namesEveryPluginVariable() throws IOException {
        String page = read(PLUGIN_ENVIRONMENT);
        for (PluginVar var : PluginVar.values()) {
            assertTrue(page.contains("`" + var.variable() + "`"), var.variable() + " is missing from the mapping table of " + PLUGIN_ENVIRONMENT);
        }
    }

    /**
     * Issue 11: the table's "plugins" column, over all the rows naming a variable, is exactly who reads it in
     * {@link PluginVar}; and every variable the table names is in {@link PluginVar}.
     */
    @Test
    void mappingTable_pluginsOfEveryVariable_areThoseThatReadIt() throws IOException {
        // given
        Map<String, Set<Plugin>> documented = new TreeMap<>();
        List<String> lines = read(PLUGIN_ENVIRONMENT).split("\n## Variables\n", 2)[1].lines().toList();
        int header = lines.indexOf("| input | variable | value | plugins |");
        for (String row : lines.subList(header + 2, lines.size()).stream().takeWhile(l -> l.startsWith("|")).toList()) {
            String[] cells = row.split(" \\| ");
            String plugins = cells[cells.length - 1].replace(" |", "").strip();
            Set<Plugin> readers = plugins.equals("all") ? EnumSet.allOf(Plugin.class) : EnumSet.noneOf(Plugin.class);
            if (!plugins.equals("all")) {
                for (String name : plugins.split(", ")) {
                    readers.add(Plugin.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_')));
                }
            }
            Matcher variable = Pattern.compile("`((?:PLUGIN|AWS)_[A-Z_]+)`").matcher(cells[1]);
            while (variable.find()) {
                documented.computeIfAbsent(variable.group(1), v -> EnumSet.noneOf(Plugin.class)).addAll(readers);
            }
        }
        // when
        Map<String, Set<Plugin>> table = new TreeMap<>();
        for (PluginVar var : PluginVar.values()) {
            table.put(var.variable(), var.readBy());
        }
        // then
        assertEquals(table, documented);
    }

    @Test
    void configurationTable_namesEveryConfigKey() throws IOException {
        String page = read(CONFIGURATION);
        List<String> keys = keys("buildpush", ServiceConfig.class);
        assertTrue(keys.size() > 10, "the key walk found only " + keys);
        for (String key : keys) {
            assertTrue(page.contains("`" + key), key + " is missing from the configuration table of " + CONFIGURATION);
        }
    }

    /** A Git host's secrets are its own configuration keys, not {@link ServiceConfig}'s: each is documented too. */
    @Test
    void configurationTable_namesEveryGitHostsSecretKeys() throws IOException {
        String configuration = read(CONFIGURATION);
        String triggers = read(TRIGGERS);
        for (SecretField field : new GitHostRegistry().secretFields()) {
            assertTrue(configuration.contains("`" + field.configKey() + "`"), field.configKey() + " is missing from the configuration table of " + CONFIGURATION);
            assertTrue(triggers.contains("`" + field.key() + "`"), "the webhook secret's key " + field.key() + " is missing from " + TRIGGERS);
        }
    }

    @Test
    void webhookSection_namesEveryGitHostsRoute() throws IOException {
        String page = read(TRIGGERS);
        for (GitHost host : new GitHostRegistry().all()) {
            assertTrue(page.contains("`/webhooks/" + host.name() + "`"), "/webhooks/" + host.name() + " is missing from " + TRIGGERS);
        }
    }

    @Test
    void errorTable_namesEveryErrorType() throws IOException {
        String page = read(RESULTS_AND_ERRORS);
        for (Class<?> type : BuildPushException.class.getPermittedSubclasses()) {
            assertTrue(page.contains("`" + type.getName() + "`"), type.getName() + " is missing from the error table of " + RESULTS_AND_ERRORS);
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
