package dev.ecrpush.flow;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHost;
import dev.ecrpush.githost.GitHostApis;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.githost.Push;
import dev.ecrpush.githost.Verdict;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.githost.WebhookRequest;
import dev.ecrpush.githost.WebhookSecretSource;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.PushFilters;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerPayloads;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSource;

/**
 * One webhook delivery, in this order: find the Git host its route names (a name no host has is 404); refuse it
 * unless its signature proves the host sent it (nothing else is read or called first); read the event; hand a
 * pull request's event or a comment on one to {@link PullRequestDeliveries}; for each pushed branch or tag, run
 * every trigger that matches it and whose push filters pass it, keyed by the delivery's identity (what its
 * signature covers, {@link DeliveryId}) so that a redelivery or a replay builds nothing twice, and no more than
 * {@code buildpush.webhooks.max-builds-per-delivery} of them. The answer lists every ref and what became of it.
 */
@ApplicationScoped
public class WebhookDeliveries {
    private static final Logger LOG = Logger.getLogger(WebhookDeliveries.class);
    private static final int ACCEPTED = 202;

    private final GitHostRegistry hosts;
    private final WebhookSecretSource secrets;
    private final TriggerSource triggers;
    private final TriggeredRuns runs;
    private final SupersededBuilds superseded;
    private final PullRequestDeliveries pullRequests;
    private final ObjectMapper json;
    private final Duration tolerance;
    private final int maxBuilds;
    private final Clock clock = Clock.systemUTC();
    private final CommitStatuses statuses;
    private final GitHostApis apis;

    /** What the host gets back: an HTTP status and a JSON body. */
    public record Answer(int status, Delivery body) {
    }

    /** What became of a delivery as a whole. */
    public enum Status {
        /** The host's test event, verified. */
        PONG,
        /** Not an event that builds anything (or a push that changed no ref). */
        IGNORED,
        /** No trigger matches any pushed ref. */
        NO_MATCH,
        /** Triggers matched, and their filters left every push out: nothing was asked for. */
        FILTERED,
        /** At least one trigger matched; each build says how it went. */
        ACCEPTED,
        /**
         * A {@code /build} comment on a pull request that approves nothing: its author may not approve, it names
         * another commit than the request's head, or nothing of the request is held. The reason says which.
         */
        NOT_APPROVED,
        /** Not from the host: unsigned, wrongly signed, stale, or not a host's route. */
        REJECTED
    }

    /**
     * The answer's body. Only what is known is written: a refused delivery is not read, so it names no event.
     *
     * @param reason why nothing was built: for {@code NO_MATCH}, the first ref's reason; for {@code FILTERED}, the
     *               first filtered trigger's
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delivery(Status status, String provider, String event, String delivery, String repository,
            List<RefOutcome> refs, String reason) {

        /** Refused before anything of it was read. */
        public static Delivery rejected(String reason) {
            return new Delivery(Status.REJECTED, null, null, null, null, null, reason);
        }

