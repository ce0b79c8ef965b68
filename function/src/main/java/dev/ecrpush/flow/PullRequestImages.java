package dev.ecrpush.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.ObjectNode;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchDeleteImageResponse;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageFailureCode;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.ErrorText;
import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.PullRequestImageStore;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.result.StepResult;
import dev.ecrpush.step.Platform;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.TriggerType;
import dev.ecrpush.trigger.Trigger;

/**
 * The images a pull request's builds pushed, so that closing it (merged or not) deletes that request's tags, and
 * nothing else (docs/triggers.md, "Pull requests").
 *
 * <p>What is deleted is what was recorded, never what a closing event names: {@link #built} records each tag a build
 * of the request pushes that one of the trigger's {@code pullRequests.tags} with {@code <+trigger.prNumber>} made
 * ({@code pr-12}, {@code pr-12-3f2a9c1}; {@link #ownTags}); any other ({@code latest}, a source branch's name) may be
 * another build's too, and stays. Closing plans
 * the trigger's payload for the request again, held to the trigger's current policy, for the credentials the builds
 * pushed with, and deletes the recorded tags only from the repository that plan targets, and only when it is the one
 * recorded.
 */
@ApplicationScoped
public class PullRequestImages {
    private static final Logger LOG = Logger.getLogger(PullRequestImages.class);
    /** The most image IDs one {@code BatchDeleteImage} call takes. */
    static final int MAX_PER_CALL = 100;
    /** What a registry of the partitions' DNS suffixes looks like: {@code ACCOUNT.dkr.ecr.REGION.<suffix>}. */
    private static final String PR_NUMBER = "<+trigger.prNumber>";
    private static final Pattern EXPRESSION = Pattern.compile("<\\+[^>]*>");
    private static final Pattern REGISTRY = Pattern.compile("([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\..+");

    private final IdempotencyTables tables;
    private final StepService steps;
    private final AwsClients clients;
    private final CredentialsResolver credentials;

    /**
     * What closing a request did for one trigger.
     *
     * @param deleted the tags deleted, as {@code repository:tag}; a tag ECR had no image under (gone already) among them
     * @param failed  the tags that could not be deleted, with why
     */
    public record Cleanup(List<String> deleted, List<String> failed) {
        public Cleanup {
            deleted = List.copyOf(deleted);
            failed = List.copyOf(failed);
        }
    }

    @Inject
    public PullRequestImages(IdempotencyTables tables, StepService steps, AwsClients clients, CredentialsResolver credentials) {
        this.tables = tables;
        this.steps = steps;
        this.clients = clients;
        this.credentials = credentials;
    }

    /** Remembers the tags a started build of {@code pullRequest} for {@code trigger} pushes. */
    public void built(Trigger trigger, PullRequest pullRequest, StepResult result) {
        if (result == null || result.registry() == null || result.repository() == null || result.imageUris() == null) {
            return;
        }
        Matcher registry = REGISTRY.matcher(result.registry());
        if (!registry.matches() || !Planner.registry(registry.group(1), registry.group(2)).equals(result.registry())) {
            LOG.warnf("pull request #%d, trigger %s: the registry %s is no ECR registry; its tags are not recorded",
                    pullRequest.number(), trigger.name(), quote(result.registry()));
            return;
        }
        String prefix = result.registry() + "/" + result.repository() + ":";
        List<Pattern> own = ownTags(trigger, pullRequest);
        Set<String> tags = new TreeSet<>();
        List<String> kept = new ArrayList<>();
        for (String uri : pushed(result)) {
            if (!uri.startsWith(prefix)) {
                continue;
            }
            String tag = uri.substring(prefix.length());
            if (own.stream().anyMatch(pattern -> pattern.matcher(tag).matches() || pattern.matcher(withoutPlatform(tag)).matches())) {
                tags.add(tag);
            } else {
                kept.add(tag);
            }
        }
        if (!kept.isEmpty()) {
            LOG.infof("pull request #%d, trigger %s: %s are no tags of the request's own, so closing it leaves them",
                    pullRequest.number(), trigger.name(), kept);
        }
        if (tags.isEmpty()) {
            return;
        }
        if (!tables.configured()) {
            LOG.warnf("pull request #%d, trigger %s: no idempotency table, so %s are not recorded and closing the request"
                    + " leaves them", pullRequest.number(), trigger.name(), tags);
            return;
        }
        String key = key(trigger, pullRequest);
        if (!tables.pullRequestImages().record(key, registry.group(2), registry.group(1), result.repository(), tags)) {
            LOG.warnf("pull request #%d, trigger %s: its earlier builds pushed to another repository than %s, so %s are not"
                    + " recorded and closing the request leaves them", pullRequest.number(), trigger.name(), result.repository(), tags);
        }
    }

