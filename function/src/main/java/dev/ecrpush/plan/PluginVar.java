package dev.ecrpush.plan;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every variable the planner emits, in one table: the name the plugins read, how the value is encoded, and
 * which plugins read it (from the plugins' source, see the mapping table of docs/plugin-environment.md). This
 * is the contract the mapper emits through: {@link PluginEnv.Builder} refuses a variable for a plugin that does
 * not read it, and encodes lists as the plugin splits them. Values are never empty.
 */
public enum PluginVar {
    REGISTRY("PLUGIN_REGISTRY", Encoding.TEXT, Plugins.ALL),
    REPO("PLUGIN_REPO", Encoding.TEXT, Plugins.ALL),
    TAGS("PLUGIN_TAGS", Encoding.COMMA_LIST, Plugins.ALL),
    REGION("PLUGIN_REGION", Encoding.TEXT, Plugins.ALL),
    DOCKERFILE("PLUGIN_DOCKERFILE", Encoding.TEXT, Plugins.ALL),
    CONTEXT("PLUGIN_CONTEXT", Encoding.TEXT, Plugins.ALL),
    TARGET("PLUGIN_TARGET", Encoding.TEXT, Plugins.ALL),
    BUILD_ARGS("PLUGIN_BUILD_ARGS", Encoding.COMMA_LIST, Plugins.ALL),
    BUILD_ARGS_NEW("PLUGIN_BUILD_ARGS_NEW", Encoding.SEMICOLON_LIST, Plugins.ALL),
    MULTIPLE_BUILD_ARGS("PLUGIN_MULTIPLE_BUILD_ARGS", Encoding.BOOL, Plugins.ALL),
    CUSTOM_LABELS("PLUGIN_CUSTOM_LABELS", Encoding.COMMA_LIST, Plugins.ALL),
    SNAPSHOT_MODE("PLUGIN_SNAPSHOT_MODE", Encoding.TEXT, Plugins.KANIKO),
    ENABLE_CACHE("PLUGIN_ENABLE_CACHE", Encoding.BOOL, Plugins.KANIKO),
    CACHE_REPO("PLUGIN_CACHE_REPO", Encoding.TEXT, Plugins.KANIKO),
    ARTIFACT_FILE("PLUGIN_ARTIFACT_FILE", Encoding.PATH, Plugins.ALL),
    DAEMON_OFF("PLUGIN_DAEMON_OFF", Encoding.BOOL, Plugins.DOCKER),
    /** buildx's {@code --metadata-file}; drone-docker (the ecr plugin) has no such flag. */
    METADATA_FILE("PLUGIN_METADATA_FILE", Encoding.PATH, Plugins.BUILDX),
    CACHE_FROM("PLUGIN_CACHE_FROM", Encoding.SEMICOLON_LIST, Plugins.BUILDX),
    CACHE_TO("PLUGIN_CACHE_TO", Encoding.SEMICOLON_LIST, Plugins.BUILDX),
    BUILDER_DRIVER_OPTS("PLUGIN_BUILDER_DRIVER_OPTS", Encoding.SEMICOLON_LIST, Plugins.BUILDX),
    SECRETS_FROM_ENV("PLUGIN_SECRETS_FROM_ENV", Encoding.COMMA_LIST, Plugins.DOCKER),
    SECRETS_FROM_FILE("PLUGIN_SECRETS_FROM_FILE", Encoding.COMMA_LIST, Plugins.DOCKER),
    ACCESS_KEY("PLUGIN_ACCESS_KEY", Encoding.TEXT, Plugins.ALL),
    SECRET_KEY("PLUGIN_SECRET_KEY", Encoding.TEXT, Plugins.ALL),
    AWS_ACCESS_KEY_ID("AWS_ACCESS_KEY_ID", Encoding.TEXT, Plugins.ALL),
    AWS_SECRET_ACCESS_KEY("AWS_SECRET_ACCESS_KEY", Encoding.TEXT, Plugins.ALL),
    AWS_SESSION_TOKEN("AWS_SESSION_TOKEN", Encoding.TEXT, Plugins.ALL),
    ASSUME_ROLE("PLUGIN_ASSUME_ROLE", Encoding.TEXT, Plugins.ALL),
    EXTERNAL_ID("PLUGIN_EXTERNAL_ID", Encoding.TEXT, Plugins.ALL),
    OIDC_TOKEN_ID("PLUGIN_OIDC_TOKEN_ID", Encoding.TEXT, Plugins.ALL),
    BASE_IMAGE_REGISTRY("PLUGIN_BASE_IMAGE_REGISTRY", Encoding.TEXT, Plugins.ALL),
    BASE_IMAGE_USERNAME("PLUGIN_BASE_IMAGE_USERNAME", Encoding.TEXT, Plugins.ALL),
    BASE_IMAGE_PASSWORD("PLUGIN_BASE_IMAGE_PASSWORD", Encoding.TEXT, Plugins.ALL);

    /** How the plugins parse the value (urfave/cli flags). */
    public enum Encoding {
        TEXT(null), PATH(null),
        /** {@code strconv.ParseBool}: only {@code true} is ever emitted (false is the plugins' default). */
        BOOL(null),
        /** {@code StringSliceFlag}: split on ',' and trimmed, with no escaping. */
        COMMA_LIST(","),
        /** {@code CustomStringSliceFlag}: split on ';' and trimmed, with no escaping. */
        SEMICOLON_LIST(";");

        private final String separator;

        Encoding(String separator) {
            this.separator = separator;
        }

        public boolean isList() {
            return separator != null;
        }

        /** The items joined as the plugin splits them; like the manager, an item holding the separator is not escaped. */
        public String encode(List<String> items) {
            if (!isList()) {
                throw new IllegalStateException(this + " is not a list encoding");
            }
            return String.join(separator, items);
        }

        /** The items the plugin reads from {@code value}: split, trimmed, empty ones left out. */
        public List<String> decode(String value) {
            if (!isList()) {
                throw new IllegalStateException(this + " is not a list encoding");
            }
            return Arrays.stream(value.split(Pattern.quote(separator), -1)).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
    }

    private final String variable;
    private final Encoding encoding;
    private final Set<Plugin> readBy;

    PluginVar(String variable, Encoding encoding, Set<Plugin> readBy) {
        this.variable = variable;
        this.encoding = encoding;
        this.readBy = readBy;
    }

    public String variable() {
        return variable;
    }

    public Encoding encoding() {
        return encoding;
    }

    public Set<Plugin> readBy() {
        return readBy;
    }

    /** Whether {@code plugin} reads this variable (its flag table declares it). */
    public boolean isReadBy(Plugin plugin) {
        return readBy.contains(plugin);
    }

    private static final class Plugins {
        static final Set<Plugin> ALL = EnumSet.allOf(Plugin.class);
        static final Set<Plugin> KANIKO = EnumSet.of(Plugin.KANIKO_ECR);
        static final Set<Plugin> DOCKER = EnumSet.of(Plugin.ECR, Plugin.BUILDX_ECR);
        static final Set<Plugin> BUILDX = EnumSet.of(Plugin.BUILDX_ECR);
    }
}
