package dev.ecrpush.result;

import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The JSON of a result record, as Jackson would write it (components in declaration order, nulls left out
 * where the record says {@code NON_NULL}, {@code @JsonIgnore}d components left out, enums by name), built by
 * walking the record components. The
 * first answer of a cold start would otherwise wait for Jackson to introspect every result type, which costs
 * more than everything else the function does for a plan; {@code ResultJsonTest} holds the two to the same
 * output. Anything that is not a record, a collection, a map or a plain value is left to Jackson.
 */
public final class ResultJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ResultJson() {
    }

    public static JsonNode tree(Object value, ObjectMapper fallback) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        if (value instanceof Record record) {
            return record(record, fallback);
        }
        if (value instanceof String text) {
            return NODES.textNode(text);
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Enum<?> e) {
            return NODES.textNode(e.name());
        }
        if (value instanceof Collection<?> list) {
            ArrayNode array = NODES.arrayNode();
            list.forEach(element -> array.add(tree(element, fallback)));
            return array;
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            map.forEach((k, v) -> object.set(String.valueOf(k), tree(v, fallback)));
            return object;
        }
        return fallback.valueToTree(value);
    }

    private static ObjectNode record(Record record, ObjectMapper fallback) {
        JsonInclude include = record.getClass().getAnnotation(JsonInclude.class);
        boolean skipNulls = include != null && include.value() == JsonInclude.Include.NON_NULL;
        ObjectNode object = NODES.objectNode();
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            if (component.getAccessor().isAnnotationPresent(JsonIgnore.class) || component.isAnnotationPresent(JsonIgnore.class)) {
                continue;
            }
            Object value;
            try {
                value = component.getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                // Result records are public; an accessor that cannot be called is a defect, and Jackson may know better.
                return fallback.valueToTree(record);
            }
            JsonInclude own = component.getAccessor().getAnnotation(JsonInclude.class);
            own = own != null ? own : component.getAnnotation(JsonInclude.class);
            boolean skip = own != null ? own.value() == JsonInclude.Include.NON_NULL : skipNulls;
            if (value != null || !skip) {
                object.set(component.getName(), tree(value, fallback));
            }
        }
        return object;
    }
}
