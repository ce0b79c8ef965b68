package dev.ecrpush.step;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads one JSON object of the payload while keeping its field path, so every problem is reported where it
 * is and reading goes on after it. String values have their expressions resolved on the way out.
 */
public final class Fields {
    private final ObjectNode node;
    private final String path;
    private final Problems problems;
    private final Expressions.Context expressions;

    Fields(ObjectNode node, String path, Problems problems, Expressions.Context expressions) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        this.expressions = expressions;
    }

    String path() {
        return path;
    }

    public String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    public Problems problems() {
        return problems;
    }

    /** Reports every field that is neither known nor tolerated; tolerated ones get a warning. */
    public void allowOnly(Set<String> known, Set<String> ignoredWithWarning) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (ignoredWithWarning.contains(name)) {
                problems.warn(path(name), "is not used by this function and is ignored");
            } else if (!known.contains(name)) {
                problems.error(path(name), "unknown field" + suggestion(name, known));
            }
        }
    }

    public boolean has(String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull();
    }

    /** Whether {@code field} is a JSON object (a field that may be a string or a map reads it as the map). */
    public boolean isObject(String field) {
        JsonNode value = node.get(field);
        return value != null && value.isObject();
    }

    JsonNode raw(String field) {
        return node.get(field);
    }

    /** A required string: missing, empty, of the wrong type or unresolvable is an error (null returned). */
    public String requiredText(String field) {
        if (!has(field)) {
            problems.error(path(field), "is required");
            return null;
        }
        return text(node.get(field), path(field), true);
    }

    /** An optional string: null when absent, null or empty. */
    public String optionalText(String field) {
        return has(field) ? text(node.get(field), path(field), false) : null;
    }

    /** Reads one string value at {@code at}; {@code required} decides what an unknown expression means. */
    String text(JsonNode value, String at, boolean required) {
        if (!value.isTextual() && !value.isNumber() && !value.isBoolean()) {
            problems.error(at, "must be a string");
            return null;
        }
        String raw = value.asText();
        Expressions.Result result = Expressions.resolve(raw, expressions);
        if (result instanceof Expressions.Result.Resolved resolved) {
            if (resolved.text().isEmpty()) {
                if (required) {
                    problems.error(at, "is required and must not be empty");
                }
                return null;
            }
            return resolved.text();
        }
        if (result instanceof Expressions.Result.Missing missing) {
            problems.error(at, missing.expression() + " cannot be resolved: " + missing.reason());
            return null;
        }
        Expressions.Result.Unknown unknown = (Expressions.Result.Unknown) result;
        if (!required && unknown.whole()) {
            problems.warn(at, unknown.expression() + " is not resolved by this function; the field is treated as unset");
            return null;
        }
        problems.error(at, unknown.expression()
                + " cannot be resolved here; only <+codebase.commitSha|shortCommitSha|branch|tag>, <+trigger.type> and, for a"
                + " pull request, <+trigger.prNumber|sourceBranch|targetBranch> are");
        return null;
    }

    /**
     * A boolean: JSON true/false or the strings {@code "true"}/{@code "false"}; a whole unresolved expression
     * means the default, as in the manager. Anything else (including a typo like {@code "ture"}) is an error.
     */
    public boolean bool(String field, boolean defaultValue) {
        if (!has(field)) {
            return defaultValue;
        }
        JsonNode value = node.get(field);
        if (value.isBoolean()) {
            return value.booleanValue();
        }
        if (value.isTextual()) {
            String raw = value.asText();
            Expressions.Result result = Expressions.resolve(raw, expressions);
            if (result instanceof Expressions.Result.Unknown unknown && unknown.whole()) {
                problems.warn(path(field), unknown.expression() + " is not resolved by this function; the default "
                        + defaultValue + " applies");
                return defaultValue;
            }
            String text = result instanceof Expressions.Result.Resolved r ? r.text() : raw;
            if (text.equals("true") || text.equals("false")) {
                return Boolean.parseBoolean(text);
            }
        }
        problems.error(path(field), "must be true or false, not " + Rules.shown(value.toString()));
        return defaultValue;
    }

    /** An optional integer within bounds: a JSON integer or a string of digits. */
    Integer integer(String field, int min, int max) {
        if (!has(field)) {
            return null;
        }
        JsonNode value = node.get(field);
        Long number = null;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            number = value.longValue();
        } else if (value.isTextual() && value.asText().matches("-?\\d{1,10}")) {
            number = Long.parseLong(value.asText());
        }
        if (number == null || number < min || number > max) {
            problems.error(path(field), "must be a whole number from " + min + " to " + max + ", not " + Rules.shown(value.toString()));
            return null;
        }
        return number.intValue();
    }

    /** A list of strings; an absent list is empty. Each element is read as a string at {@code field[i]}. */
    public List<String> textList(String field, boolean requiredElements) {
        return textList(field, requiredElements, Rules.MAX_ITEMS);
    }

    /**
     * A list of at most {@code max} strings; an absent list is empty. A longer one is refused before any element is
     * read, so a payload of many items costs one problem, not one per item.
     */
    public List<String> textList(String field, boolean requiredElements, int max) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode value = node.get(field);
        if (!value.isArray()) {
            problems.error(path(field), "must be a list of strings");
            return List.of();
        }
        if (!withinLimit(field, value, max)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            String element = text(value.get(i), path(field) + "[" + i + "]", requiredElements);
            if (element != null) {
                out.add(element);
            }
        }
        return out;
    }

    /**
     * A map of at most {@value Rules#MAX_ITEMS} strings in the order written; an absent map is empty. Values are read
     * at {@code field.key}; a larger map is refused before any entry is read.
     */
    public List<KeyValue> textMap(String field) {
        if (!has(field)) {
            return List.of();
        }
        JsonNode value = node.get(field);
        if (!value.isObject()) {
            problems.error(path(field), "must be a map of strings");
            return List.of();
        }
        if (!withinLimit(field, value, Rules.MAX_ITEMS)) {
            return List.of();
        }
        List<KeyValue> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> entry = it.next();
            String at = path(field) + "." + entry.getKey();
            if (entry.getValue().isNull()) {
                problems.error(at, "must be a string, not null");
                continue;
            }
            String text = text(entry.getValue(), at, true);
            if (text != null) {
                out.add(new KeyValue(entry.getKey(), text));
            }
        }
        return out;
    }

    /** Whether the list or map {@code field} has at most {@code max} items; a problem naming it when not. */
    boolean withinLimit(String field, JsonNode value, int max) {
        if (value.size() <= max) {
            return true;
        }
        problems.error(path(field), "has " + value.size() + (value.isArray() ? " items" : " entries") + "; at most " + max
                + " are allowed");
        return false;
    }

    /** A nested object, or null (with an error when required or of the wrong type). */
    Fields object(String field, boolean required) {
        if (!has(field)) {
            if (required) {
                problems.error(path(field), "is required");
            }
            return null;
        }
        JsonNode value = node.get(field);
        if (!value.isObject()) {
            problems.error(path(field), "must be an object");
            return null;
        }
        return new Fields((ObjectNode) value, path(field), problems, expressions);
    }

    Iterator<Map.Entry<String, JsonNode>> entries() {
        return node.fields();
    }

    Fields child(ObjectNode child, String childPath) {
        return new Fields(child, childPath, problems, expressions);
    }

    private static String suggestion(String name, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = distance(name.toLowerCase(), candidate.toLowerCase());
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
