package dev.ecrpush.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.githost.GitHost;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.SecretField;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.plan.PluginVar;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/**
 * The documentation's tables are the user's reference: they must name everything the code emits and reads.
 * Each table is read from the page under {@code docs/} that holds it. The README stays a front page, and every
 * relative link between the pages and to the repository's files resolves.
 */
class DocsTest {
    private static final String PLUGIN_ENVIRONMENT = "docs/plugin-environment.md";
    private static final String CONFIGURATION = "docs/configuration.md";
    private static final String TRIGGERS = "docs/triggers.md";
    private static final String RESULTS_AND_ERRORS = "docs/results-and-errors.md";

    private static final int README_MAX_LINES = 200;

    private static String read(String page) throws IOException {
        return Files.readString(Repo.path(page));
    }

    @Test
    void mappingTable_namesEveryPluginVariable() throws IOException {
        String page = read(PLUGIN_ENVIRONMENT);
        for (PluginVar var : PluginVar.values()) {
            assertTrue(page.contains("`" + var.variable() + "`"),
                    var.variable() + " is missing from the mapping table of " + PLUGIN_ENVIRONMENT);
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
            assertTrue(configuration.contains("`" + field.configKey() + "`"),
                    field.configKey() + " is missing from the configuration table of " + CONFIGURATION);
            assertTrue(triggers.contains("`" + field.key() + "`"),
                    "the webhook secret's key " + field.key() + " is missing from " + TRIGGERS);
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
            assertTrue(page.contains("`" + type.getName() + "`"),
                    type.getName() + " is missing from the error table of " + RESULTS_AND_ERRORS);
        }
    }

