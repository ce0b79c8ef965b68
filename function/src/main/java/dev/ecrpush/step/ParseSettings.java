package dev.ecrpush.step;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What parsing takes besides the payload: the trigger that delivered it, the configured connector store
 * (looked up before mapping, so the planner stays pure) and the registered executors' parsers, each with its
 * configured defaults.
 *
 * @param executors           by {@code executor.type}, in registration order
 * @param defaultExecutor     the type a payload without {@code executor} runs on
 * @param triggerKeyPrefixes  the {@code idempotencyKey} prefixes of the payloads triggers build (a Git host's
 *                            delivery, a schedule's event), which a direct ({@link TriggerType#MANUAL}) payload
 *                            may not take: its key would stand for a delivery it is not
 */
public record ParseSettings(TriggerType triggerType, Map<String, JsonNode> storedConnectors, Map<String, ExecutorParser> executors,
        String defaultExecutor, List<String> triggerKeyPrefixes) {
    public ParseSettings {
        storedConnectors = Map.copyOf(storedConnectors);
        triggerKeyPrefixes = List.copyOf(triggerKeyPrefixes);
        executors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(executors));
        if (!executors.containsKey(defaultExecutor)) {
            throw new IllegalArgumentException("the default executor " + defaultExecutor + " is not one of " + executors.keySet());
        }
    }

    /** The parsers by their type, the first one the default. */
    public static ParseSettings of(TriggerType triggerType, Map<String, JsonNode> storedConnectors, List<ExecutorParser> parsers) {
        Map<String, ExecutorParser> byType = new LinkedHashMap<>();
        parsers.forEach(parser -> byType.put(parser.type(), parser));
        return new ParseSettings(triggerType, storedConnectors, byType, parsers.get(0).type(), List.of());
    }

    /** The same settings for another trigger type. */
    public ParseSettings withTriggerType(TriggerType type) {
        return new ParseSettings(type, storedConnectors, executors, defaultExecutor, triggerKeyPrefixes);
    }

    /** The same settings with another connector store. */
    public ParseSettings withStoredConnectors(Map<String, JsonNode> store) {
        return new ParseSettings(triggerType, store, executors, defaultExecutor, triggerKeyPrefixes);
    }

    /** The same settings with the key prefixes only triggers may use. */
    public ParseSettings withTriggerKeyPrefixes(List<String> prefixes) {
        return new ParseSettings(triggerType, storedConnectors, executors, defaultExecutor, prefixes);
    }
}
