package dev.ecrpush.step;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.TriggerPayloads;

/**
 * The idempotency key as the parser takes it: the prefixes of trigger-built keys are refused in direct payloads,
 * and the content hash a key is bound to tells a retry of the same payload from another payload.
 */
class IdempotencyKeyTest {
    /** As the function is configured: every registered Git host's prefix, and the schedule's. */
    private static final ParseSettings DIRECT = Fixtures.SETTINGS
            .withTriggerKeyPrefixes(TriggerPayloads.keyPrefixes(new GitHostRegistry().names()));

    private static ObjectNode payload(String key) {
        return Fixtures.basePayload().put("mode", "run").put("idempotencyKey", key);
    }

    @Test
    void triggerPrefixes_comeFromEveryRegisteredGitHost_andTheSchedule() {
        List<String> prefixes = DIRECT.triggerKeyPrefixes();
        new GitHostRegistry().names().forEach(host -> assertTrue(prefixes.contains(host + "/"), prefixes::toString));
        assertTrue(prefixes.containsAll(List.of("github/", "gitlab/", "bitbucket/", "gitea/", "schedule/")), prefixes::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"github/72d3162e-cc78-11e3-81ab-4c9367dc0958/app-main/refs/heads/main",
        "gitlab/x/y/refs/heads/main", "bitbucket/x", "gitea/x", "schedule/7bf73129-1428-4cd3-a780-95db273d1602/nightly-app",
        "GitHub/72d3162e/app-main/refs/heads/main", "SCHEDULE/x"})
    void directPayload_withATriggersKey_isRefusedNamingIdempotencyKey(String key) {
        InvalidStepException refused = assertThrows(InvalidStepException.class, () -> StepParser.parse(payload(key), DIRECT));
        assertEquals(1, refused.problems().size(), refused::getMessage);
        assertTrue(refused.problems().get(0).startsWith("idempotencyKey: must not start with "), refused::getMessage);
    }

    @Test
    void payloadDeliveredByATrigger_keepsItsKey_evenWhenItDeclaresNothing() {
        String key = "github/72d3162e-cc78-11e3-81ab-4c9367dc0958/app-main/refs/heads/main";
        assertEquals(key, StepParser.parse(payload(key), DIRECT.withTriggerType(TriggerType.WEBHOOK)).idempotencyKey());
        String scheduled = "schedule/7bf73129-1428-4cd3-a780-95db273d1602/nightly-app";
        assertEquals(scheduled, StepParser.parse(payload(scheduled), DIRECT.withTriggerType(TriggerType.SCHEDULE)).idempotencyKey());
    }

    /** A direct payload cannot make itself a schedule's by saying so: the entry point that delivered it decides. */
    @Test
    void directPayload_declaringItselfScheduled_isStillRefusedATriggersKey() {
        ObjectNode payload = payload("schedule/7bf73129-1428-4cd3-a780-95db273d1602/nightly-app").put("triggerType", "schedule");
        InvalidStepException refused = assertThrows(InvalidStepException.class, () -> StepParser.parse(payload, DIRECT));
        assertTrue(refused.getMessage().startsWith("idempotencyKey: "), refused::getMessage);
    }

    @Test
    void directPayload_withAnyOtherKey_keepsIt() {
        for (String key : List.of("exec-42/build_app", "githubish/x", "my-github/x", "arn:aws:states:us-east-1:1:execution:m:e")) {
            assertEquals(key, StepParser.parse(payload(key), DIRECT).idempotencyKey());
        }
    }

    @Test
    void contentHash_isTheSameForTheSamePayload_inAnyMemberOrder_andWhateverItsTokens() {
        ObjectNode first = payload("exec-42").put("taskToken", "token-1");
        ObjectNode reordered = Fixtures.JSON.createObjectNode().put("taskToken", "token-2").put("oidcToken", "eyJ-new");
        List<String> names = new ArrayList<>();
        first.fieldNames().forEachRemaining(names::add);
        Collections.reverse(names);
        names.stream().filter(name -> !name.equals("taskToken")).forEach(name -> reordered.set(name, first.get(name)));
        // then
        assertEquals(StepParser.parse(first, DIRECT).contentHash(), StepParser.parse(reordered, DIRECT).contentHash());
        assertEquals(64, StepParser.parse(first, DIRECT).contentHash().length());
    }

    @Test
    void contentHash_differsForAnythingElse() {
        String hash = StepParser.parse(payload("exec-42"), DIRECT).contentHash();
        ObjectNode otherTag = payload("exec-42");
        ((ObjectNode) otherTag.at("/step/spec")).putArray("tags").add("other");
        ObjectNode otherCommit = payload("exec-42");
        otherCommit.putObject("codebase").put("commitSha", "0000000000000000000000000000000000000001");
        assertNotEquals(hash, StepParser.parse(otherTag, DIRECT).contentHash());
        assertNotEquals(hash, StepParser.parse(otherCommit, DIRECT).contentHash());
        assertNotEquals(hash, StepParser.parse(payload("exec-43"), DIRECT).contentHash());
    }
}
