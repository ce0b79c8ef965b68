package dev.ecrpush.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of the repository outside this module: {@code template.yaml}, {@code infra/}, {@code events/},
 * {@code README.md}. Tests run in the module's directory ({@code function/}); the repository root is the
 * nearest directory above it that holds {@code template.yaml}.
 */
public final class Repo {
    private static final Path ROOT = findRoot();

    private Repo() {
    }

    /** {@code first/more...} under the repository root. */
    public static Path path(String first, String... more) {
        return ROOT.resolve(Path.of(first, more));
    }

    private static Path findRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no template.yaml in " + start + " or above: run the tests inside the repository");
    }
}