        Delivery with(Status status, String reason) {
            return new Delivery(status, provider, event, delivery, repository, refs, reason);
        }
    }

    /**
     * One pushed branch or tag.
     *
     * @param deleted true when the push deleted it (nothing is built)
     * @param reason  why nothing was built for it
     * @param builds  one per matching trigger
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RefOutcome(String ref, Boolean deleted, String commitSha, String reason, List<TriggeredBuild> builds) {
    }

    /** Deliveries whose builds report no commit status and whose path filters ask no host. */
    public WebhookDeliveries(GitHostRegistry hosts, WebhookSecretSource secrets, TriggerSource triggers, TriggeredRuns runs,
            SupersededBuilds superseded, ObjectMapper json, ServiceConfig config, PullRequestDeliveries pullRequests) {
        this(hosts, secrets, triggers, runs, superseded, json, config, pullRequests, null, null);
    }

    /**
     * @param statuses reports the builds started to their Git host; null for none
     * @param apis     asked which files a push changed when its event does not tell; null to ask nothing
     */
    @Inject
    public WebhookDeliveries(GitHostRegistry hosts, WebhookSecretSource secrets, TriggerSource triggers, TriggeredRuns runs,
            SupersededBuilds superseded, ObjectMapper json, ServiceConfig config, PullRequestDeliveries pullRequests,
            CommitStatuses statuses, GitHostApis apis) {
        this.statuses = statuses;
        this.apis = apis;
        this.hosts = hosts;
        this.secrets = secrets;
        this.triggers = triggers;
        this.runs = runs;
        this.superseded = superseded;
        this.pullRequests = pullRequests;
        this.json = json;
        this.tolerance = config.webhooks().timestampTolerance();
        this.maxBuilds = config.webhooks().maxBuildsPerDelivery();
    }

    /** @param hostName the route's {@code /webhooks/<hostName>}, as sent */
    public Answer handle(String hostName, WebhookRequest request) {
        GitHost host = hosts.named(hostName).orElse(null);
        if (host == null) {
            return unknownHost();
        }
        String provider = host.name();
        // The host's own delivery ID is not signed: it is logged for operators, and nothing else.
        String hostDelivery = host.hostDeliveryId(request);
        if (!host.carriesCredentials(request)) {
            return refused(provider, hostDelivery, "the delivery carries no signature or token");
        }
        Verdict verdict = host.verify(request, secrets.current(), clock.instant(), tolerance);
        if (verdict instanceof Verdict.Refused refused) {
            return refused(provider, hostDelivery, refused.reason());
        }
        Verdict.Accepted accepted = (Verdict.Accepted) verdict;
        String delivery = accepted.delivery().value();
        WebhookEvent event = host.read(request, body(request));
        LOG.infof("webhook %s %s: delivery %s (the host's ID: %s), verified by %s", provider, event.name(), delivery,
                hostDelivery == null ? "none" : hostDelivery, accepted.by());
        Delivery read = new Delivery(null, provider, event.name(), delivery, null, null, null);
        if (event instanceof WebhookEvent.Ping) {
            LOG.infof("webhook %s %s %s: ping", provider, event.name(), delivery);
            return new Answer(200, read.with(Status.PONG, null));
        }
        if (event instanceof WebhookEvent.Ignored ignored) {
            LOG.infof("webhook %s %s %s: ignored (%s)", provider, event.name(), delivery, ignored.reason());
            return new Answer(ACCEPTED, read.with(Status.IGNORED, ignored.reason()));
        }
        if (event instanceof WebhookEvent.PullRequestChange change) {
            return pullRequests.change(change, accepted.delivery(), read);
        }
        if (event instanceof WebhookEvent.PullRequestComment comment) {
            return pullRequests.comment(comment, accepted.delivery(), read);
        }
        WebhookEvent.Pushes pushEvent = (WebhookEvent.Pushes) event;
        List<Push> pushes = pushEvent.pushes();
        if (pushes.isEmpty()) {
            return new Answer(ACCEPTED, read.with(Status.IGNORED, "the push changed no branch or tag"));
        }
        TriggerSet set = triggers.current();
        List<RefOutcome> refs = new ArrayList<>();
        List<TriggeredBuild> builds = new ArrayList<>();
        for (Push push : pushes) {
            refs.add(ref(push, set, accepted.delivery(), builds));
        }
        long skipped = builds.stream().filter(build -> build.status().equals(TriggeredBuild.SKIPPED)).count();
        if (skipped > 0) {
            LOG.warnf("webhook %s %s: %d matching trigger(s) skipped past buildpush.webhooks.max-builds-per-delivery (%d)",
                    provider, delivery, skipped, maxBuilds);
        }
        Delivery body = new Delivery(status(builds), provider, event.name(), delivery, pushes.get(0).repository(),
                List.copyOf(refs), reason(builds, refs));
        BuildPushException failure = TriggeredBuild.worst(builds);
        return new Answer(failure == null ? ACCEPTED : failure.httpStatus(), body);
    }

    private static Status status(List<TriggeredBuild> builds) {
        if (builds.isEmpty()) {
            return Status.NO_MATCH;
        }
        return builds.stream().allMatch(TriggeredBuild::filteredOut) ? Status.FILTERED : Status.ACCEPTED;
    }

    private static String reason(List<TriggeredBuild> builds, List<RefOutcome> refs) {
        if (builds.isEmpty()) {
            return refs.get(0).reason();
        }
        return builds.stream().allMatch(TriggeredBuild::filteredOut) ? builds.get(0).reason() : null;
    }

    /**
     * The ref's outcome, its builds added to {@code all}. A matched trigger's filters decide first
     * ({@link PushFilters#decide}); one they leave out is listed as {@code FILTERED}, costs no AWS call, is not
     * remembered, and does not count towards the limit. A trigger they pass is submitted while fewer than
     * {@code maxBuilds} were submitted for the delivery so far (whatever became of them), and skipped after: so
     * which ones run depends on the signed body and the trigger set alone, and a redelivery skips the same ones.
     */
    private RefOutcome ref(Push push, TriggerSet set, DeliveryId delivery, List<TriggeredBuild> all) {
        String ref = push.ref().full();
        String subject = push.host() + " " + push.repository() + " " + ref;
        if (push.deleted()) {
            LOG.infof("webhook %s (delivery %s): deleted, nothing to build", subject, delivery);
            return new RefOutcome(ref, true, null,
                    "the push deleted the " + (push.ref().kind() == Push.Ref.Kind.BRANCH ? "branch" : "tag"), null);
        }
        TriggerSet.Match match = set.match(push);
        if (match instanceof TriggerSet.Match.NoMatch none) {
            LOG.infof("webhook %s (delivery %s): %s", subject, delivery, none.reason());
            return new RefOutcome(ref, null, push.commitSha(), none.reason(), null);
        }
        List<TriggeredBuild> builds = new ArrayList<>();
        PushFilters.ChangedFilesLookup lookup = lookup(push);
        for (Trigger trigger : ((TriggerSet.Match.Matched) match).triggers()) {
            PushFilters.Decision decision = trigger.filters().decide(push, lookup);
            if (decision instanceof PushFilters.Decision.Filtered filtered) {
                LOG.infof("webhook %s (delivery %s): trigger %s filtered out (%s)", subject, delivery, trigger.name(),
                        filtered.reason());
                builds.add(TriggeredBuild.filtered(trigger.name(), ref, filtered.reason()));
                continue;
            }
            String note = ((PushFilters.Decision.Build) decision).note();
            // Skips only follow the limit, so until it is reached every build listed so far but the filtered was submitted.
            if (asked(all) + asked(builds) >= maxBuilds) {
                builds.add(TriggeredBuild.skipped(trigger.name(), ref, "this delivery already asked for " + maxBuilds
                        + " builds, the most buildpush.webhooks.max-builds-per-delivery allows"));
                continue;
            }
            ObjectNode payload = TriggerPayloads.forPush(trigger, push, delivery);
            String sequence = TriggerPayloads.refSequence(trigger, push);
            TriggeredBuild build = superseded.run(trigger, sequence, () -> trigger.monotonicTags()
                    ? runs.submit(trigger.name(), ref, payload, TriggerType.WEBHOOK, trigger.policy(),
                            new MonotonicRun(trigger.name(), sequence))
                    : runs.submit(trigger.name(), ref, payload, TriggerType.WEBHOOK, trigger.policy())).withNote(note);
            LOG.infof("webhook %s (delivery %s): trigger %s %s", subject, delivery, trigger.name(), build.status());
            builds.add(build);
            if (statuses != null) {
                // The signed delivery's host, repository and commit: the push the trigger matched.
                statuses.started(trigger, push.host(), push.repository(), push.commitSha(), build);
            }
        }
        all.addAll(builds);
        return new RefOutcome(ref, null, push.commitSha(), null, List.copyOf(builds));
    }

    /**
     * The host's compare API for a push whose event does not list its files, asked at most once for all the push's
     * triggers; a host without a token is not asked, and the event's own reason stands.
     */
    private PushFilters.ChangedFilesLookup lookup(Push push) {
        if (apis == null || !apis.configured(push.host())) {
            return PushFilters.ChangedFilesLookup.NONE;
        }
        ChangedFiles[] asked = new ChangedFiles[1];
        return pushed -> {
            if (asked[0] == null) {
                asked[0] = apis.changedFiles(pushed.host(), pushed.repository(), pushed.before(), pushed.commitSha());
            }
            return asked[0];
        };
    }

    private static long asked(List<TriggeredBuild> builds) {
        return builds.stream().filter(build -> !build.filteredOut()).count();
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

    /**
     * Not the route of any Git host. The name is not quoted back or logged: it is whatever the caller put in the
     * path, and the deployed API routes only the hosts' own names here anyway.
     */
    private Answer unknownHost() {
        return new Answer(404, Delivery.rejected("not a Git host of this function; the webhook routes are "
                + GitHostRegistry.enumerate(hosts.names().stream().map(name -> "/webhooks/" + name).toList(), "and")));
    }

    /** @param hostDelivery the host's own, unsigned delivery ID (logged for operators), or null */
    private static Answer refused(String provider, String hostDelivery, String reason) {
        LOG.warnf("webhook %s (the host's delivery ID: %s) refused: %s", provider, hostDelivery == null ? "none" : hostDelivery,
                reason);
        return new Answer(401, Delivery.rejected(reason));
    }
}
