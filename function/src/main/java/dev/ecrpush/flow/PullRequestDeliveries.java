package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.flow.WebhookDeliveries.Answer;
import dev.ecrpush.flow.WebhookDeliveries.Delivery;
import dev.ecrpush.flow.WebhookDeliveries.RefOutcome;
import dev.ecrpush.flow.WebhookDeliveries.Status;
import dev.ecrpush.githost.ChangedFiles;
import dev.ecrpush.githost.DeliveryId;
import dev.ecrpush.githost.GitHostApi;
import dev.ecrpush.githost.GitHostApis;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.githost.WebhookEvent;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.PullRequestFilters;
import dev.ecrpush.trigger.PushFilters;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerPayloads;
import dev.ecrpush.trigger.TriggerSet;
import dev.ecrpush.trigger.TriggerSource;

/**
 * A verified delivery about a pull (merge) request, or a comment on one, once {@link WebhookDeliveries} has read it.
 * Every decision about such a delivery is made here (docs/triggers.md, "Pull requests"):
 * <ul>
 *   <li>opened, new commits, reopened: each trigger that matches the request ({@link TriggerSet#match(PullRequest)})
 *       and whose filters pass it ({@link PullRequestFilters}) builds its head commit with the trigger's pull request
 *       tags ({@link TriggerPayloads#forPullRequest}), unless the request is from a fork: then nothing is built, and
 *       {@link ForkApprovals#hold} remembers it until an approval;</li>
 *   <li>closed (merged or not): each matching trigger's images of the request are deleted
 *       ({@link PullRequestImages#closed}), and nothing is built;</li>
 *   <li>a comment: {@link ForkApprovals#approve} says whether it approves a held request, and an approved request is
 *       built for those of its triggers that are still in the set and still match it, keyed by the comment's delivery.</li>
 * </ul>
 * The answer lists the request as one ref, {@code pull/<number>} ({@link TriggerPayloads#pullRequestRef}), with a
 * build (or a hold, or a cleanup) per trigger; at most {@code buildpush.webhooks.max-builds-per-delivery} builds are
 * asked for per delivery, as for a push.
 */
@ApplicationScoped
public class PullRequestDeliveries {
    private static final Logger LOG = Logger.getLogger(PullRequestDeliveries.class);
    private static final int ACCEPTED = 202;
    /** The one host whose compare API is asked about a fork's commits (see {@link #changedFiles}). */
    private static final String GITHUB = "github";
    /** The status of a closed request's cleanup for one trigger; its result is the {@link PullRequestImages.Cleanup}. */
    static final String CLEANED_UP = "CLEANED_UP";
    /**
     * The files of a request as this function knows them from its event alone: no host's pull request event lists
     * them.
     */
    static final ChangedFiles NOT_LISTED = new ChangedFiles.Unknown("a pull request's event lists no changed files");

    /** What the limit of builds per delivery does not count: nothing of these was asked of CodeBuild or ECS. */
    private static final Set<String> NOT_ASKED = Set.of(TriggeredBuild.FILTERED, TriggeredBuild.SKIPPED, TriggeredBuild.HELD,
            CLEANED_UP);

    private final TriggerSource triggers;
    private final TriggeredRuns runs;
    private final ForkApprovals forkApprovals;
    private final PullRequestImages images;
    private final SupersededBuilds superseded;
    private final CommitStatuses statuses;
    private final GitHostApis apis;
    private final int maxBuilds;

    /** Deliveries whose builds stop no superseded build and report no commit status. */
    public PullRequestDeliveries(TriggerSource triggers, TriggeredRuns runs, ForkApprovals forkApprovals, PullRequestImages images,
            ServiceConfig config) {
        this(triggers, runs, forkApprovals, images, config, null, null);
    }

    /** Deliveries whose requests' changed files are never compared. */
    public PullRequestDeliveries(TriggerSource triggers, TriggeredRuns runs, ForkApprovals forkApprovals, PullRequestImages images,
            ServiceConfig config, SupersededBuilds superseded, CommitStatuses statuses) {
        this(triggers, runs, forkApprovals, images, config, superseded, statuses, null);
    }

    /**
     * @param superseded stops a request's earlier builds for a trigger with {@code cancelSuperseded}; null for none
     * @param statuses   reports the builds started to the Git host; null for none
     * @param apis       compares a request's commits for a trigger with a {@code paths} filter; null for never
     */
    @Inject
    public PullRequestDeliveries(TriggerSource triggers, TriggeredRuns runs, ForkApprovals forkApprovals, PullRequestImages images,
            ServiceConfig config, SupersededBuilds superseded, CommitStatuses statuses, GitHostApis apis) {
        this.superseded = superseded;
        this.statuses = statuses;
        this.apis = apis;
        this.triggers = triggers;
        this.runs = runs;
        this.forkApprovals = forkApprovals;
        this.images = images;
        this.maxBuilds = config.webhooks().maxBuildsPerDelivery();
    }

