package dev.ecrpush.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ecr.model.ImageTagMutability;

import dev.ecrpush.registry.ExistingTags.Check;
import dev.ecrpush.registry.ExistingTags.Decision;
import dev.ecrpush.registry.ExistingTags.Mutability;
import dev.ecrpush.step.OnExistingTag;

/** The decision alone, on what a lookup found: the flow tests run it against the fake ECR. */
class ExistingTagsTest {
    private static final String COMMIT = "9f1c2d3e4b5a69788776655443322110ffeeddcc";
    private static final String INDEX = "sha256:" + "1".repeat(64);
    private static final String AMD = "sha256:" + "2".repeat(64);
    private static final String OTHER = "sha256:" + "3".repeat(64);
    private static final Supplier<Mutability> NEVER_ASKED = () -> fail("the mutability was read");

    private static Supplier<Mutability> mutability(ImageTagMutability setting, String... filters) {
        return () -> new Mutability(setting, List.of(filters));
    }

    @Test
    void multiPlatform_theIndexUnderTheStepsTags_isAlreadyBuilt_andThePlatformTagsDoNotNeedToExist() {
        // given: the index under both step tags, one platform's image under its own tag
        List<String> stepTags = List.of("9f1c2d3", "latest");
        List<String> pushed = List.of("9f1c2d3", "latest", "9f1c2d3-linux-amd64", "9f1c2d3-linux-arm64");
        // when
        Check check = ExistingTags.decide(OnExistingTag.SKIP, true, COMMIT, stepTags, pushed,
                Map.of("9f1c2d3", INDEX, "latest", INDEX, "9f1c2d3-linux-amd64", AMD), NEVER_ASKED, null);
        // then
        assertEquals(Decision.ALREADY_BUILT, check.decision());
        assertEquals(INDEX, check.digest());
        assertEquals(pushed, check.tags().stream().map(ExistingTags.Tag::tag).toList());
        assertNull(check.tags().get(3).digest());
    }

    @Test
    void multiPlatform_anImmutablePlatformTagThatExists_isRefused_forRebuild() {
        Check check = ExistingTags.decide(OnExistingTag.REBUILD, true, COMMIT, List.of("9f1c2d3"),
                List.of("9f1c2d3", "9f1c2d3-linux-amd64"), Map.of("9f1c2d3-linux-amd64", AMD),
                mutability(ImageTagMutability.IMMUTABLE), null);
        assertEquals(Decision.REFUSED, check.decision());
        assertTrue(check.reason().startsWith("tag \"9f1c2d3-linux-amd64\" (" + AMD + ", an image of this commit) exists and is"
                + " immutable"), check.reason());
    }

    @Test
    void tagsNamingDifferentImages_ofTheSameCommit_areNotAlreadyBuilt() {
        // given: both images are tagged as of this commit, but the step's tags do not name one image
        Check check = ExistingTags.decide(OnExistingTag.SKIP, true, COMMIT, List.of("9f1c2d3", "main-9f1c2d3"),
                List.of("9f1c2d3", "main-9f1c2d3"), Map.of("9f1c2d3", INDEX, "main-9f1c2d3", AMD),
                mutability(ImageTagMutability.MUTABLE), null);
        assertEquals(Decision.BUILD, check.decision());
        assertTrue(check.reason().startsWith("not already built: the tags do not all name one image"), check.reason());
    }

    @Test
    void theCommitsFullShaAsATag_provesTheImage_thoughNoStepTagNamesTheCommit() {
        Check check = ExistingTags.decide(OnExistingTag.SKIP, true, COMMIT, List.of("latest"), List.of("latest"),
                Map.of("latest", INDEX, COMMIT, INDEX), NEVER_ASKED, null);
        assertEquals(Decision.ALREADY_BUILT, check.decision());
        assertTrue(check.tags().get(0).ofThisCommit());
    }

    @Test
    void anotherCommitsShortSha_provesNothing() {
        // a tag of another commit's short SHA names the image: it is not this commit's
        Check check = ExistingTags.decide(OnExistingTag.SKIP, true, COMMIT, List.of("latest"), List.of("latest"),
                Map.of("latest", INDEX, "abcdef1", INDEX), mutability(ImageTagMutability.MUTABLE), null);
        assertEquals(Decision.BUILD, check.decision());
        assertFalse(check.tags().get(0).ofThisCommit());
    }

    @Test
    void aMonotonicPush_builds_whereSkipWouldAnswerAlreadyBuilt() {
        Check check = ExistingTags.decide(OnExistingTag.SKIP, false, COMMIT, List.of("9f1c2d3"), List.of("9f1c2d3"),
                Map.of("9f1c2d3", INDEX), mutability(ImageTagMutability.MUTABLE), null);
        assertEquals(Decision.BUILD, check.decision());
        assertTrue(check.reason().startsWith("a monotonic trigger's run builds to move its moving tags"), check.reason());
    }

    @Test
    void aMutabilityThatCannotBeRead_refusesNothing() {
        Check check = ExistingTags.decide(OnExistingTag.REBUILD, true, COMMIT, List.of("latest"), List.of("latest"),
                Map.of("latest", OTHER), () -> null, null);
        assertEquals(Decision.BUILD, check.decision());
        assertNull(check.tagMutability());
        assertNull(check.tags().get(0).immutable());
    }

    @Test
    void nothingFound_builds_withoutAskingTheMutability() {
        for (OnExistingTag setting : OnExistingTag.values()) {
            Check check = ExistingTags.decide(setting, true, COMMIT, List.of("latest"), List.of("latest"), Map.of(),
                    NEVER_ASKED, null);
            assertEquals(Decision.BUILD, check.decision(), setting::wire);
            assertFalse(check.worthReporting());
        }
    }

    @Test
    void exclusionFilters_areEcrWildcards() {
        Mutability immutableButDev = new Mutability(ImageTagMutability.IMMUTABLE_WITH_EXCLUSION, List.of("dev-*", "*-rc", "latest"));
        assertFalse(immutableButDev.immutable("dev-123"));
        assertFalse(immutableButDev.immutable("1.0-rc"));
        assertFalse(immutableButDev.immutable("latest"));
        assertTrue(immutableButDev.immutable("latest2"));
        assertTrue(immutableButDev.immutable("v1.0"));
        // a dot in a filter is a dot, not any character
        Mutability mutableButReleases = new Mutability(ImageTagMutability.MUTABLE_WITH_EXCLUSION, List.of("v*.*"));
        assertTrue(mutableButReleases.immutable("v1.2"));
        assertFalse(mutableButReleases.immutable("v12"));
        assertNull(new Mutability(ImageTagMutability.UNKNOWN_TO_SDK_VERSION, List.of()).immutable("x"));
    }

    @Test
    void theCommit_isUsedOnlyWhenItIsAHexSha() {
        assertEquals(COMMIT, ExistingTags.commit(COMMIT.toUpperCase(java.util.Locale.ROOT)));
        assertNull(ExistingTags.commit(null));
        assertNull(ExistingTags.commit("main"));
        assertNull(ExistingTags.commit("9f1c2d"));
        assertEquals(List.of("latest", COMMIT, "9f1c2d3"), ExistingTags.lookedUp(List.of("latest"), COMMIT));
        assertEquals(List.of("latest"), ExistingTags.lookedUp(List.of("latest"), null));
    }
}
