package dev.ecrpush.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import software.amazon.awssdk.services.ecr.model.SigningRepositoryFilter;
import software.amazon.awssdk.services.ecr.model.SigningRepositoryFilterType;
import software.amazon.awssdk.services.ecr.model.SigningRule;

/**
 * The pure decisions about a registry's signing rules (ECR's {@code SigningConfiguration}): whether a rule already signs
 * a repository with a profile, and the rules with one added. Another rule is never changed, reordered or dropped.
 */
public final class SigningRules {
    /** ECR's limit on the rules of one registry's signing configuration. */
    public static final int MAX_RULES = 10;

    private SigningRules() {
    }

    /**
     * Whether a rule of {@code profileArn} signs the images of {@code repository}: a rule without filters signs every
     * repository of the registry; a {@code WILDCARD_MATCH} filter matches with {@code *} as any run of characters.
     */
    public static boolean covers(List<SigningRule> rules, String profileArn, String repository) {
        for (SigningRule rule : rules) {
            if (!profileArn.equals(rule.signingProfileArn())) {
                continue;
            }
            if (!rule.hasRepositoryFilters() || rule.repositoryFilters().isEmpty()) {
                return true;
            }
            for (SigningRepositoryFilter filter : rule.repositoryFilters()) {
                if (filter.filterType() == SigningRepositoryFilterType.WILDCARD_MATCH && matches(filter.filter(), repository)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** {@code rules} exactly as they are, then one rule signing exactly {@code repository} with {@code profileArn}. */
    public static List<SigningRule> withRule(List<SigningRule> rules, String profileArn, String repository) {
        List<SigningRule> next = new ArrayList<>(rules);
        // A repository name has no '*' (ECR's naming rule), so this filter matches this repository alone.
        next.add(SigningRule.builder().signingProfileArn(profileArn)
                .repositoryFilters(SigningRepositoryFilter.builder().filter(repository)
                        .filterType(SigningRepositoryFilterType.WILDCARD_MATCH).build())
                .build());
        return List.copyOf(next);
    }

    /** ECR's wildcard match: the whole name, {@code *} matching any run of characters (none included). */
    static boolean matches(String filter, String repository) {
        if (filter == null) {
            return false;
        }
        StringBuilder regex = new StringBuilder();
        for (String part : filter.split("\\*", -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(repository).matches();
    }
}
