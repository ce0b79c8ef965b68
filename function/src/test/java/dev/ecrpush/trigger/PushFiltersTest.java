package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.Push;

/** Each push filter alone, then together: what is built, what is filtered out and why, and what cannot be told. */
class PushFiltersTest {
    private static final PushFilters.Decision BUILD = new PushFilters.Decision.Build(null);

    private static List<RefPattern> patterns(String... texts) {
        return Arrays.stream(texts).map(RefPattern::of).toList();
    }

    private static Push branch(String name, ChangedFiles files, String actor, String message) {
        return new Push("github", "acme/app", "https://github.com/acme/app.git", new Push.Ref(Push.Ref.Kind.BRANCH, name),
                "abc1234", files, actor, message);
    }

    private static Push tag(String name, String actor, String message) {
        return new Push("github", "acme/app", "https://github.com/acme/app.git", new Push.Ref(Push.Ref.Kind.TAG, name),
                "abc1234", new ChangedFiles.Unknown("a tag"), actor, message);
    }

    private static ChangedFiles files(String... paths) {
        return new ChangedFiles.Listed(List.of(paths));
    }

    private static PushFilters paths(List<RefPattern> paths, List<RefPattern> excludePaths) {
        return new PushFilters(List.of(), List.of(), paths, excludePaths, List.of(), List.of(), List.of());
    }

    @Test
    void defaults_buildAnyPush_butOneWhoseHeadCommitSaysSkipCi() {
        assertEquals(BUILD, PushFilters.DEFAULT.decide(branch("main", files("a"), "octo", "fix the thing")));
        assertEquals(new PushFilters.Decision.Filtered("skipMessages: the head commit's message contains [skip ci]"),
                PushFilters.DEFAULT.decide(branch("main", files("a"), "octo", "docs: typo\n\n[SKIP CI]")));
        assertEquals(new PushFilters.Decision.Filtered("skipMessages: the head commit's message contains [ci skip]"),
                PushFilters.DEFAULT.decide(branch("main", files("a"), "octo", "wip [ci skip]")));
        // a message the event does not carry skips nothing
        assertEquals(BUILD, PushFilters.DEFAULT.decide(branch("main", files("a"), "octo", null)));
    }