    /** The images a start pushes: its tags, and a multi-platform step's each platform's own. */
    private static List<String> pushed(StepResult result) {
        List<String> uris = new ArrayList<>(result.imageUris());
        if (result.platforms() != null) {
            result.platforms().forEach(p -> uris.add(p.imageUri()));
        }
        return uris;
    }

    /**
     * A platform's own tag without its platform ({@code pr-12-linux-arm64} is {@code pr-12}'s), so that it is the
     * request's own exactly when the tag it was made from is.
     */
    static String withoutPlatform(String tag) {
        for (Platform platform : Platform.SUPPORTED) {
            String suffix = "-" + platform.tagSuffix();
            if (tag.endsWith(suffix)) {
                return tag.substring(0, tag.length() - suffix.length());
            }
        }
        return tag;
    }

    /**
     * What the request's own tags look like: each of the trigger's {@code pullRequests.tags} that contains
     * {@code <+trigger.prNumber>}, with the request's number in its place and any other expression standing for any
     * text. A tag no such template makes ({@code latest}, {@code <+trigger.sourceBranch>}) may be another build's too.
     */
    static List<Pattern> ownTags(Trigger trigger, PullRequest pullRequest) {
        List<Pattern> patterns = new ArrayList<>();
        for (String template : trigger.pullRequests().tags()) {
            if (!template.contains(PR_NUMBER)) {
                continue;
            }
            StringBuilder regex = new StringBuilder();
            Matcher expression = EXPRESSION.matcher(template);
            int at = 0;
            while (expression.find()) {
                regex.append(Pattern.quote(template.substring(at, expression.start())));
                regex.append(expression.group().equals(PR_NUMBER) ? Integer.toString(pullRequest.number()) : ".+");
                at = expression.end();
            }
            regex.append(Pattern.quote(template.substring(at)));
            patterns.add(Pattern.compile(regex.toString()));
        }
        return patterns;
    }

    /** Deletes the tags the request's builds for {@code trigger} pushed, and forgets them. */
    public Cleanup closed(Trigger trigger, PullRequest pullRequest) {
        if (!tables.configured()) {
            return new Cleanup(List.of(), List.of());
        }
        PullRequestImageStore store = tables.pullRequestImages();
        String key = key(trigger, pullRequest);
        PullRequestImageStore.Recorded recorded = store.recorded(key);
        if (recorded == null || recorded.tags().isEmpty()) {
            return new Cleanup(List.of(), List.of());
        }
        Plan plan;
        try {
            plan = steps.plan(payload(trigger, pullRequest, recorded.tags().first()), TriggerType.WEBHOOK, trigger.policy(), false)
                    .plan();
        } catch (BuildPushException e) {
            return refuse(pullRequest, trigger, recorded, "the trigger's payload no longer plans (" + e.getMessage() + ")");
        }
        EcrSpec spec = plan.payload().step().spec();
        if (!spec.region().equals(recorded.region()) || !spec.account().equals(recorded.account())
                || !plan.repository().equals(recorded.repository())) {
            return refuse(pullRequest, trigger, recorded, "the trigger now pushes to " + spec.account() + "/" + spec.region() + "/"
                    + plan.repository() + ", not " + recorded.account() + "/" + recorded.region() + "/" + recorded.repository());
        }
        Region region = Region.of(spec.region());
        AwsCredentialsProvider provider = credentials.resolve(plan.credentials(), region);
        EcrClient ecr = clients.ecr(region, provider);
        List<String> tags = List.copyOf(recorded.tags());
        Set<String> gone = new TreeSet<>();
        List<String> failed = new ArrayList<>();
        for (int from = 0; from < tags.size(); from += MAX_PER_CALL) {
            List<String> batch = tags.subList(from, Math.min(tags.size(), from + MAX_PER_CALL));
            delete(ecr, recorded, batch, gone, failed);
        }
        store.forget(key, gone);
        List<String> deleted = gone.stream().map(tag -> recorded.repository() + ":" + tag).toList();
        LOG.infof("pull request #%d of %s closed: trigger %s deleted %s%s", pullRequest.number(), quote(pullRequest.repository()),
                trigger.name(), deleted, failed.isEmpty() ? "" : "; not deleted: " + failed);
        return new Cleanup(deleted, failed);
    }

