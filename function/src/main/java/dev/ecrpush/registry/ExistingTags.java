package dev.ecrpush.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageFailureCode;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageTagMutability;
import software.amazon.awssdk.services.ecr.model.ImageTagMutabilityExclusionFilter;
import software.amazon.awssdk.services.ecr.model.Repository;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

import dev.ecrpush.aws.AwsFailures;
import dev.ecrpush.error.BuildPushException;
import dev.ecrpush.error.RepositoryFailedException;
import dev.ecrpush.error.TagExistsException;
import dev.ecrpush.plan.Plan;
import dev.ecrpush.step.EcrSpec;
import dev.ecrpush.step.OnExistingTag;
import dev.ecrpush.trigger.MonotonicTags;

/**
 * The tags a run would push, as the target repository has them before its build starts, and what the run does
 * about them ({@link OnExistingTag}); the one place this is decided, for a run and for a preflight.
 *
 * <p>One call in the common path: {@code BatchGetImage} for the tags, with the commit's own tags (its full SHA and
 * the short one) asked for alongside, because an image is known to be built from the run's commit only by a tag
 * that names the commit ({@link MonotonicTags}'s rule: the tag contains the short SHA). A tag that does not exist is
 * a per-tag {@code ImageNotFound}, never an error of the call ({@code DescribeImages} fails as a whole instead).
 * The OCI {@code org.opencontainers.image.revision} label is not read: it is in the image's config blob, which
 * takes {@code BatchGetImage}, {@code GetDownloadUrlForLayer} and a download, and kaniko sets no such label.
 * The repository's tag mutability is read ({@code DescribeRepositories}) only on the rare path that needs it: a tag
 * exists, and the run is not already built. A repository this run has just created holds no image: no call at all.
 */
public final class ExistingTags {
    private static final Logger LOG = Logger.getLogger(ExistingTags.class);
    /** BatchGetImage takes at most this many image IDs a call. */
    private static final int BATCH = 100;

    private final EcrClient ecr;

    public ExistingTags(EcrClient ecr) {
        this.ecr = ecr;
    }

    public enum Decision {
        /** Start the build. */
        BUILD,
        /** Start nothing: every tag names one image of the run's commit ({@code ALREADY_BUILT}). */
        ALREADY_BUILT,
        /** Start nothing: {@link TagExistsException}. */
        REFUSED
    }

