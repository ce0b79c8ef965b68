package dev.ecrpush.policy;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A trigger's own {@code policy}: lists of the same kinds as the deployer's, each of which may only narrow the
 * deployer's. A list the trigger leaves out is the deployer's alone (null here).
 *
 * <p>An entry is within the deployer's list when the deployer's list permits it read as a plain value. That is sound
 * for patterns too: each {@code *} of the entry can only have been matched by a {@code *} of the deployer's pattern,
 * which matches whatever the entry's stands for; an entry that passes this way may be refused by a finer reading,
 * never the other way round.
 */
public record Narrowing(Allowlist targetAccounts, Allowlist roleArns, Allowlist secretRefs, Allowlist registries,
        Allowlist repoHosts) {

    /** No narrowing: the deployer's policy as it is (a direct invocation, or a trigger without {@code policy}). */
    public static final Narrowing NONE = new Narrowing(null, null, null, null, null);

    private static final Set<String> FIELDS = Set.of("targetAccounts", "roleArns", "secretRefs", "registries", "repoHosts");

    /**
     * A trigger's {@code policy} object, with every problem recorded at its path; NONE when absent.
     *
     * @param at       the object's path ({@code triggers[2].policy})
     * @param trigger  the trigger's name, for the lists' messages
     * @param deployer the deployer's policy, which each list must lie within
     */
    public static Narrowing parse(JsonNode node, String at, String trigger, Policy deployer, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) {
            return NONE;
        }
        if (!node.isObject()) {
            problems.add(at + ": must be an object of lists (" + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            return NONE;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                problems.add(at + "." + name + ": is not a policy list (" + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        Reader reader = new Reader(node, at, trigger, problems);
        return new Narrowing(
                reader.list("targetAccounts", deployer.targetAccounts(), Policy::accountEntry, Allowlist::permits),
                reader.list("roleArns", deployer.roleArns(), Policy::patternEntry, Allowlist::permits),
                reader.list("secretRefs", deployer.secretRefs(), Policy::patternEntry, Allowlist::permits),
                reader.list("registries", deployer.registries(), HostRule::entry, HostRule::covers),
                reader.list("repoHosts", deployer.repoHosts(), HostRule::entry, HostRule::covers));
    }

    private record Reader(JsonNode node, String at, String trigger, List<String> problems) {
        /**
         * @param entry  reads one entry (null: not one)
         * @param within whether the deployer's list holds the entry
         */
        Allowlist list(String field, Policy.Rule deployers, UnaryOperator<String> entry, BiPredicate<Allowlist, String> within) {
            JsonNode value = node.path(field);
            if (value.isMissingNode() || value.isNull()) {
                return null;
            }
            String path = at + "." + field;
            if (!value.isArray()) {
                problems.add(path + ": must be a list of strings");
                return null;
            }
            Allowlist deployer = deployers.deployers();
            List<String> entries = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                String read = item.isTextual() ? entry.apply(item.asText()) : null;
                if (read == null) {
                    problems.add(path + "[" + i + "]: must be an entry of this list (see docs/triggers.md), not " + item);
                } else if (!within.test(deployer, read)) {
                    problems.add(path + "[" + i + "]: " + item + " is outside the deployer's " + deployer.source()
                            + "; trigger " + trigger + " may only narrow it");
                } else {
                    entries.add(read);
                }
            }
            return new Allowlist("trigger " + trigger + "'s policy." + field, entries);
        }
    }
}
