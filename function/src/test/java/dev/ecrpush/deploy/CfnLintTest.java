package dev.ecrpush.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.ecrpush.support.Repo;

/**
 * The templates as AWS's own linter sees them: {@code cfn-lint} must find nothing, informational checks included
 * (such as I3011, which asks every stateful resource for a deliberate deletion and replacement policy). It reads
 * the AWS resource specifications, which the SAM schema of {@link TemplateSchemaTest} does not know. Skipped where
 * cfn-lint is not installed.
 */
class CfnLintTest {
    private static final long TIMEOUT_SECONDS = 180;

    private static List<String> templates;

    @BeforeAll
    static void templates() throws IOException {
        Assumptions.assumeTrue(onPath("cfn-lint"), "cfn-lint is not on the PATH");
        templates = new ArrayList<>(List.of(CfnTemplate.SAM.toString()));
        try (Stream<Path> infra = Files.list(Repo.path("infra"))) {
            infra.map(Path::toString).filter(name -> name.endsWith(".yaml")).sorted().forEach(templates::add);
        }
        assertTrue(templates.contains(CfnTemplate.TARGET_ROLE.toString()), "no infra/*.yaml found: " + templates);
    }

    @Test
    void cfnLint_findsNothing() throws Exception {
        // given
        List<String> command = new ArrayList<>(List.of("cfn-lint"));
        command.addAll(templates);
        // when
        Result result = run(command);
        // then
        assertEquals(new Result(0, ""), result);
    }

    @Test
    void cfnLint_withInformationalChecks_findsNothing() throws Exception {
        // given
        List<String> command = new ArrayList<>(List.of("cfn-lint", "--include-checks", "I", "--"));
        command.addAll(templates);
        // when
        Result result = run(command);
        // then
        assertEquals(new Result(0, ""), result);
    }

    /** The exit code and everything printed, standard error included. */
    record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // Read before waiting, so that a full pipe cannot stall the linter.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s");
        }
        return new Result(process.exitValue(), output.strip());
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