    /** Deletes one call's tags; adds those gone to {@code gone} and the others, with why, to {@code failed}. */
    private static void delete(EcrClient ecr, PullRequestImageStore.Recorded recorded, List<String> batch, Set<String> gone,
            List<String> failed) {
        List<ImageIdentifier> ids = batch.stream().map(tag -> ImageIdentifier.builder().imageTag(tag).build()).toList();
        try {
            BatchDeleteImageResponse response = ecr.batchDeleteImage(r -> r.registryId(recorded.account())
                    .repositoryName(recorded.repository()).imageIds(ids));
            Set<String> notDeleted = new TreeSet<>();
            for (ImageFailure failure : response.failures()) {
                String tag = failure.imageId() == null ? null : failure.imageId().imageTag();
                if (tag == null || !batch.contains(tag)) {
                    continue;
                }
                if (failure.failureCode() == ImageFailureCode.IMAGE_NOT_FOUND) {
                    continue; // gone already: deleted by hand, or by a lifecycle policy
                }
                notDeleted.add(tag);
                failed.add(recorded.repository() + ":" + tag + ": " + failure.failureCodeAsString() + " "
                        + ErrorText.printable(String.valueOf(failure.failureReason())));
            }
            batch.stream().filter(tag -> !notDeleted.contains(tag)).forEach(gone::add);
        } catch (RepositoryNotFoundException deletedAlready) {
            gone.addAll(batch);
        } catch (SdkException e) {
            String why = ErrorText.printable(String.valueOf(e.getMessage()));
            batch.forEach(tag -> failed.add(recorded.repository() + ":" + tag + ": " + why));
        }
    }

    private static Cleanup refuse(PullRequest pullRequest, Trigger trigger, PullRequestImageStore.Recorded recorded, String why) {
        LOG.warnf("pull request #%d of %s closed: trigger %s deletes nothing: %s", pullRequest.number(),
                quote(pullRequest.repository()), trigger.name(), why);
        return new Cleanup(List.of(), recorded.tags().stream()
                .map(tag -> recorded.repository() + ":" + tag + ": not deleted: " + why).toList());
    }

    /**
     * The trigger's payload with the request's head as its codebase, which its builds had: only planned, for the
     * repository and credentials it pushes with now, never run. Its tags are one recorded tag, as it is: the push tags
     * of the payload may need what a request has not ({@code <+codebase.tag>}), and which tags it has does not change
     * where it pushes or with what.
     */
    private static ObjectNode payload(Trigger trigger, PullRequest pullRequest, String tag) {
        ObjectNode payload = trigger.payload();
        ObjectNode codebase = payload.putObject("codebase");
        codebase.put("repoUrl", pullRequest.headCloneUrl());
        codebase.put("branch", pullRequest.sourceBranch());
        if (pullRequest.headSha() != null) {
            codebase.put("commitSha", pullRequest.headSha());
        }
        if (payload.path("step").path("spec") instanceof ObjectNode spec) {
            spec.putArray("tags").add(tag);
        }
        return payload;
    }

    static String key(Trigger trigger, PullRequest pullRequest) {
        return PullRequestImageStore.key(trigger.name(), pullRequest.host(), pullRequest.repository(), pullRequest.number());
    }

    private static String quote(String text) {
        return text == null ? "(unknown)" : ErrorText.cut(ErrorText.printable(text), 100);
    }
}
