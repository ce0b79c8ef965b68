package dev.ecrpush.registry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Repositories this container has seen exist, per registry and name. It outlives invocations (one per
 * container) so that a warm function makes no ECR call for a repository it already ensured; the cost is that a
 * repository deleted meanwhile is not recreated until the container is replaced.
 */
public final class KnownRepositories {
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    public boolean contains(String registry, String name) {
        return known.contains(key(registry, name));
    }

    public void add(String registry, String name) {
        known.add(key(registry, name));
    }

    /** Whether this container has seen {@code registry}'s signing configuration sign {@code name} with {@code profileArn}. */
    public boolean signs(String registry, String name, String profileArn) {
        return known.contains("signing " + key(registry, name) + " " + profileArn);
    }

    public void addSigning(String registry, String name, String profileArn) {
        known.add("signing " + key(registry, name) + " " + profileArn);
    }

    private static String key(String registry, String name) {
        return registry + "/" + name;
    }
}
