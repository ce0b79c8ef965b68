package dev.ecrpush.executor.codebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.plan.Plugin;
import dev.ecrpush.support.Repo;

/**
 * The CodeBuild projects' own buildspecs ({@code infra/buildspec-*.yml}, inline in {@code template.yaml}) are what
 * the function renders for their plugin: a build started by hand does what a build started by the function does.
 */
class BuildspecFilesTest {
    @ParameterizedTest
    @CsvSource({"KANIKO_ECR, infra/buildspec-kaniko.yml, KanikoProject", "ECR, infra/buildspec-docker.yml, DockerProject"})
    void projectBuildspec_isTheRenderedOne(Plugin plugin, Path file, String project) throws IOException {
        // given: a step without file secrets, which is what a project's default can serve
        EcrSpec spec = Fixtures.parse(Fixtures.basePayload()).step().spec();
        String rendered = Buildspec.render(plugin, spec);
        // when
        String inFile = Files.readString(Repo.path(file.toString())).replaceAll("(?m)^#.*\\n", "");
        String inTemplate = inlineBuildspec(Files.readString(Repo.path("template.yaml")), project);
        // then
        assertEquals(rendered, inFile, file.toString());
        assertEquals(rendered, inTemplate, "template.yaml, " + project);
    }

    /** The literal block under {@code BuildSpec: |} of one project, un-indented. */
    private static String inlineBuildspec(String template, String project) {
        String from = template.substring(template.indexOf("\n  " + project + ":\n"));
        Matcher block = Pattern.compile("BuildSpec: \\|\\n((?:( {10})[^\\n]*\\n)+)").matcher(from);
        if (!block.find()) {
            throw new AssertionError(project + " has no inline BuildSpec");
        }
        return block.group(1).replaceAll("(?m)^ {10}", "");
    }
}