    /**
     * @param delivery the delivery's identity, which keys its builds
     * @param read     the answer's body as far as the delivery was read (provider, event, delivery)
     */
    public Answer change(WebhookEvent.PullRequestChange change, DeliveryId delivery, Delivery read) {
        PullRequest pr = change.pullRequest();
        String ref = TriggerPayloads.pullRequestRef(pr);
        String subject = subject(pr, delivery);
        TriggerSet.Match match = triggers.current().match(pr);
        if (match instanceof TriggerSet.Match.NoMatch none) {
            LOG.infof("%s %s: %s", subject, change.action(), none.reason());
            return answer(read, pr, List.of(), none.reason());
        }
        List<Trigger> matched = ((TriggerSet.Match.Matched) match).triggers();
        List<TriggeredBuild> builds = new ArrayList<>();
        for (Trigger trigger : matched) {
            TriggeredBuild build = change.action() == WebhookEvent.PullRequestChange.Action.CLOSED
                    ? cleanUp(trigger, pr, ref)
                    : buildOrHold(trigger, pr, ref, delivery, builds);
            LOG.infof("%s %s: trigger %s %s", subject, change.action(), trigger.name(), build.status());
            builds.add(build);
        }
        return answer(read, pr, builds, null);
    }

    /** @param read as for {@link #change} */
    public Answer comment(WebhookEvent.PullRequestComment comment, DeliveryId delivery, Delivery read) {
        Delivery about = new Delivery(null, read.provider(), read.event(), read.delivery(), comment.repository(), null, null);
        ForkApprovals.Approval approval = forkApprovals.approve(comment);
        String subject = comment.host() + " " + comment.repository() + " pull/" + comment.number() + " (delivery " + delivery + ")";
        if (approval instanceof ForkApprovals.Approval.NotACommand) {
            LOG.infof("%s: a comment that is no /build command", subject);
            return new Answer(ACCEPTED, about.with(Status.IGNORED, "the comment is no /build command"));
        }
        if (approval instanceof ForkApprovals.Approval.Refused refused) {
            LOG.infof("%s: /build refused (%s)", subject, refused.reason());
            return new Answer(ACCEPTED, about.with(Status.NOT_APPROVED, refused.reason()));
        }
        ForkApprovals.Approval.Approved approved = (ForkApprovals.Approval.Approved) approval;
        PullRequest pr = approved.pullRequest();
        String ref = TriggerPayloads.pullRequestRef(pr);
        TriggerSet set = triggers.current();
        // The set may have changed since the request was held: build for what still matches it, as it is now.
        TriggerSet.Match match = set.match(pr);
        Set<String> stillMatching = match instanceof TriggerSet.Match.Matched matched
                ? matched.triggers().stream().map(Trigger::name).collect(Collectors.toSet()) : Set.of();
        List<TriggeredBuild> builds = new ArrayList<>();
        for (String name : approved.triggers()) {
            Trigger trigger = set.named(name).orElse(null);
            TriggeredBuild build;
            if (trigger == null) {
                build = TriggeredBuild.skipped(name, ref, "the trigger is no longer in the trigger set");
            } else if (!stillMatching.contains(name)) {
                build = TriggeredBuild.skipped(name, ref, "the trigger no longer matches the pull request");
            } else {
                build = build(trigger, pr, ref, delivery, builds);
            }
            LOG.infof("%s: approved for trigger %s: %s", subject, name, build.status());
            builds.add(build);
        }
        return answer(read, pr, builds, null);
    }

    /** A matched trigger's build of an opened, updated or reopened request, unless its filters leave it out. */
    private TriggeredBuild buildOrHold(Trigger trigger, PullRequest pr, String ref, DeliveryId delivery, List<TriggeredBuild> sofar) {
        if (pr.fromFork()) {
            // Filtered first, so that a request no approval could build is not held either.
            PushFilters.Decision decision = PullRequestFilters.decide(trigger, pr, () -> changedFiles(trigger, pr));
            if (decision instanceof PushFilters.Decision.Filtered filtered) {
                return TriggeredBuild.filtered(trigger.name(), ref, filtered.reason());
            }
            return forkApprovals.hold(trigger, pr, ref).withNote(((PushFilters.Decision.Build) decision).note());
        }
        return build(trigger, pr, ref, delivery, sofar);
    }