    /** The README is the front page: the reference belongs on a page under docs/. */
    @Test
    void readme_isAtMost200Lines() throws IOException {
        int lines = Files.readAllLines(Repo.path("README.md")).size();
        assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines, more than " + README_MAX_LINES
                + ": it is the front page, so move reference text to a page under docs/");
    }

    /** The front page's minimal payload is the sample event a test plans, so it cannot rot. */
    @Test
    void readmesMinimalPayload_isTheSampleEvent() throws IOException {
        String readme = read("README.md");
        String section = readme.split("## A minimal payload\n", 2)[1];
        int start = section.indexOf("```json\n") + "```json\n".length();
        String block = section.substring(start, section.indexOf("\n```", start));
        assertEquals(Fixtures.JSON.readTree(Files.readString(Repo.path("events/plan-minimal.json"))), Fixtures.JSON.readTree(block),
                "README's minimal payload and events/plan-minimal.json differ");
    }

    /**
     * Every relative link in README.md, SECURITY.md and docs/*.md names a file that exists and, when it has a
     * {@code #anchor}, a Markdown file with a heading that makes that anchor.
     */
    @Test
    void relativeLinks_resolve() throws IOException {
        // given
        List<Path> pages = markdownPages();
        assertTrue(pages.size() > 1, "no pages under docs/: " + pages);
        // when
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            for (String target : relativeLinks(Files.readString(page))) {
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path linked = file.isEmpty() ? page : page.resolveSibling(file.replace("%20", " ")).normalize();
                if (!Files.exists(linked)) {
                    broken.add(page + ": (" + target + "): " + linked + " does not exist");
                } else if (hash >= 0 && !linked.toString().endsWith(".md")) {
                    broken.add(page + ": (" + target + "): an anchor into " + linked + ", which is not Markdown");
                } else if (hash >= 0 && !anchors(Files.readString(linked)).contains(target.substring(hash + 1))) {
                    broken.add(page + ": (" + target + "): no heading of " + linked + " makes the anchor "
                            + target.substring(hash));
                }
            }
        }
        // then
        assertEquals(List.of(), broken, "relative links that do not resolve");
    }

    /**
     * Every class SECURITY.md names as where a control lives or which test proves it ({@code package/Class}) exists,
     * so the threat model cannot point at code that was renamed or removed.
     */
    @Test
    void securityControls_nameClassesThatExist() throws IOException {
        // given
        Matcher named = Pattern.compile("`((?:[a-z0-9]+/)+)([A-Z][A-Za-z]+)[`.]").matcher(read("SECURITY.md"));
        List<String> missing = new ArrayList<>();
        int count = 0;
        // when
        while (named.find()) {
            count++;
            String file = "dev/ecrpush/" + named.group(1) + named.group(2) + ".java";
            if (!Files.exists(Repo.path("function/src/main/java/" + file)) && !Files.exists(Repo.path("function/src/test/java/" + file))) {
                missing.add(named.group(1) + named.group(2));
            }
        }
        // then
        assertTrue(count > 20, "SECURITY.md names only " + count + " classes");
        assertEquals(List.of(), missing, "classes SECURITY.md names that do not exist");
    }

    /** The anchors GitHub gives headings, which {@link #relativeLinks_resolve()} checks links against. */
    @Test
    void anchors_areGitHubsSlugs() {
        assertEquals(List.of("plugin-images-built-and-pinned-at-deploy", "the-step-payload", "the-step-payload-1",
                        "stepspecresourceslimits-cpu", "adding-a-git-host", "gitea--forgejo"),
                List.copyOf(anchors("""
                        # Plugin images, built and pinned at deploy
                        ## The step payload
                        ```sh
                        # not a heading
                        ```
                        ### The step payload
                        ## `step.spec.resources.limits`, `cpu`
                        ## [Adding a Git host](contributing.md) ##
                        ## Gitea / Forgejo
                        """)));
    }

    private static List<Path> markdownPages() throws IOException {
        try (Stream<Path> docs = Files.list(Repo.path("docs"))) {
            return Stream.concat(Stream.of(Repo.path("README.md"), Repo.path("SECURITY.md")),
                    docs.filter(p -> p.toString().endsWith(".md")).sorted()).toList();
        }
    }

    private static final Pattern INLINE_CODE = Pattern.compile("`(?:[^`\\n]|\\n(?![ \\t]*\\n))*`");
    private static final Pattern INLINE_LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_DEFINITION = Pattern.compile("(?m)^ {0,3}\\[[^\\]]+\\]:\\s*<?([^\\s>]+)");
    private static final Pattern EXTERNAL = Pattern.compile("^(?:[A-Za-z][A-Za-z0-9+.-]*:|//).*");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}[ \\t]+(.*?)(?:[ \\t]+#+)?[ \\t]*$");

    /** The link targets of the prose (not of code blocks or code spans) that are not URLs. */
    private static List<String> relativeLinks(String markdown) {
        String prose = INLINE_CODE.matcher(String.join("\n", proseLines(markdown))).replaceAll("");
        List<String> targets = new ArrayList<>();
        for (Pattern link : List.of(INLINE_LINK, REFERENCE_DEFINITION)) {
            Matcher matcher = link.matcher(prose);
            while (matcher.find()) {
                if (!EXTERNAL.matcher(matcher.group(1)).matches()) {
                    targets.add(matcher.group(1));
                }
            }
        }
        return targets;
    }

    /**
     * The anchors of a page's headings as GitHub makes them: the heading's text (a link's text for a link)
     * lower-cased, without any character but letters, digits, {@code _}, {@code -} and spaces, each space a
     * {@code -}; a repeated anchor gets {@code -1}, {@code -2}, ...
     */
    private static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : proseLines(markdown)) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = heading.group(1).replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").strip()
                        .toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
                int repeat = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(repeat == 0 ? slug : slug + "-" + repeat);
            }
        }
        return anchors;
    }

    /** The page's lines, those of fenced code blocks blank. */
    private static List<String> proseLines(String markdown) {
        List<String> lines = new ArrayList<>();
        String fence = null;
        for (String line : markdown.lines().toList()) {
            String start = line.strip();
            if (fence == null && (start.startsWith("```") || start.startsWith("~~~"))) {
                fence = start.substring(0, 3);
                lines.add("");
            } else if (fence != null) {
                if (start.startsWith(fence)) {
                    fence = null;
                }
                lines.add("");
            } else {
                lines.add(line);
            }
        }
        return lines;
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
