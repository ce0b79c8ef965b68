package dev.ecrpush.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The plugin's environment: plain variables and secret ones (as sources), each sorted by name. A name is in
 * one of the two maps at most, and no value is ever empty: the plugins treat set-but-empty as set.
 */
public record PluginEnv(SortedMap<String, String> plain, SortedMap<String, SecretSource> secret) {
    public PluginEnv {
        plain = Collections.unmodifiableSortedMap(new TreeMap<>(plain));
        secret = Collections.unmodifiableSortedMap(new TreeMap<>(secret));
    }

    /** The secret variables as the plan shows them. */
    public SortedMap<String, String> secretDisplay() {
        TreeMap<String, String> shown = new TreeMap<>();
        secret.forEach((name, source) -> shown.put(name, source.display()));
        return Collections.unmodifiableSortedMap(shown);
    }

    static Builder builder() {
        return new Builder();
    }

    /** Used only inside one mapping call; the result is immutable. */
    static final class Builder {
        private final Map<String, String> plain = new LinkedHashMap<>();
        private final Map<String, SecretSource> secret = new LinkedHashMap<>();

        Builder put(PluginVar var, String value) {
            return put(var.variable(), value);
        }

        Builder put(String name, String value) {
            if (value != null && !value.isEmpty()) {
                secret.remove(name);
                plain.put(name, value);
            }
            return this;
        }

        Builder putSecret(PluginVar var, SecretSource source) {
            return putSecret(var.variable(), source);
        }

        Builder putSecret(String name, SecretSource source) {
            if (source != null) {
                plain.remove(name);
                secret.put(name, source);
            }
            return this;
        }

        PluginEnv build() {
            return new PluginEnv(new TreeMap<>(plain), new TreeMap<>(secret));
        }
    }
}
