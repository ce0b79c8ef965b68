package dev.ecrpush.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import dev.ecrpush.config.ServiceConfig;

/**
 * What the deployer allows a payload to ask for ({@code buildpush.policy.*}), possibly narrowed by the trigger that
 * built the payload. Each rule is a list of {@link Allowlist}s a value must all pass: the deployer's, then the
 * trigger's when it has one, so a trigger's run is held to the intersection.
 *
 * @param externalIds by target account: the external ID its cross-account role is assumed with
 * @param ownSecrets  the stack's own secrets and parameters, refused whatever {@code secretRefs} allows
 */
public record Policy(Rule targetAccounts, Rule roleArns, Rule secretRefs, Rule registries, Rule repoHosts,
        Map<String, String> externalIds, OwnSecrets ownSecrets) {

    public static final String TARGET_ACCOUNTS = "buildpush.policy.target-accounts";
    public static final String ROLE_ARNS = "buildpush.policy.role-arns";
    public static final String SECRET_REFS = "buildpush.policy.secret-refs";
    public static final String REGISTRIES = "buildpush.policy.registries";
    public static final String REPO_HOSTS = "buildpush.policy.repo-hosts";
    public static final String EXTERNAL_IDS = "buildpush.policy.external-ids";

    /** What the deployer's unset {@code target-accounts} stands for, in messages. */
    static final String UNSET_ACCOUNTS = TARGET_ACCOUNTS + ", unset: only the function's own account, which it was not told";

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    /** What {@code sts:AssumeRole} accepts as an external ID, without the comma that separates the entries. */
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=.@:/-]{2,1224}");
    private static final Pattern NO_BLANKS = Pattern.compile("\\S+");

    public Policy {
        externalIds = Map.copyOf(externalIds);
    }

    /** A rule: every list must permit the value. */
    public record Rule(List<Allowlist> lists) {
        public Rule {
            lists = List.copyOf(lists);
        }

        /** The first list that does not permit, by {@code permits}; null when all do. */
        Allowlist refusing(java.util.function.Predicate<Allowlist> permits) {
            return lists.stream().filter(list -> !permits.test(list)).findFirst().orElse(null);
        }

        /** The deployer's list, which a trigger's may only narrow. */
        Allowlist deployers() {
            return lists.get(0);
        }

        Rule and(Allowlist narrower) {
            if (narrower == null) {
                return this;
            }
            List<Allowlist> all = new ArrayList<>(lists);
            all.add(narrower);
            return new Rule(all);
        }
    }

    /**
     * The deployer's policy. A malformed value stops the function's start with a message naming its key (never quoting
     * an external ID).
     *
     * @throws IllegalStateException naming the key of a malformed value
     */
    public static Policy from(ServiceConfig config) {
        ServiceConfig.Policy keys = config.policy();
        Allowlist accounts = keys.targetAccounts()
                .map(list -> list(TARGET_ACCOUNTS, list, Policy::accountEntry))
                .orElse(new Allowlist(UNSET_ACCOUNTS, List.of()));
        Allowlist roles = list(ROLE_ARNS, keys.roleArns(), Policy::patternEntry);
        Allowlist secrets = list(SECRET_REFS, keys.secretRefs(), Policy::patternEntry);
        Allowlist registries = list(REGISTRIES, keys.registries(), HostRule::entry);
        Allowlist repoHosts = list(REPO_HOSTS, keys.repoHosts(), HostRule::entry);
        OwnSecrets own = new OwnSecrets.Builder()
                .reference(config.webhooks().secretId().orElse(null), "the webhook secret (buildpush.webhooks.secret-id)")
                .parameter(config.triggers().parameter().orElse(null), "the trigger set (buildpush.triggers.parameter)")
                .parameterPrefix(config.oidc().parameterPrefix(), "a stashed OIDC token (buildpush.oidc.parameter-prefix)")
                .reference(config.ecs().gitTokenRef().orElse(null), "the ECS Git token (buildpush.ecs.git-token-ref)")
                .reference(config.githosts().github().tokenRef().orElse(null), "the GitHub API token (buildpush.githosts.github.token-ref)")
                .reference(config.githosts().gitlab().tokenRef().orElse(null), "the GitLab API token (buildpush.githosts.gitlab.token-ref)")
                .reference(config.githosts().bitbucket().tokenRef().orElse(null),
                        "the Bitbucket API token (buildpush.githosts.bitbucket.token-ref)")
                .reference(config.githosts().gitea().tokenRef().orElse(null), "the Gitea API token (buildpush.githosts.gitea.token-ref)")
                .secretPrefix(keys.resourcePrefix() + "/", "a secret of this stack (buildpush.policy.resource-prefix)")
                .parameterPrefix("/" + keys.resourcePrefix() + "/", "a parameter of this stack (buildpush.policy.resource-prefix)")
                .build();
        return new Policy(rule(accounts), rule(roles), rule(secrets), rule(registries), rule(repoHosts),
                externalIds(keys.externalIds()), own);
    }

    /** This policy held to a trigger's narrower lists as well. */
    public Policy narrowedBy(Narrowing narrowing) {
        return new Policy(targetAccounts.and(narrowing.targetAccounts()), roleArns.and(narrowing.roleArns()),
                secretRefs.and(narrowing.secretRefs()), registries.and(narrowing.registries()), repoHosts.and(narrowing.repoHosts()),
                externalIds, ownSecrets);
    }

    /** Never the external IDs: they are not secret, but no log needs them. */
    @Override
    public String toString() {
        return "Policy[targetAccounts=" + targetAccounts + ", roleArns=" + roleArns + ", secretRefs=" + secretRefs
                + ", registries=" + registries + ", repoHosts=" + repoHosts + ", externalIds for " + externalIds.keySet() + "]";
    }

    private static Rule rule(Allowlist deployers) {
        return new Rule(List.of(deployers));
    }

    /**
     * A configured list: {@code none} alone is the empty list; every other entry is read by {@code entry}, which
     * gives null for one it does not accept.
     */
    private static Allowlist list(String key, List<String> configured, UnaryOperator<String> entry) {
        List<String> values = configured.stream().map(String::trim).filter(v -> !v.isEmpty()).toList();
        if (values.equals(List.of("none"))) {
            return new Allowlist(key, List.of());
        }
        List<String> entries = new ArrayList<>();
        for (String value : values) {
            String read = entry.apply(value);
            if (read == null) {
                throw new IllegalStateException(key + ": \"" + value + "\" is not an entry of this list (see docs/configuration.md)");
            }
            entries.add(read);
        }
        return new Allowlist(key, entries);
    }

    /** An account ID, or {@code *}. */
    static String accountEntry(String text) {
        return text.equals("*") || ACCOUNT.matcher(text).matches() ? text : null;
    }

    /** A pattern of ARNs or references: any text without blanks. */
    static String patternEntry(String text) {
        return NO_BLANKS.matcher(text).matches() ? text : null;
    }

    /** {@code ACCOUNT=EXTERNAL_ID,...}; a bad entry is named by its position, never quoted. */
    private static Map<String, String> externalIds(Optional<String> configured) {
        Map<String, String> ids = new LinkedHashMap<>();
        if (configured.isEmpty() || configured.get().isBlank()) {
            return ids;
        }
        String[] entries = configured.get().split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String[] parts = entries[i].trim().split("=", 2);
            if (parts.length != 2 || !ACCOUNT.matcher(parts[0]).matches() || !EXTERNAL_ID.matcher(parts[1]).matches()) {
                throw new IllegalStateException(EXTERNAL_IDS + ": entry " + (i + 1) + " is not ACCOUNT=EXTERNAL_ID (12 digits, then"
                        + " 2 to 1224 of letters, digits and +=.@:/-)");
            }
            if (ids.put(parts[0], parts[1]) != null) {
                throw new IllegalStateException(EXTERNAL_IDS + ": account " + parts[0] + " is given twice");
            }
        }
        return ids;
    }
}
