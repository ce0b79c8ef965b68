package dev.ecrpush.launch;

import static dev.ecrpush.support.AwsFake.SSM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.MutableClock;

/** The OIDC token stashes deleted at their build's end and swept by age, with the real SSM client against the fake. */
class StashCleanupTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String PREFIX = "/ecr-build-push/oidc-tokens/";
    private static final String STASH = PREFIX + "0123456789abcdef0123456789abcdef";
    private static final Instant NOW = Instant.parse("2025-06-03T12:00:00Z");

    private MutableClock clock;
    private StashCleanup cleanup;

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(SSM + "DeleteParameter", "{}");
        AWS.reply(SSM + "DescribeParameters", "{\"Parameters\": []}");
        clock = new MutableClock(NOW);
        cleanup = new StashCleanup(AWS.clients(), PREFIX, Duration.ofHours(48), clock);
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    private static BuildStatusResult build(Status status, StashedParameter... parameters) {
        return new BuildStatusResult("ecr-build-push:0b6c5f1e-0000-4000-8000-000000000001", status, "COMPLETED", List.of(), null,
                null, List.of(parameters));
    }

    private static List<String> deleted() {
        return AWS.bodies(SSM + "DeleteParameter").stream().map(body -> body.get("Name").asText()).toList();
    }

    @Test
    void endedBuild_deletesItsStashUnderThePrefix_inItsRegion_andNoOtherParameter() {
        // when
        cleanup.buildEnded(build(Status.FAILED, new StashedParameter("eu-west-1", STASH),
                new StashedParameter("eu-west-1", "/ci/docker-password")));
        // then
        assertEquals(List.of(STASH), deleted());
        assertEquals("eu-west-1", AWS.requests(SSM + "DeleteParameter").get(0).signingRegion());
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, AWS.requests(SSM + "DeleteParameter").get(0).signedBy());
    }

    @Test
    void buildNotEnded_deletesNothing() {
        cleanup.buildEnded(build(Status.IN_PROGRESS, new StashedParameter("eu-west-1", STASH)));
        cleanup.buildEnded(build(Status.QUEUED, new StashedParameter("eu-west-1", STASH)));
        assertEquals(List.of(), AWS.operations());
    }

    @Test
    void stashAlreadyGone_isNoFailure() {
        AWS.fail(SSM + "DeleteParameter", 400, "ParameterNotFound", "not found");
        cleanup.buildEnded(build(Status.SUCCEEDED, new StashedParameter("eu-west-1", STASH)));
        assertEquals(List.of(STASH), deleted());
    }

    @Test
    void sweep_listsNamesAndDatesUnderThePrefix_andDeletesOnlyStashesOlderThanTheMaximumAge() {
        // given: one stash from three days ago, one from an hour ago, in two pages
        AWS.replyWhenBodyContains(SSM + "DescribeParameters", "\"Path\"", AwsFake.json("""
                {"Parameters": [{"Name": "%sold", "Type": "SecureString", "LastModifiedDate": %d}],
                 "NextToken": "page-2"}""".formatted(PREFIX, NOW.minus(Duration.ofDays(3)).getEpochSecond())));
        AWS.replyWhenBodyContains(SSM + "DescribeParameters", "page-2", AwsFake.json("""
                {"Parameters": [{"Name": "%syoung", "Type": "SecureString", "LastModifiedDate": %d}]}"""
                .formatted(PREFIX, NOW.minus(Duration.ofHours(1)).getEpochSecond())));
        // when
        cleanup.buildEnded(build(Status.SUCCEEDED, new StashedParameter("eu-west-1", STASH)));
        // then
        assertEquals(List.of(STASH, PREFIX + "old"), deleted());
        JsonNode describe = AWS.bodies(SSM + "DescribeParameters").get(0);
        assertEquals("Path", describe.at("/ParameterFilters/0/Key").asText());
        assertEquals("/ecr-build-push/oidc-tokens", describe.at("/ParameterFilters/0/Values/0").asText());
        assertFalse(AWS.requests().stream().anyMatch(r -> r.operation().contains("GetParameter")), "a sweep read a value");
    }

    @Test
    void sweep_runsAtMostOnceAnIntervalPerRegion() {
        cleanup.buildEnded(build(Status.SUCCEEDED, new StashedParameter("eu-west-1", STASH)));
        cleanup.buildEnded(build(Status.SUCCEEDED, new StashedParameter("eu-west-1", STASH)));
        assertEquals(1, AWS.requests(SSM + "DescribeParameters").size());
        clock.advance(StashCleanup.SWEEP_INTERVAL.plusSeconds(1));
        cleanup.buildEnded(build(Status.SUCCEEDED, new StashedParameter("eu-west-1", STASH)));
        assertEquals(2, AWS.requests(SSM + "DescribeParameters").size());
    }

    @Test
    void onlyAnEventMentioningThePrefix_hasTheBuildReadBack() throws Exception {
        JsonNode withStash = Fixtures.JSON.readTree("{\"detail\": {\"additional-information\": {\"environment\": "
                + "{\"environment-variables\": [{\"name\": \"PLUGIN_OIDC_TOKEN_ID\", \"type\": \"PARAMETER_STORE\", \"value\": \""
                + STASH + "\"}]}}}}");
        assertTrue(cleanup.mayConcern(withStash));
        assertFalse(cleanup.mayConcern(Fixtures.JSON.readTree("{\"detail\": {\"build-status\": \"SUCCEEDED\"}}")));
    }
}