    /**
     * The build of the request's head commit for the trigger: filtered out, skipped past the delivery's limit, or
     * asked for (and its images remembered once started, so that closing the request deletes them).
     */
    private TriggeredBuild build(Trigger trigger, PullRequest pr, String ref, DeliveryId delivery, List<TriggeredBuild> sofar) {
        PushFilters.Decision decision = PullRequestFilters.decide(trigger, pr, () -> changedFiles(trigger, pr));
        if (decision instanceof PushFilters.Decision.Filtered filtered) {
            return TriggeredBuild.filtered(trigger.name(), ref, filtered.reason());
        }
        if (sofar.stream().filter(PullRequestDeliveries::asked).count() >= maxBuilds) {
            return TriggeredBuild.skipped(trigger.name(), ref, "this delivery already asked for " + maxBuilds
                    + " builds, the most buildpush.webhooks.max-builds-per-delivery allows");
        }
        ObjectNode payload = TriggerPayloads.forPullRequest(trigger, pr, delivery);
        Supplier<TriggeredBuild> submit = () -> runs.submit(trigger.name(), ref, payload, TriggerType.WEBHOOK, trigger.policy());
        TriggeredBuild build = (superseded == null ? submit.get()
                : superseded.run(trigger, TriggerPayloads.pullRequestSequence(trigger, pr), submit))
                .withNote(((PushFilters.Decision.Build) decision).note());
        if (statuses != null) {
            // The signed delivery's base repository and head commit: the request the trigger matched.
            statuses.started(trigger, pr.host(), pr.repository(), pr.headSha(), build);
        }
        if (StepResult.STARTED.equals(build.status()) && build.result() instanceof StepResult result) {
            try {
                images.built(trigger, pr, result);
            } catch (RuntimeException e) {
                // The build runs whatever: its images are then left when the request closes, which the log says.
                LOG.warnf("%s: trigger %s: the build's images could not be remembered for the request's closing (%s: %s)",
                        subject(pr, delivery), trigger.name(), e.getClass().getSimpleName(), e.getMessage());
            }
        }
        return build;
    }

    /** A closed request's images of the trigger deleted: its result lists what was and what could not be. */
    private TriggeredBuild cleanUp(Trigger trigger, PullRequest pr, String ref) {
        try {
            PullRequestImages.Cleanup cleanup = images.closed(trigger, pr);
            return new TriggeredBuild(trigger.name(), ref, CLEANED_UP, cleanup, null, null);
        } catch (BuildPushException e) {
            LOG.infof("trigger %s: %s: %s", trigger.name(), e.errorType(), e.getMessage());
            return TriggeredBuild.failed(trigger.name(), ref, e);
        } catch (RuntimeException e) {
            LOG.error("trigger " + trigger.name() + ": deleting the closed pull request's images failed", e);
            return TriggeredBuild.failed(trigger.name(), ref,
                    new InternalErrorException("internal error (" + e.getClass().getSimpleName() + "); see the function's log"));
        }
    }

    /**
     * The files the request changes, asked only for a trigger with a {@code paths} filter. No host's event lists them,
     * so the host's compare API is asked for them, from the base commit the event reports to the head commit, in the
     * base repository (the trigger's; nothing else of the delivery chooses what is called): a three-dot comparison,
     * which every host takes from the merge base, so that the target branch's own later commits are not counted.
     * They stay unknown, and the request is built with a note saying why (docs/triggers.md, "Pull requests"), when
     * the host has no token, the event gives no base commit (or one that is no commit ID, which is not quoted back),
     * the comparison does not tell, or the request is from a fork on a host other than GitHub: GitHub keeps a fork
     * request's commits in the base repository ({@code refs/pull/<n>/head}) and compares them there; on the others
     * the base repository may not know the head commit, and a comparison that fails would only say so later.
     */
    ChangedFiles changedFiles(Trigger trigger, PullRequest pr) {
        if (apis == null || !apis.configured(pr.host())) {
            return NOT_LISTED;
        }
        String base = pr.baseSha();
        if (base == null || !GitHostApi.COMMIT.matcher(base).matches()) {
            return new ChangedFiles.Unknown("a pull request's event lists no changed files, and this one gives no base commit"
                    + " to compare with");
        }
        if (pr.headSha() == null || !GitHostApi.COMMIT.matcher(pr.headSha()).matches()) {
            // Refused as the payload's field when the build is asked for; not quoted here.
            return NOT_LISTED;
        }
        if (pr.fromFork() && !GITHUB.equals(pr.host())) {
            return new ChangedFiles.Unknown("a pull request's event lists no changed files, and " + pr.host()
                    + "'s compare API is not asked about a fork's commits");
        }
        return apis.changedFiles(pr.host(), pr.repository(), base, pr.headSha());
    }

    /** Whether the build was asked of the executor: not filtered out, skipped, held or a cleanup. */
    private static boolean asked(TriggeredBuild build) {
        return !NOT_ASKED.contains(build.status());
    }

    private Answer answer(Delivery read, PullRequest pr, List<TriggeredBuild> builds, String noMatch) {
        String ref = TriggerPayloads.pullRequestRef(pr);
        RefOutcome outcome = new RefOutcome(ref, null, pr.headSha(), noMatch, noMatch == null ? List.copyOf(builds) : null);
        Status status = builds.isEmpty() ? Status.NO_MATCH
                : builds.stream().allMatch(TriggeredBuild::filteredOut) ? Status.FILTERED : Status.ACCEPTED;
        String reason = builds.isEmpty() ? noMatch : status == Status.FILTERED ? builds.get(0).reason() : null;
        BuildPushException failure = TriggeredBuild.worst(builds);
        return new Answer(failure == null ? ACCEPTED : failure.httpStatus(), new Delivery(status, read.provider(), read.event(),
                read.delivery(), pr.repository(), List.of(outcome), reason));
    }

    private static String subject(PullRequest pr, DeliveryId delivery) {
        return "webhook " + pr.host() + " " + pr.repository() + " " + TriggerPayloads.pullRequestRef(pr) + " (delivery " + delivery + ")";
    }
}
