package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.Push;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.step.TriggerType;

class TriggerPayloadsTest {
    private static Trigger trigger(String name) throws IOException {
        ObjectNode payload = Fixtures.basePayload();
        ((ObjectNode) payload.at("/step/spec")).set("tags",
                Fixtures.JSON.readTree("[\"<+codebase.shortCommitSha>\", \"<+trigger.type>\"]"));
        payload.putObject("codebase").put("repoUrl", "https://github.com/acme/stale.git").put("branch", "develop");
        return new Trigger(name, null, "acme/app", List.of(RefPattern.of("main")), List.of(RefPattern.of("v*")),
                List.of("nightly"), payload);
    }

    @Test
    void forPush_takesTheCodebaseFromThePush_soExpressionsResolve() throws IOException {
        // given
        Push push = new Push("github", "acme/app", "https://github.com/acme/app.git",
                new Push.Ref(Push.Ref.Kind.TAG, "v1.4.0"), "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        DeliveryId delivery = DeliveryId.ofBody("{\"ref\": \"refs/tags/v1.4.0\"}".getBytes(StandardCharsets.UTF_8));
        // when
        ObjectNode payload = TriggerPayloads.forPush(trigger("app"), push, delivery);
        StepPayload step = dev.ecrpush.step.StepParser.parse(payload,
                Fixtures.SETTINGS.withTriggerType(TriggerType.WEBHOOK));
        // then: the push's codebase replaced the stored one entirely (no stale branch next to the tag)
        assertEquals(Fixtures.JSON.readTree("""
                {"repoUrl": "https://github.com/acme/app.git", "tag": "v1.4.0",
                 "commitSha": "9f1c2d3e4b5a69788776655443322110ffeeddcc"}"""), payload.get("codebase"));
        // keyed by the delivery's identity: the signed body's hash
        assertEquals("github/" + delivery.value() + "/app/refs/tags/v1.4.0", payload.get("idempotencyKey").asText());
        assertTrue(payload.get("idempotencyKey").asText().matches("github/sha256-[0-9a-f]{64}/app/refs/tags/v1\\.4\\.0"));
        assertEquals(List.of("9f1c2d3", "webhook"), step.step().spec().tags());
    }

    @Test
    void forSchedule_keysByTheEventAndKeepsTheStoredCodebase() throws IOException {
        ObjectNode payload = TriggerPayloads.forSchedule(trigger("app"), "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa");
        assertEquals("schedule/53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa/app", payload.get("idempotencyKey").asText());
        assertEquals("develop", payload.at("/codebase/branch").asText());
    }

    @Test
    void aKeyOverTheLimit_isShortenedAndStaysDistinct() throws IOException {
        Push push = new Push("github", "acme/app", "https://github.com/acme/app.git",
                new Push.Ref(Push.Ref.Kind.BRANCH, "b".repeat(600)), "9f1c2d3");
        String one = TriggerPayloads.forPush(trigger("app"), push, DeliveryId.ofSignedId("d")).get("idempotencyKey").asText();
        String other = TriggerPayloads.forPush(trigger("app"), push, DeliveryId.ofSignedId("e")).get("idempotencyKey").asText();
        assertTrue(one.length() <= 512, one);
        assertTrue(!one.equals(other));
    }

    @Test
    void refSequence_isOnePerTriggerHostRepositoryAndRef_whateverTheRepositorysCase_andBounded() throws IOException {
        Push main = new Push("github", "Acme/App", "https://github.com/Acme/App.git", new Push.Ref(Push.Ref.Kind.BRANCH, "main"),
                "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        Push mainAgain = new Push("github", "acme/app", "https://github.com/acme/app.git", new Push.Ref(Push.Ref.Kind.BRANCH, "main"),
                "0123456789abcdef0123456789abcdef01234567");
        Push tag = new Push("gitlab", "acme/app", "https://gitlab.com/acme/app.git", new Push.Ref(Push.Ref.Kind.TAG, "main"),
                "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        assertEquals("app/github/acme/app/refs/heads/main", TriggerPayloads.refSequence(trigger("app"), main));
        assertEquals(TriggerPayloads.refSequence(trigger("app"), main), TriggerPayloads.refSequence(trigger("app"), mainAgain));
        assertEquals("app/gitlab/acme/app/refs/tags/main", TriggerPayloads.refSequence(trigger("app"), tag));
        Push longRef = new Push("github", "acme/app", "https://github.com/acme/app.git",
                new Push.Ref(Push.Ref.Kind.BRANCH, "feature/" + "x".repeat(600)), "9f1c2d3e4b5a69788776655443322110ffeeddcc");
        String bounded = TriggerPayloads.refSequence(trigger("app"), longRef);
        assertEquals(512, bounded.length());
        assertTrue(bounded.contains("/sha256-"), bounded);
    }
}
