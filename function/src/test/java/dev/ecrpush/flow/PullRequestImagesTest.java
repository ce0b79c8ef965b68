package dev.ecrpush.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.ecrpush.githost.PullRequest;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.trigger.PullRequestOptions;
import dev.ecrpush.trigger.RefPattern;
import dev.ecrpush.trigger.Trigger;
import dev.ecrpush.trigger.TriggerEvent;

/** Which of a pull request build's tags are the request's own, and so deleted when it is closed. */
class PullRequestImagesTest {
    private static final PullRequest PR = new PullRequest("github", "acme/app", 12, "acme/app", "https://github.com/acme/app.git",
            "feature-12", "main", "3f2a9c1e0b4d5a6978877665544332211ffeedcc", "octocat", null);

    private static List<String> own(List<String> templates, String... tags) {
        Trigger trigger = new Trigger("app", null, "acme/app", List.of(RefPattern.of("main")), List.of(), List.of(),
                Fixtures.JSON.createObjectNode(), null, null, false, Set.of(TriggerEvent.PULL_REQUEST),
                new PullRequestOptions(templates, List.of(), List.of(), List.of()), null, false);
        List<Pattern> patterns = PullRequestImages.ownTags(trigger, PR);
        return List.of(tags).stream().filter(tag -> patterns.stream().anyMatch(p -> p.matcher(tag).matches())).toList();
    }

    @Test
    void theDefaultTags_areTheRequestsOwn_andNoOtherRequestsOrPushs() {
        assertEquals(List.of("pr-12", "pr-12-3f2a9c1"), own(PullRequestOptions.DEFAULT_TAGS, "pr-12", "pr-12-3f2a9c1", "pr-120",
                "pr-1", "pr-1-3f2a9c1", "latest", "main-3f2a9c1", "feature-12", "xpr-12", "pr-12-"));
    }

    @Test
    void onlyTemplatesWithThePrNumber_makeTagsOfTheRequestsOwn() {
        List<String> templates = List.of("<+trigger.sourceBranch>", "latest", "mr<+trigger.prNumber>.<+trigger.targetBranch>",
                "v1.2.<+trigger.prNumber>");
        assertEquals(List.of("mr12.main", "v1.2.12"), own(templates, "feature-12", "latest", "mr12.main", "v1.2.12", "v1.2.13",
                "mr12", "mr.12.main"));
    }
}