    @Test
    void skipMessages_emptyDisablesThem_andTagsAreNeverSkipped() {
        PushFilters none = new PushFilters(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        assertEquals(BUILD, none.decide(branch("main", files("a"), "octo", "[skip ci]")));
        // a release tool's "chore(release): 1.2.0 [skip ci]" commit is what its release tag points to
        assertEquals(BUILD, PushFilters.DEFAULT.decide(tag("v1.2.0", "octo", "chore(release): 1.2.0 [skip ci]")));
    }

    @Test
    void excludeBranchesAndTags_leaveOutMatchingRefs_namingThePattern() {
        PushFilters filters = new PushFilters(patterns("dependabot/**"), patterns("*-rc*"), List.of(), List.of(), List.of(),
                List.of(), List.of());
        assertEquals(new PushFilters.Decision.Filtered("excludeBranches: branch dependabot/npm/lodash matches dependabot/**"),
                filters.decide(branch("dependabot/npm/lodash", files("a"), "octo", "bump")));
        assertEquals(BUILD, filters.decide(branch("main", files("a"), "octo", "bump")));
        assertEquals(new PushFilters.Decision.Filtered("excludeTags: tag v2.0-rc1 matches *-rc*"),
                filters.decide(tag("v2.0-rc1", "octo", "x")));
        assertEquals(BUILD, filters.decide(tag("v2.0", "octo", "x")));
    }

    @Test
    void actors_onlyThoseListed_withoutCase_andAnUnnamedPusherIsNotOne() {
        PushFilters filters = new PushFilters(List.of(), List.of(), List.of(), List.of(), List.of("Release-Bot", "octo"),
                List.of(), List.of());
        assertEquals(BUILD, filters.decide(branch("main", files("a"), "release-bot", "x")));
        assertEquals(BUILD, filters.decide(tag("v1", "OCTO", "x")));
        assertEquals(new PushFilters.Decision.Filtered("actors: mallory is not one of them"),
                filters.decide(branch("main", files("a"), "mallory", "x")));
        assertEquals(new PushFilters.Decision.Filtered("actors: the event does not say who pushed"),
                filters.decide(branch("main", files("a"), null, "x")));
    }

    @Test
    void excludeActors_leaveOutTheirPushes() {
        PushFilters filters = new PushFilters(List.of(), List.of(), List.of(), List.of(), List.of(), List.of("dependabot[bot]"),
                List.of());
        assertEquals(new PushFilters.Decision.Filtered("excludeActors: Dependabot[bot] is one of them"),
                filters.decide(branch("main", files("a"), "Dependabot[bot]", "x")));
        assertEquals(BUILD, filters.decide(branch("main", files("a"), "octo", "x")));
        assertEquals(BUILD, filters.decide(branch("main", files("a"), null, "x")));
    }

    @Test
    void paths_buildWhenAnyChangedFileMatches() {
        PushFilters filters = paths(patterns("src/**", "pom.xml"), List.of());
        assertEquals(BUILD, filters.decide(branch("main", files("README.md", "src/main/App.java"), "octo", "x")));
        assertEquals(BUILD, filters.decide(branch("main", files("pom.xml"), "octo", "x")));
        assertEquals(new PushFilters.Decision.Filtered("paths: none of the 2 changed file(s) matches"),
                filters.decide(branch("main", files("README.md", "docs/pom.xml"), "octo", "x")));
    }

    @Test
    void excludePaths_filterOutWhenEveryChangedFileIsExcluded() {
        PushFilters filters = paths(List.of(), patterns("docs/**", "*.md"));
        assertEquals(new PushFilters.Decision.Filtered("excludePaths: every one of the 2 changed file(s) is excluded"),
                filters.decide(branch("main", files("README.md", "docs/guide/a.png"), "octo", "x")));
        assertEquals(BUILD, filters.decide(branch("main", files("README.md", "src/a.java"), "octo", "x")));
        // * stays within a segment: a Markdown file below the root is not *.md
        assertEquals(BUILD, filters.decide(branch("main", files("src/notes.md"), "octo", "x")));
    }

    @Test
    void pathsAndExcludePaths_together_needAFileMatchingOneAndNotTheOther() {
        PushFilters filters = paths(patterns("services/api/**"), patterns("**/*.md"));
        assertEquals(new PushFilters.Decision.Filtered("excludePaths: every one of the 1 changed file(s) matching paths is excluded"),
                filters.decide(branch("main", files("services/api/README.md", "web/index.html"), "octo", "x")));
        assertEquals(BUILD, filters.decide(branch("main", files("services/api/README.md", "services/api/Main.java"), "octo", "x")));
    }

    @Test
    void unknownChangedFiles_build_andSayWhy() {
        PushFilters filters = paths(patterns("src/**"), List.of());
        assertEquals(new PushFilters.Decision.Build("changed files unknown: GitLab lists 20 of the push's 31 commits; built"),
                filters.decide(branch("main", new ChangedFiles.Unknown("GitLab lists 20 of the push's 31 commits"), "octo", "x")));
        // without a path filter there is nothing to say
        assertEquals(BUILD, PushFilters.DEFAULT.decide(branch("main", new ChangedFiles.Unknown("x"), "octo", "x")));
    }

    @Test
    void unknownChangedFiles_areAskedOfTheHost_andItsAnswerDecides() {
        PushFilters filters = paths(patterns("src/**"), List.of());
        Push truncated = branch("main", new ChangedFiles.Unknown("GitLab lists 20 of the push's 31 commits"), "octo", "x");
        List<Push> asked = new java.util.ArrayList<>();
        // the host lists no file under src/: filtered, as a listed push would be
        assertEquals(new PushFilters.Decision.Filtered("paths: none of the 2 changed file(s) matches"),
                filters.decide(truncated, push -> {
                    asked.add(push);
                    return files("docs/a.md", "README.md");
                }));
        assertEquals(List.of(truncated), asked);
        // the host lists one: built, with no note
        assertEquals(BUILD, filters.decide(truncated, push -> files("docs/a.md", "src/Main.java")));
        // the host cannot tell either: built, with both reasons
        assertEquals(new PushFilters.Decision.Build("changed files unknown: GitLab lists 20 of the push's 31 commits;"
                + " GitHub lists at most 300 files of a comparison, and this one lists 300; built"),
                filters.decide(truncated, push -> new ChangedFiles.Unknown("GitHub lists at most 300 files of a comparison,"
                        + " and this one lists 300")));
    }

    @Test
    void theHostIsNotAsked_whenTheEventTells_orNoPathFilterNeedsIt() {
        PushFilters.ChangedFilesLookup never = push -> {
            throw new AssertionError("asked the host for " + push);
        };
        assertEquals(BUILD, paths(patterns("src/**"), List.of()).decide(branch("main", files("src/a"), "octo", "x"), never));
        assertEquals(BUILD, PushFilters.DEFAULT.decide(branch("main", new ChangedFiles.Unknown("cut"), "octo", "x"), never));
        assertEquals(BUILD, paths(patterns("src/**"), List.of()).decide(tag("v1", "octo", "x"), never));
    }

    @Test
    void tags_areNotFilteredByPaths() {
        PushFilters filters = paths(patterns("src/**"), List.of());
        assertEquals(BUILD, filters.decide(tag("v1.0.0", "octo", "x")));
    }

    @Test
    void allFilters_combineWithAnd_theFirstThatFailsIsNamed() {
        PushFilters filters = new PushFilters(patterns("wip/**"), List.of(), patterns("src/**"), List.of(), List.of("octo"),
                List.of(), PushFilters.DEFAULT_SKIP_MESSAGES);
        assertEquals(BUILD, filters.decide(branch("main", files("src/a"), "octo", "x")));
        assertEquals("excludeBranches", reason(filters.decide(branch("wip/a", files("src/a"), "octo", "x"))));
        assertEquals("actors", reason(filters.decide(branch("main", files("src/a"), "eve", "x"))));
        assertEquals("skipMessages", reason(filters.decide(branch("main", files("src/a"), "octo", "[skip ci]"))));
        assertEquals("paths", reason(filters.decide(branch("main", files("docs/a"), "octo", "x"))));
    }

    private static String reason(PushFilters.Decision decision) {
        return ((PushFilters.Decision.Filtered) decision).reason().split(":")[0];
    }
}
