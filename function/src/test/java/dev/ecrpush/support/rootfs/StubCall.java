package dev.ecrpush.support.rootfs;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One call of a stub program, as the stub recorded it inside the root filesystem.
 *
 * @param argv every argument, {@code argv[0]} included, as the caller passed it
 * @param cwd the working directory, as a path inside the root
 * @param env the whole environment, in the order the process had it
 */
public record StubCall(List<String> argv, String cwd, Map<String, String> env) {
    public StubCall {
        argv = List.copyOf(argv);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** The arguments after {@code argv[0]}. */
    public List<String> args() {
        return argv.subList(1, argv.size());
    }
}
