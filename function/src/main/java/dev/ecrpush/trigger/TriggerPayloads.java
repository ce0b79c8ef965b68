package dev.ecrpush.trigger;


import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.Push;
import dev.ecrpush.plan.Hashing;

/**
 * The step payload a trigger runs: its stored payload, with the codebase the push names (clone URL, branch or
 * tag, commit, so that {@code <+codebase.*>} expressions resolve) and an idempotency key that is the same for
 * every retry, redelivery or replay of one delivery and different for anything else.
 */
public final class TriggerPayloads {
    /** The step payload's own limit. */
    private static final int MAX_KEY = 512;

    private TriggerPayloads() {
    }

    /**
     * Key: {@code <host>/<delivery identity>/<trigger>/<ref>}; one delivery may push several refs (Bitbucket). The
     * identity is what the delivery's signature covers (the signed body's {@code sha256-<hex>}, or GitLab's signed
     * {@code webhook-id-<id>}), never a header the signature leaves out.
     */
    public static ObjectNode forPush(Trigger trigger, Push push, DeliveryId deliveryId) {
        ObjectNode payload = trigger.payload();
        ObjectNode codebase = payload.putObject("codebase");
        codebase.put("repoUrl", push.cloneUrl());
        codebase.put(push.ref().kind() == Push.Ref.Kind.BRANCH ? "branch" : "tag", push.ref().name());
        codebase.put("commitSha", push.commitSha());
        payload.put("idempotencyKey", key(push.host() + "/" + deliveryId.value() + "/" + trigger.name() + "/" + push.ref().full()));
        return payload;
    }

    /** Key: {@code schedule/<EventBridge event ID>/<trigger>}: a retried event is the same run. */
    public static ObjectNode forSchedule(Trigger trigger, String eventId) {
        ObjectNode payload = trigger.payload();
        payload.put("idempotencyKey", key("schedule/" + eventId + "/" + trigger.name()));
        return payload;
    }

    private static String key(String key) {
        if (key.length() <= MAX_KEY) {
            return key;
        }
        return key.substring(0, MAX_KEY - 72) + "/sha256-" + Hashing.sha256(key);
    }
}
