package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.support.Fixtures;

/** {@code step.spec.onExistingTag} as parsed; the values refused are in {@code invalid/} (91 to 94). */
class OnExistingTagTest {
    @Test
    void unset_isSkip_theDefault() {
        assertEquals(OnExistingTag.SKIP, Fixtures.parse(Fixtures.basePayload()).step().spec().onExistingTag());
    }

    @Test
    void eachName_isRead() {
        for (OnExistingTag value : OnExistingTag.values()) {
            ObjectNode payload = Fixtures.basePayload();
            ((ObjectNode) payload.at("/step/spec")).put("onExistingTag", value.wire());
            assertEquals(value, Fixtures.parse(payload).step().spec().onExistingTag());
        }
    }

    @Test
    void theSettingSurvivesTheTagsBeingReplaced() {
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.at("/step/spec")).put("onExistingTag", "fail");
        StepPayload step = Fixtures.parse(payload).withTags(java.util.List.of("other"));
        assertEquals(OnExistingTag.FAIL, step.step().spec().onExistingTag());
    }
}
