package dev.ecrpush.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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

    static Builder builder(Plugin plugin) {
        return new Builder(plugin);
    }

    /**
     * Used only inside one mapping call; the result is immutable. Each {@link PluginVar} goes out through it,
     * checked against its table entry: a variable the plugin does not read is a programming error, thrown here.
     */
    static final class Builder {
        private final Plugin plugin;
        private final Map<String, String> plain = new LinkedHashMap<>();
        private final Map<String, SecretSource> secret = new LinkedHashMap<>();

        private Builder(Plugin plugin) {
            this.plugin = plugin;
        }

        /** A text, path or boolean variable; nothing for null or empty. */
        Builder put(PluginVar var, String value) {
            require(var);
            if (var.encoding().isList()) {
                throw new IllegalStateException(var + " is a list: give its items");
            }
            if (var.encoding() == PluginVar.Encoding.BOOL && value != null && !value.equals("true")) {
                throw new IllegalStateException(var + " takes true, or nothing, not " + value);
            }
            return putRaw(var.variable(), value);
        }

        /** A list variable, encoded as the plugin splits it; nothing for an empty list. */
        Builder put(PluginVar var, List<String> items) {
            require(var);
            return putRaw(var.variable(), items.isEmpty() ? null : var.encoding().encode(items));
        }

        Builder putSecret(PluginVar var, SecretSource source) {
            require(var);
            return putSecretRaw(var.variable(), source);
        }

        /**
         * A secret variable another variable names ({@code PLUGIN_SECRETS_FROM_ENV}'s {@code id=NAME}): its name is
         * the step's, so it is no entry of the table, but only a plugin that reads that list gets one.
         */
        Builder putNamedSecret(PluginVar namedBy, String name, SecretSource source) {
            require(namedBy);
            return putSecretRaw(name, source);
        }

        /** The step's own {@code envVariables}: the user's explicit choice, whatever the plugin reads. */
        Builder putUser(String name, String value) {
            return putRaw(name, value);
        }

        private void require(PluginVar var) {
            if (!var.isReadBy(plugin)) {
                throw new IllegalStateException(var.variable() + " is not read by " + plugin + " (PluginVar." + var + ")");
            }
        }

        private Builder putRaw(String name, String value) {
            if (value != null && !value.isEmpty()) {
                secret.remove(name);
                plain.put(name, value);
            }
            return this;
        }

        private Builder putSecretRaw(String name, SecretSource source) {
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
