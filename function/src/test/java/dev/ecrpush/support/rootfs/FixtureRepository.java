package dev.ecrpush.support.rootfs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bare repository that a {@link GitServer} serves, built with the host's real git commands: nothing binary
 * is committed to this project, and every object is one that git itself wrote.
 *
 * <p>Authors, committers and dates are fixed (the n-th commit or annotated tag of a repository is dated
 * 2025-01-01T00:00:00Z plus n minutes), so the same calls give the same SHAs on every run. The repository is
 * configured as a stock server is: {@code uploadpack.allowReachableSHA1InWant} and
 * {@code uploadpack.allowAnySHA1InWant} are off (see {@link GitServer} for what that means under protocol v2).
 */
public final class FixtureRepository {
    private static final long FIRST_DATE = 1_735_689_600L;
    private static final Duration GIT_TIMEOUT = Duration.ofMinutes(1);

    private final String name;
    private final Path gitDir;
    private final Map<String, String> environment;
    private int clock;

    private FixtureRepository(String name, Path gitDir, Map<String, String> environment) {
        this.name = name;
        this.gitDir = gitDir;
        this.environment = environment;
    }

    static FixtureRepository init(String name, Path gitDir, Map<String, String> environment) {
        FixtureRepository repository = new FixtureRepository(name, gitDir, environment);
        repository.run(null, null, "init", "--quiet", "--bare", "--initial-branch=main", gitDir.toString());
        repository.git("config", "uploadpack.allowReachableSHA1InWant", "false");
        repository.git("config", "uploadpack.allowAnySHA1InWant", "false");
        return repository;
    }

    /** The name in the server's URLs ({@code <name>.git}). */
    public String name() {
        return name;
    }

    /** The bare repository on the host, for git commands of a test's own. */
    public Path gitDir() {
        return gitDir;
    }

    /**
     * Commits {@code files} (path to content, regular files) on top of {@code branch}, creating the branch
     * with a root commit if it does not exist; other files of the branch stay as they were.
     *
     * @return the new commit's SHA
     */
    public String commit(String branch, Map<String, String> files, String message) {
        String ref = "refs/heads/" + branch;
        String parent = exists(ref) ? revParse(ref) : null;
        Path index = gitDir.resolve("fixture-index");
        Map<String, String> withIndex = new HashMap<>(environment);
        withIndex.put("GIT_INDEX_FILE", index.toString());
        try {
            if (parent != null) {
                run(withIndex, null, "read-tree", parent);
            }
            for (Map.Entry<String, String> file : files.entrySet()) {
                String blob = run(withIndex, file.getValue().getBytes(StandardCharsets.UTF_8), "hash-object", "-w",
                        "--stdin");
                run(withIndex, null, "update-index", "--add", "--cacheinfo", "100644," + blob + "," + file.getKey());
            }
            String tree = run(withIndex, null, "write-tree");
            List<String> commitTree = new ArrayList<>(List.of("commit-tree", tree, "-m", message));
            if (parent != null) {
                commitTree.addAll(List.of("-p", parent));
            }
            String commit = run(dated(nextDate()), null, commitTree.toArray(String[]::new));
            git("update-ref", ref, commit, parent == null ? "0".repeat(40) : parent);
            return commit;
        } finally {
            index.toFile().delete();
        }
    }

    /** A branch (its name may have '/') at {@code commit}, moved there if it exists. */
    public FixtureRepository branch(String name, String commit) {
        git("update-ref", "refs/heads/" + name, commit);
        return this;
    }

    /** A lightweight tag: {@code refs/tags/<name>} names the commit itself. */
    public FixtureRepository tag(String name, String commit) {
        git("update-ref", "refs/tags/" + name, commit);
        return this;
    }

    /** An annotated tag: {@code refs/tags/<name>} names a tag object, which names the commit. */
    public FixtureRepository annotatedTag(String name, String commit, String message) {
        run(dated(nextDate()), null, "tag", "--annotate", "--message=" + message, name, commit);
        return this;
    }

    /** The branch that {@code HEAD} names, i.e. what a clone checks out by default ({@code main} at first). */
    public FixtureRepository head(String branch) {
        git("symbolic-ref", "HEAD", "refs/heads/" + branch);
        return this;
    }

    /** {@code git rev-parse --verify}: e.g. the tag object of {@code refs/tags/v1}, or {@code v1^{commit}}. */
    public String revParse(String revision) {
        return git("rev-parse", "--verify", "--end-of-options", revision);
    }

    /**
     * Any other git command in this repository, with the fixed identity and the date of the last commit or
     * tag (the clock only moves for {@link #commit} and {@link #annotatedTag}); returns stdout, stripped.
     */
    public String git(String... args) {
        return run(dated(FIRST_DATE + 60L * Math.max(0, clock - 1)), null, args);
    }

    private boolean exists(String ref) {
        List<String> command = List.of("git", "--git-dir=" + gitDir, "show-ref", "--verify", "--quiet", ref);
        return Host.run(command, environment, null, null, GIT_TIMEOUT).succeeded();
    }

    private long nextDate() {
        return FIRST_DATE + 60L * clock++;
    }

    private Map<String, String> dated(long epochSeconds) {
        Map<String, String> env = new HashMap<>(environment);
        env.put("GIT_AUTHOR_DATE", epochSeconds + " +0000");
        env.put("GIT_COMMITTER_DATE", epochSeconds + " +0000");
        return env;
    }

    private String run(Map<String, String> env, byte[] stdin, String... args) {
        List<String> command = new ArrayList<>(List.of("git", "-c", "user.name=Fixture Author", "-c",
                "user.email=fixture@example.com"));
        if (Files.exists(gitDir)) {
            command.add("--git-dir=" + gitDir);
        }
        command.addAll(List.of(args));
        Host.Output output = Host.run(command, env == null ? environment : env, null, stdin, GIT_TIMEOUT);
        if (!output.succeeded()) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + output.exitCode() + "): "
                    + output.stderr());
        }
        return output.stdout().strip();
    }
}
