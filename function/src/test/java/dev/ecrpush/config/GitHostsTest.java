package dev.ecrpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import dev.ecrpush.executor.codebuild.CodeBuildSettings;

/** {@code buildpush.codebuild.git-hosts}: {@code host=SOURCE_TYPE} entries as one string, checked at start-up. */
class GitHostsTest {
    @Test
    void gitHosts_entries_areSourceTypesByHost() {
        // given
        String value = "gitlab.example.com=GITLAB_SELF_MANAGED,git.acme.io=GITHUB_ENTERPRISE";
        // when
        Map<String, String> hosts = CodeBuildSettings.gitHosts(value);
        // then
        assertEquals(Map.of("gitlab.example.com", "GITLAB_SELF_MANAGED", "git.acme.io", "GITHUB_ENTERPRISE"), hosts);
    }

    @Test
    void gitHosts_hostsAreLowerCased_andBlanksAndEmptyEntriesIgnored() {
        // given: as a hand-edited template parameter may look
        String value = " Git.ACME.io = GITHUB_ENTERPRISE , ,10.0.0.7=GITLAB_SELF_MANAGED,";
        // when
        Map<String, String> hosts = CodeBuildSettings.gitHosts(value);
        // then
        assertEquals(Map.of("git.acme.io", "GITHUB_ENTERPRISE", "10.0.0.7", "GITLAB_SELF_MANAGED"), hosts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ","})
    void gitHosts_nothingGiven_isEmpty(String value) {
        assertEquals(Map.of(), CodeBuildSettings.gitHosts(value));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "gitlab.example.com                                  | \"gitlab.example.com\" is not a host=SOURCE_TYPE entry",
            "https://git.acme.io=GITHUB_ENTERPRISE                | \"https://git.acme.io\" is not a host name"
                    + " (the clone URL's host alone: no scheme, port or path)",
            "git.acme.io:8443=GITHUB_ENTERPRISE                   | \"git.acme.io:8443\" is not a host name"
                    + " (the clone URL's host alone: no scheme, port or path)",
            "git..acme.io=GITHUB_ENTERPRISE                       | \"git..acme.io\" is not a host name"
                    + " (the clone URL's host alone: no scheme, port or path)",
            "-git.acme.io=GITHUB_ENTERPRISE                       | \"-git.acme.io\" is not a host name"
                    + " (the clone URL's host alone: no scheme, port or path)",
            "=GITHUB_ENTERPRISE                                   | \"\" is not a host name"
                    + " (the clone URL's host alone: no scheme, port or path)",
            "git.acme.io=SVN                                      | \"SVN\" (for git.acme.io)"
                    + " is not a CodeBuild source type of a Git host"
                    + " (BITBUCKET, CODECOMMIT, GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED)",
            "git.acme.io=S3                                       | \"S3\" (for git.acme.io)"
                    + " is not a CodeBuild source type of a Git host"
                    + " (BITBUCKET, CODECOMMIT, GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED)",
            "git.acme.io=gitlab_self_managed                      | \"gitlab_self_managed\" (for git.acme.io)"
                    + " is not a CodeBuild source type of a Git host"
                    + " (BITBUCKET, CODECOMMIT, GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED)",
            "git.acme.io=GITLAB,GIT.acme.io=GITLAB_SELF_MANAGED   | git.acme.io is given twice",
    })
    void gitHosts_badEntry_failsNamingTheKey(String value, String problem) {
        // when
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CodeBuildSettings.gitHosts(value));
        // then
        assertEquals("buildpush.codebuild.git-hosts: " + problem, e.getMessage());
    }

    @Test
    void gitHosts_severalBadEntries_areAllListed() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CodeBuildSettings.gitHosts("git.acme.io=SVN,ok.example.com=GITLAB,nothing"));
        assertEquals("buildpush.codebuild.git-hosts: \"SVN\" (for git.acme.io) is not a CodeBuild source type of a Git host"
                + " (BITBUCKET, CODECOMMIT, GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED);"
                + " \"nothing\" is not a host=SOURCE_TYPE entry", e.getMessage());
    }
}
