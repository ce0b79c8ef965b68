package dev.ecrpush.flow;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerPayloads;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSource;
import dev.ecrpush.webhook.DeliveryId;
import dev.ecrpush.webhook.Push;
import dev.ecrpush.webhook.SignatureVerifier;
import dev.ecrpush.webhook.Verdict;
import dev.ecrpush.webhook.WebhookEvent;
import dev.ecrpush.webhook.WebhookEvents;
import dev.ecrpush.webhook.WebhookRequest;
import dev.ecrpush.webhook.WebhookSecretSource;

/**
 * One webhook delivery, in this order: refuse it unless its signature proves the host sent it (nothing else is
 * read or called first); read the event; for each pushed branch or tag, run every trigger that matches it, keyed
 * by the delivery so that a redelivery builds nothing twice. The answer lists every ref and what became of it.
 */
@ApplicationScoped
public class WebhookDeliveries {
    private static final Logger LOG = Logger.getLogger(WebhookDeliveries.class);
    private static final int ACCEPTED = 202;

    private final WebhookSecretSource secrets;
    private final TriggerSource triggers;
    private final TriggeredRuns runs;
    private final ObjectMapper json;
    private final Duration tolerance;
    private final Clock clock = Clock.systemUTC();

    /** What the host gets back: an HTTP status and a JSON body. */
    public record Answer(int status, Map<String, Object> body) {
    }

    @Inject
    public WebhookDeliveries(WebhookSecretSource secrets, TriggerSource triggers, TriggeredRuns runs, ObjectMapper json,
            ServiceConfig config) {
        this.secrets = secrets;
        this.triggers = triggers;
        this.runs = runs;
        this.json = json;
        this.tolerance = config.webhooks().timestampTolerance();
    }

    public Answer handle(WebhookRequest request) {
        String provider = request.provider().wire();
        String delivery = DeliveryId.of(request);
        if (!SignatureVerifier.carriesCredentials(request)) {
            return refused(provider, delivery, "the delivery carries no signature or token");
        }
        Verdict verdict = SignatureVerifier.verify(request, secrets.current(), clock.instant(), tolerance);
        if (verdict instanceof Verdict.Refused refused) {
            return refused(provider, delivery, refused.reason());
        }
        WebhookEvent event = WebhookEvents.read(request, body(request));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", provider);
        body.put("event", event.name());
        body.put("delivery", delivery);
        if (event instanceof WebhookEvent.Ping) {
            LOG.infof("webhook %s %s %s: ping, verified by %s", provider, event.name(), delivery, ((Verdict.Accepted) verdict).by());
            body.put("status", "PONG");
            return new Answer(200, body);
        }
        if (event instanceof WebhookEvent.Ignored ignored) {
            LOG.infof("webhook %s %s %s: ignored (%s)", provider, event.name(), delivery, ignored.reason());
            body.put("status", "IGNORED");
            body.put("reason", ignored.reason());
            return new Answer(ACCEPTED, body);
        }
        List<Push> pushes = ((WebhookEvent.Pushes) event).pushes();
        if (pushes.isEmpty()) {
            body.put("status", "IGNORED");
            body.put("reason", "the push changed no branch or tag");
            return new Answer(ACCEPTED, body);
        }
        body.put("repository", pushes.get(0).repository());
        TriggerSet set = triggers.current();
        List<Map<String, Object>> refs = new ArrayList<>();
        List<TriggeredBuild> builds = new ArrayList<>();
        for (Push push : pushes) {
            refs.add(ref(push, set, delivery, builds));
        }
        body.put("refs", refs);
        body.put("status", builds.isEmpty() ? "NO_MATCH" : "ACCEPTED");
        if (builds.isEmpty()) {
            body.put("reason", refs.get(0).get("reason"));
        }
        BuildPushException failure = TriggeredBuild.worst(builds);
        return new Answer(failure == null ? ACCEPTED : failure.httpStatus(), body);
    }

    private Map<String, Object> ref(Push push, TriggerSet set, String delivery, List<TriggeredBuild> all) {
        Map<String, Object> ref = new LinkedHashMap<>();
        ref.put("ref", push.ref().full());
        String subject = push.provider().wire() + " " + push.repository() + " " + push.ref().full();
        if (push.deleted()) {
            LOG.infof("webhook %s (delivery %s): deleted, nothing to build", subject, delivery);
            ref.put("deleted", true);
            ref.put("reason", "the push deleted the " + (push.ref().kind() == Push.Ref.Kind.BRANCH ? "branch" : "tag"));
            return ref;
        }
        ref.put("commitSha", push.commitSha());
        TriggerSet.Match match = set.match(push);
        if (match instanceof TriggerSet.Match.NoMatch none) {
            LOG.infof("webhook %s (delivery %s): %s", subject, delivery, none.reason());
            ref.put("reason", none.reason());
            return ref;
        }
        List<TriggeredBuild> builds = new ArrayList<>();
        for (Trigger trigger : ((TriggerSet.Match.Matched) match).triggers()) {
            TriggeredBuild build = runs.submit(trigger.name(), push.ref().full(),
                    TriggerPayloads.forPush(trigger, push, delivery), "webhook");
            LOG.infof("webhook %s (delivery %s): trigger %s %s", subject, delivery, trigger.name(), build.status());
            builds.add(build);
        }
        all.addAll(builds);
        ref.put("builds", builds);
        return ref;
    }

    private JsonNode body(WebhookRequest request) {
        try {
            JsonNode body = json.readTree(request.body());
            if (body == null || !body.isObject()) {
                throw new InvalidStepException("body: must be the host's JSON event object");
            }
            return body;
        } catch (JsonParseException e) {
            throw new InvalidStepException("body: is not valid JSON (line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new InvalidStepException("body: could not be read as JSON");
        }
    }

    private static Answer refused(String provider, String delivery, String reason) {
        LOG.warnf("webhook %s (delivery %s) refused: %s", provider, delivery, reason);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "REJECTED");
        body.put("reason", reason);
        return new Answer(401, body);
    }
}
