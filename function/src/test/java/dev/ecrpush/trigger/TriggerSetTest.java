package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ecrpush.githost.Push;
import dev.ecrpush.support.Fixtures;

class TriggerSetTest {
    private static final Trigger APP = new Trigger("app", "github", "acme/app",
            List.of(RefPattern.of("main"), RefPattern.of("release/*")), List.of(RefPattern.of("v*")), List.of("nightly"),
            Fixtures.JSON.createObjectNode());
    private static final Trigger ANY_HOST = new Trigger("any-host", null, "acme/app", List.of(RefPattern.of("main")),
            List.of(), List.of(), Fixtures.JSON.createObjectNode());
    private static final TriggerSet SET = new TriggerSet(List.of(APP, ANY_HOST));

    private static Push push(String host, String repository, Push.Ref.Kind kind, String ref) {
        return new Push(host, repository, "https://example.com/" + repository + ".git", new Push.Ref(kind, ref), "abc1234");
    }

    @Test
    void branchPush_matchesEveryTriggerOfTheRepositoryWithAMatchingPattern() {
        assertEquals(new TriggerSet.Match.Matched(List.of(APP, ANY_HOST)),
                SET.match(push("github", "acme/app", Push.Ref.Kind.BRANCH, "main")));
        assertEquals(new TriggerSet.Match.Matched(List.of(APP)),
                SET.match(push("github", "Acme/App", Push.Ref.Kind.BRANCH, "release/2.0")));
    }

    @Test
    void tagPush_matchesTagPatternsOnly() {
        assertEquals(new TriggerSet.Match.Matched(List.of(APP)), SET.match(push("github", "acme/app", Push.Ref.Kind.TAG, "v2.0.0")));
        assertEquals(new TriggerSet.Match.NoMatch("no trigger of acme/app matches tag main"),
                SET.match(push("github", "acme/app", Push.Ref.Kind.TAG, "main")));
    }

    @Test
    void anotherProvider_matchesOnlyTriggersWithoutOne() {
        assertEquals(new TriggerSet.Match.Matched(List.of(ANY_HOST)),
                SET.match(push("gitlab", "acme/app", Push.Ref.Kind.BRANCH, "main")));
    }

    @Test
    void noMatch_saysWhy() {
        assertEquals(new TriggerSet.Match.NoMatch("no trigger watches github repository acme/other"),
                SET.match(push("github", "acme/other", Push.Ref.Kind.BRANCH, "main")));
        assertEquals(new TriggerSet.Match.NoMatch("no trigger of acme/app matches branch feature/x"),
                SET.match(push("github", "acme/app", Push.Ref.Kind.BRANCH, "feature/x")));
    }

    @Test
    void scheduledBy_findsTheTriggersNamingTheRule() {
        assertEquals(List.of(APP), SET.scheduledBy("nightly"));
        assertEquals(List.of(), SET.scheduledBy("weekly"));
    }
}
