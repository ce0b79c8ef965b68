package dev.ecrpush.trigger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.PullRequest;
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
    private static final String SCHEDULE_PREFIX = "schedule/";

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

    /**
     * A pull request's build: its head commit, checked out from the head repository's clone URL (a fork's, for a
     * request from a fork) on the source branch, with the request's number and branches for the
     * {@code <+trigger.prNumber>}, {@code <+trigger.sourceBranch>} and {@code <+trigger.targetBranch>} expressions,
     * and the step's {@code spec.tags} replaced by the trigger's {@code pullRequests.tags}: a request's build never
     * pushes the tags of the branch it targets. Key: {@code <host>/<delivery identity>/<trigger>/pull/<number>}, the
     * delivery being the one that asked for the build (the request's event, or the comment that approved it).
     */
    public static ObjectNode forPullRequest(Trigger trigger, PullRequest pullRequest, DeliveryId deliveryId) {
        ObjectNode payload = trigger.payload();
        ObjectNode codebase = payload.putObject("codebase");
        codebase.put("repoUrl", pullRequest.headCloneUrl());
        codebase.put("branch", pullRequest.sourceBranch());
        codebase.put("commitSha", pullRequest.headSha());
        codebase.put("prNumber", pullRequest.number());
        codebase.put("sourceBranch", pullRequest.sourceBranch());
        codebase.put("targetBranch", pullRequest.targetBranch());
        JsonNode spec = payload.path("step").path("spec");
        if (spec.isObject()) {
            ArrayNode tags = ((ObjectNode) spec).putArray("tags");
            trigger.pullRequests().tags().forEach(tags::add);
        }
        payload.put("idempotencyKey", key(pullRequest.host() + "/" + deliveryId.value() + "/" + trigger.name() + "/"
                + pullRequestRef(pullRequest)));
        return payload;
    }

    /**
     * How a delivery's answer and a build's key name a pull request: {@code pull/<number>}, as GitHub's
     * {@code refs/pull/<number>/head} does, whichever host it is on (GitLab's merge requests included).
     */
    public static String pullRequestRef(PullRequest pullRequest) {
        return "pull/" + pullRequest.number();
    }

    /**
     * The sequence a monotonic trigger orders its pushes of a ref in: {@code <trigger>/<host>/<repository>/<ref>},
     * the repository without case (as the trigger matches it), so every push of the ref shares it whichever
     * delivery brought it.
     */
    public static String refSequence(Trigger trigger, Push push) {
        return key(trigger.name() + "/" + push.host() + "/" + push.repository().toLowerCase(Locale.ROOT) + "/" + push.ref().full());
    }

    /**
     * The sequence a trigger orders its builds of one pull request in (for {@code cancelSuperseded}: a request's new
     * commits supersede its earlier builds): {@code <trigger>/<host>/<base repository>/pull/<number>}, the repository
     * without case; no push's ref sequence ends so, as a push's ref is {@code refs/...}.
     */
    public static String pullRequestSequence(Trigger trigger, PullRequest pullRequest) {
        return key(trigger.name() + "/" + pullRequest.host() + "/" + pullRequest.repository().toLowerCase(Locale.ROOT) + "/"
                + pullRequestRef(pullRequest));
    }

    /** Key: {@code schedule/<EventBridge event ID>/<trigger>}: a retried event is the same run. */
    public static ObjectNode forSchedule(Trigger trigger, String eventId) {
        ObjectNode payload = trigger.payload();
        payload.put("idempotencyKey", key(SCHEDULE_PREFIX + eventId + "/" + trigger.name()));
        return payload;
    }

    /**
     * How the keys of trigger-built payloads start: {@code <host>/} for each Git host, {@code schedule/}. A direct
     * payload may not take one (the step parser refuses it): its key would claim a delivery's or a schedule's run
     * before the delivery itself arrives, which would then get that payload's result instead of its own build.
     *
     * @param hostNames every registered Git host's name, so that a new host is covered as soon as it is registered
     */
    public static List<String> keyPrefixes(List<String> hostNames) {
        List<String> prefixes = new ArrayList<>();
        hostNames.forEach(host -> prefixes.add(host + "/"));
        prefixes.add(SCHEDULE_PREFIX);
        return List.copyOf(prefixes);
    }

    private static String key(String key) {
        if (key.length() <= MAX_KEY) {
            return key;
        }
        return key.substring(0, MAX_KEY - 72) + "/sha256-" + Hashing.sha256(key);
    }
}