    /**
     * One tag the run would push.
     *
     * @param digest       the image it names now; null when it does not exist
     * @param ofThisCommit whether a tag naming the run's commit names the same image; null when the tag does not exist
     * @param immutable    whether the repository keeps it from being pushed over; null when not read (not needed)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tag(String tag, String digest, Boolean ofThisCommit, Boolean immutable) {
        @JsonIgnore
        public boolean exists() {
            return digest != null;
        }
    }

    /**
     * What was found and decided: the result's {@code checks.existingTags}.
     *
     * @param commit        the run's commit; null when the payload names none (then no image is known to be of it)
     * @param tagMutability the repository's {@code imageTagMutability}; null when not read
     * @param digest        the image every tag names, for {@link Decision#ALREADY_BUILT}
     * @param lookupFailed  true when the tags could not be read (the run then builds as before); null otherwise
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Check(String onExistingTag, String commit, String tagMutability, List<Tag> tags, Decision decision,
            String digest, String reason, Boolean lookupFailed) {
        public Check {
            tags = List.copyOf(tags);
        }

        Check(String onExistingTag, String commit, String tagMutability, List<Tag> tags, Decision decision, String digest,
                String reason) {
            this(onExistingTag, commit, tagMutability, tags, decision, digest, reason, null);
        }

        /** Whether a started run's result reports it: a tag existed, or the tags could not be read. */
        @JsonIgnore
        public boolean worthReporting() {
            return lookupFailed != null || tags.stream().anyMatch(Tag::exists);
        }
    }

    /** How the repository treats a tag pushed over. */
    record Mutability(ImageTagMutability setting, List<String> exclusionFilters) {
        /** @return null when the setting is not one this SDK knows: then nothing is refused for it */
        Boolean immutable(String tag) {
            boolean excluded = exclusionFilters.stream().anyMatch(filter -> wildcard(filter).matcher(tag).matches());
            if (setting == ImageTagMutability.MUTABLE) {
                return false;
            }
            if (setting == ImageTagMutability.IMMUTABLE) {
                return true;
            }
            if (setting == ImageTagMutability.IMMUTABLE_WITH_EXCLUSION) {
                return !excluded;
            }
            if (setting == ImageTagMutability.MUTABLE_WITH_EXCLUSION) {
                return excluded;
            }
            return null;
        }

        /** An ECR {@code WILDCARD} filter: {@code *} stands for any characters, everything else for itself. */
        static Pattern wildcard(String filter) {
            String[] parts = filter.split("\\*", -1);
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(parts[i]));
            }
            return Pattern.compile(regex.toString());
        }
    }

    /**
     * For a run: reads the tags and decides; a refusal is thrown.
     *
     * @param emptyBecause why the image's repository holds no image, so that nothing is read (this run has just created
     *                     it; a preflight found it missing); null to read the tags
     * @param skipAllowed  false for a monotonic trigger's push: its build must succeed to move the moving tags, so
     *                     {@code skip} builds as {@code rebuild} does
     * @throws TagExistsException when the decision is {@link Decision#REFUSED}
     */
    public Check requireBuildable(Plan plan, String emptyBecause, boolean skipAllowed) {
        Check check = check(plan, emptyBecause, skipAllowed);
        if (check.decision() == Decision.REFUSED) {
            throw new TagExistsException("step.spec.tags: " + check.reason());
        }
        return check;
    }

    /** The same, without throwing: what a preflight reports (and then refuses, as a run would). */
    public Check check(Plan plan, String emptyBecause, boolean skipAllowed) {
        EcrSpec spec = plan.payload().step().spec();
        OnExistingTag setting = spec.onExistingTag();
        String commit = commit(plan.payload().codebase().commitSha());
        List<String> pushed = pushedTags(plan);
        if (emptyBecause != null) {
            return decide(setting, skipAllowed, commit, spec.tags(), pushed, Map.of(), () -> null, emptyBecause);
        }
        Map<String, String> found;
        try {
            found = read(plan, lookedUp(pushed, commit));
        } catch (SdkException e) {
            BuildPushException failure = AwsFailures.repository(e, "ecr.BatchGetImage", describe(plan));
            return unread(setting, commit, pushed, failure);
        } catch (UnreadableTag e) {
            return unread(setting, commit, pushed, e.failure);
        }
        return decide(setting, skipAllowed, commit, spec.tags(), pushed, found, () -> mutability(plan), null);
    }

    /**
     * The decision, from what was found. Pure: the mutability is asked for only when a tag exists and the run is not
     * already built.
     *
     * @param stepTags   the step's tags: with {@code skip}, every one must name one image of the commit
     * @param pushed     every tag the builds would push (a multi-platform step's platform tags too)
     * @param found      each tag found, with its digest (the commit's own tags among them)
     * @param mutability null when it cannot be read
     * @param note       why nothing was read, if so
     */
    static Check decide(OnExistingTag setting, boolean skipAllowed, String commit, List<String> stepTags, List<String> pushed,
            Map<String, String> found, Supplier<Mutability> mutability, String note) {
        Set<String> commitDigests = new LinkedHashSet<>();
        if (commit != null) {
            MonotonicTags.split(List.copyOf(found.keySet()), commit).immutable().forEach(t -> commitDigests.add(found.get(t)));
        }
        List<Tag> tags = new ArrayList<>();
        for (String tag : pushed) {
            String digest = found.get(tag);
            tags.add(new Tag(tag, digest, digest == null ? null : commitDigests.contains(digest), null));
        }
        List<Tag> existing = tags.stream().filter(Tag::exists).toList();
        String wire = setting.wire();
        if (existing.isEmpty()) {
            return new Check(wire, commit, null, tags, Decision.BUILD, null, note != null ? note : "none of the tags exists");
        }
        Set<String> stepDigests = new LinkedHashSet<>();
        boolean allOfThisCommit = true;
        for (Tag tag : tags) {
            if (stepTags.contains(tag.tag())) {
                stepDigests.add(tag.digest());
                allOfThisCommit &= Boolean.TRUE.equals(tag.ofThisCommit());
            }
        }
        boolean alreadyBuilt = allOfThisCommit && stepDigests.size() == 1 && !stepDigests.contains(null);
        if (setting == OnExistingTag.SKIP && skipAllowed && alreadyBuilt) {
            String digest = stepDigests.iterator().next();
            return new Check(wire, commit, null, tags, Decision.ALREADY_BUILT, digest, "every tag names " + digest
                    + ", an image of commit " + commit + "; nothing is built");
        }
        if (setting == OnExistingTag.FAIL) {
            return new Check(wire, commit, null, tags, Decision.REFUSED, null, "onExistingTag is fail, and "
                    + listed(existing, commit) + (existing.size() == 1 ? " exists" : " exist") + " already");
        }
        Mutability read = mutability.get();
        List<Tag> judged = new ArrayList<>();
        for (Tag tag : tags) {
            judged.add(new Tag(tag.tag(), tag.digest(), tag.ofThisCommit(), read == null ? null : read.immutable(tag.tag())));
        }
        String mutabilityName = read == null ? null : read.setting() == null ? "unknown" : read.setting().toString();
        List<Tag> immutable = judged.stream().filter(t -> t.exists() && Boolean.TRUE.equals(t.immutable())).toList();
        if (!immutable.isEmpty()) {
            return new Check(wire, commit, mutabilityName, judged, Decision.REFUSED, null, listed(immutable, commit)
                    + (immutable.size() == 1 ? " exists and is immutable" : " exist and are immutable") + " in the repository"
                    + " (" + mutabilityName + "), so the build's push would be refused after the whole build"
                    + (setting == OnExistingTag.SKIP && !alreadyBuilt ? "; " + notBuiltBecause(tags, stepTags, commit) : "")
                    + "; push another tag, or delete the existing one first");
        }
        String reason = read == null
                ? "the repository's tag mutability could not be read; the build's push decides"
                : (existing.size() == 1 ? "the existing tag is mutable" : "the existing tags are mutable")
                + ": the build pushes over " + (existing.size() == 1 ? "it" : "them");
        if (setting == OnExistingTag.SKIP && alreadyBuilt) {
            reason = "a monotonic trigger's run builds to move its moving tags; " + reason;
        } else if (setting == OnExistingTag.SKIP) {
            reason = notBuiltBecause(tags, stepTags, commit) + "; " + reason;
        }
        return new Check(wire, commit, mutabilityName, judged, Decision.BUILD, null, reason);
    }

    /** Why {@code skip} builds: a tag missing, tags naming different images, or no tag naming the commit. */
    private static String notBuiltBecause(List<Tag> tags, List<String> stepTags, String commit) {
        List<String> missing = tags.stream().filter(t -> stepTags.contains(t.tag()) && !t.exists()).map(Tag::tag).toList();
        if (!missing.isEmpty()) {
            return "not already built: " + String.join(", ", missing) + (missing.size() == 1 ? " does" : " do") + " not exist";
        }
        if (commit == null) {
            return "not known to be built: the run names no commit (codebase.commitSha), so no image is known to be of it";
        }
        return "not already built: the tags do not all name one image that a tag of commit " + commit + " names";
    }

    private static String listed(List<Tag> tags, String commit) {
        List<String> each = new ArrayList<>();
        for (Tag tag : tags) {
            each.add("tag \"" + tag.tag() + "\" (" + tag.digest() + ", " + (Boolean.TRUE.equals(tag.ofThisCommit())
                    ? "an image of this commit" : commit == null ? "of a commit not known" : "not known to be of commit "
                    + commit.substring(0, MonotonicTags.SHORT)) + ")");
        }
        return String.join(", ", each);
    }

    /**
     * The lookup failed. {@code fail} cannot tell that no tag exists, so it fails with the lookup's own error; the
     * others build as they did before the lookup, and ECR's push decides, as it always has.
     */
    private static Check unread(OnExistingTag setting, String commit, List<String> pushed, BuildPushException failure) {
        if (setting == OnExistingTag.FAIL) {
            throw failure;
        }
        LOG.warnf("existing tags not read (%s); built without the check", failure.getMessage());
        return new Check(setting.wire(), commit, null, pushed.stream().map(t -> new Tag(t, null, null, null)).toList(),
                Decision.BUILD, null, "the tags could not be read (" + failure.errorType() + ": " + failure.getMessage()
                + "); built as before the check, and the push decides", true);
    }

    /** The step's tags, and a multi-platform step's platform tags, each once. */
    static List<String> pushedTags(Plan plan) {
        Set<String> tags = new LinkedHashSet<>(plan.payload().step().spec().tags());
        plan.platformBuilds().forEach(build -> tags.add(build.tag()));
        return List.copyOf(tags);
    }

    /** The pushed tags and the commit's own tags: its full SHA and the short one. */
    static List<String> lookedUp(List<String> pushed, String commit) {
        Set<String> ids = new LinkedHashSet<>(pushed);
        if (commit != null) {
            ids.add(commit);
            ids.add(commit.substring(0, MonotonicTags.SHORT));
        }
        return List.copyOf(ids);
    }

    /** The commit, in lower case, when it is a hex SHA a tag can name (at least the short form's length). */
    static String commit(String commitSha) {
        if (commitSha == null || !commitSha.matches("[0-9a-fA-F]{" + MonotonicTags.SHORT + ",64}")) {
            return null;
        }
        return commitSha.toLowerCase(Locale.ROOT);
    }

    /** Tag to digest, for every tag found. */
    private Map<String, String> read(Plan plan, List<String> tags) {
        EcrSpec spec = plan.payload().step().spec();
        Map<String, String> found = new LinkedHashMap<>();
        for (int from = 0; from < tags.size(); from += BATCH) {
            List<ImageIdentifier> ids = tags.subList(from, Math.min(tags.size(), from + BATCH)).stream()
                    .map(tag -> ImageIdentifier.builder().imageTag(tag).build()).toList();
            BatchGetImageResponse response;
            try {
                response = ecr.batchGetImage(r -> r.registryId(spec.account()).repositoryName(plan.repository()).imageIds(ids)
                        .acceptedMediaTypes(ImageIndex.MANIFEST_TYPES));
            } catch (RepositoryNotFoundException e) {
                // Deleted since it was ensured: it holds no tag, and the build's push fails as it would have.
                return Map.of();
            }
            for (Image image : response.images()) {
                if (image.imageId() != null && image.imageId().imageTag() != null) {
                    found.put(image.imageId().imageTag(), image.imageId().imageDigest());
                }
            }
            for (ImageFailure failure : response.failures()) {
                if (failure.failureCode() != ImageFailureCode.IMAGE_NOT_FOUND) {
                    String tag = failure.imageId() == null ? "?" : failure.imageId().imageTag();
                    throw new UnreadableTag(new RepositoryFailedException("ecr.BatchGetImage could not read tag \""
                            + tag + "\" of " + describe(plan) + ": " + failure.failureCodeAsString() + ": "
                            + failure.failureReason()));
                }
            }
        }
        return found;
    }

    /** The repository's tag mutability; null when it cannot be read (then nothing is refused for it). */
    private Mutability mutability(Plan plan) {
        EcrSpec spec = plan.payload().step().spec();
        try {
            Repository repository = ecr.describeRepositories(r -> r.registryId(spec.account())
                    .repositoryNames(plan.repository())).repositories().get(0);
            List<String> filters = repository.imageTagMutabilityExclusionFilters().stream()
                    .map(ImageTagMutabilityExclusionFilter::filter).toList();
            return new Mutability(repository.imageTagMutability(), filters);
        } catch (SdkException | IndexOutOfBoundsException e) {
            LOG.warnf("the tag mutability of %s could not be read (%s); the build's push decides", describe(plan), e.getMessage());
            return null;
        }
    }

    private static String describe(Plan plan) {
        EcrSpec spec = plan.payload().step().spec();
        return plan.repository() + " in " + spec.account() + "/" + spec.region();
    }

    /** A tag the lookup could not read (a KMS or upstream failure): the lookup failed. */
    private static final class UnreadableTag extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient BuildPushException failure;

        UnreadableTag(BuildPushException failure) {
            super(failure.getMessage(), null, false, false);
            this.failure = failure;
        }
    }
}
