package dev.ecrpush.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.launch.ScanSummary;
import dev.ecrpush.step.ScanGate;
import dev.ecrpush.support.AwsFake;

/**
 * Every scan status ECR answers, read by a real ECR client from the fake's {@code DescribeImageScanFindings} (the
 * answers in {@code scans/}) and judged: what waits, what passes, what fails, and when the timeout ends the wait.
 */
class ScanStatusesTest {
    static final AwsFake AWS = new AwsFake();
    static final String DESCRIBE = AwsFake.ECR + "DescribeImageScanFindings";
    static final String DIGEST = "sha256:" + "d".repeat(64);
    static final Instant STARTED = Instant.parse("2026-11-30T10:00:00Z");
    static final ScanGate HIGH = new ScanGate(ScanGate.Severity.HIGH, false, Duration.ofMinutes(30), false);

    @BeforeEach
    void reset() {
        AWS.reset();
    }

    @AfterAll
    static void close() {
        AWS.close();
    }

    static String resource(String name) {
        try (InputStream in = ScanStatusesTest.class.getResourceAsStream("/scans/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String status(String status) {
        return resource("describe-status.json").replace("STATUS", status).replace("DESCRIPTION", "what ECR says of " + status);
    }

    static ScanReading read(boolean ignoreUnfixed) {
        return new ImageScans(AWS.ecr(Region.US_EAST_1)).read("123456789012", "acme/app", DIGEST, ignoreUnfixed);
    }

    static ScanJudge.Decision judge(ScanGate gate, ScanReading reading, Duration after) {
        return ScanJudge.decide(gate, reading, STARTED, STARTED.plus(after));
    }

    @ParameterizedTest
    @ValueSource(strings = {"IN_PROGRESS", "PENDING"})
    void aScanUnderWay_waits_untilTheTimeoutFailsIt(String status) {
        // given
        AWS.reply(DESCRIBE, status(status));
        // when
        ScanReading reading = read(false);
        // then
        assertEquals(new ScanReading.Pending(status, "what ECR says of " + status), reading);
        ScanJudge.Decision early = judge(HIGH, reading, Duration.ofMinutes(29));
        assertInstanceOf(ScanJudge.Decision.Wait.class, early);
        assertEquals(ScanSummary.State.SCANNING, early.summary().state());
        ScanJudge.Decision late = judge(HIGH, reading, Duration.ofMinutes(30));
        assertInstanceOf(ScanJudge.Decision.Fail.class, late);
        assertTrue(late.summary().reason().startsWith("timeout: "), late.summary().reason());
        // and the request is ECR's, for the digest the build pushed, in the target registry
        JsonNode request = AWS.bodies(DESCRIBE).get(0);
        assertEquals("123456789012", request.get("registryId").asText());
        assertEquals("acme/app", request.get("repositoryName").asText());
        assertEquals(DIGEST, request.at("/imageId/imageDigest").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"FAILED", "UNSUPPORTED_IMAGE", "SCAN_ELIGIBILITY_EXPIRED", "FINDINGS_UNAVAILABLE", "LIMIT_EXCEEDED",
        "A_STATUS_NOT_YET_INVENTED"})
    void aStatusTheGateCannotJudgeOn_failsItClosed_atOnce(String status) {
        // given
        AWS.reply(DESCRIBE, status(status));
        // when
        ScanJudge.Decision decision = judge(HIGH, read(false), Duration.ofSeconds(5));
        // then
        assertInstanceOf(ScanJudge.Decision.Fail.class, decision);
        assertEquals(ScanSummary.State.FAILED, decision.summary().state());
        assertTrue(decision.summary().reason().contains(status), decision.summary().reason());
    }

    @Test
    void noScanYet_waits_andAtTheTimeout_failsSayingScanningMayBeOff() {
        // given
        AWS.fail(DESCRIBE, 400, "ScanNotFoundException", "Image scan does not exist for the image with 'sha256:ddd'");
        // when
        ScanReading reading = read(false);
        // then
        assertInstanceOf(ScanReading.NotFound.class, reading);
        assertInstanceOf(ScanJudge.Decision.Wait.class, judge(HIGH, reading, Duration.ofMinutes(1)));
        ScanJudge.Decision late = judge(HIGH, reading, Duration.ofMinutes(31));
        assertInstanceOf(ScanJudge.Decision.Fail.class, late);
        assertTrue(late.summary().reason().contains("scan on push, or enhanced scanning"), late.summary().reason());
    }

    @Test
    void ecrNotAnswering_waits_andTheTimeoutNamesTheLastError() {
        // given
        AWS.fail(DESCRIBE, 400, "AccessDeniedException", "not authorized to perform: ecr:DescribeImageScanFindings");
        // when
        ScanReading reading = read(false);
        // then
        assertInstanceOf(ScanJudge.Decision.Wait.class, judge(HIGH, reading, Duration.ofMinutes(1)));
        assertTrue(judge(HIGH, reading, Duration.ofHours(1)).summary().reason().contains("AccessDeniedException"));
    }

    @Test
    void basicCounts_coverTheImage_oneRequest_andACriticalAboveHighFails_namingEveryCount() {
        // given
        AWS.reply(DESCRIBE, resource("describe-basic-complete.json"));
        // when
        ScanReading reading = read(true);
        ScanGate highFixable = new ScanGate(ScanGate.Severity.HIGH, true, Duration.ofMinutes(30), false);
        ScanJudge.Decision decision = judge(highFixable, reading, Duration.ofSeconds(10));
        // then: the counts are the image's (no second page is read)
        assertEquals(1, AWS.bodies(DESCRIBE).size());
        assertInstanceOf(ScanJudge.Decision.Fail.class, decision);
        assertEquals(counts(1, 2, 0, 4, 0, 0), decision.summary().counts());
        assertEquals("COMPLETE", decision.summary().scanStatus());
        assertTrue(decision.summary().reason().startsWith("findings above HIGH: 1 CRITICAL (CRITICAL 1, HIGH 2, MEDIUM 0, LOW 4,"),
                decision.summary().reason());
        // and ignoreUnfixed cannot apply to basic findings, which have no fix data: said so
        assertTrue(decision.summary().reason().contains("basic scanning reports no fix data"), decision.summary().reason());
        // and with CRITICAL as the bar, the same scan passes
        ScanGate critical = new ScanGate(ScanGate.Severity.CRITICAL, false, Duration.ofMinutes(30), false);
        assertInstanceOf(ScanJudge.Decision.Pass.class, judge(critical, reading, Duration.ofSeconds(10)));
    }

    @Test
    void enhancedFindings_arePaged_suppressedOnesLeftOut_andIgnoreUnfixedLeavesOutThoseWithoutAFix() {
        // given: two pages, the second asked for by the first's nextToken
        AWS.reply(DESCRIBE, resource("describe-enhanced-active-page-1.json"));
        AWS.replyWhenBodyContains(DESCRIBE, "enhanced-page-2", AwsFake.json(resource("describe-enhanced-active-page-2.json")));
        // when
        ScanReading fixable = read(true);
        ScanReading all = read(false);
        // then
        assertEquals("enhanced-page-2", AWS.bodies(DESCRIBE).get(1).get("nextToken").asText());
        assertEquals(4, AWS.bodies(DESCRIBE).size());
        // counted with ignoreUnfixed: HIGH (YES) and MEDIUM (PARTIAL); CRITICAL and UNTRIAGED (NO) left out
        ScanReading.Findings counted = (ScanReading.Findings) fixable;
        assertTrue(counted.enhanced());
        assertEquals(2, counted.ignoredUnfixed());
        assertEquals(counts(0, 1, 1, 0, 0, null), counted.counts());
        ScanJudge.Decision passes = judge(HIGH, fixable, Duration.ofMinutes(2));
        assertInstanceOf(ScanJudge.Decision.Pass.class, passes);
        assertEquals("ACTIVE", passes.summary().scanStatus());
        assertEquals(2, passes.summary().ignoredUnfixed());
        // and without it the CRITICAL, and the UNTRIAGED (ranked as CRITICAL), fail the gate
        Map<String, Integer> every = counts(1, 1, 1, 0, 0, null);
        every.put("UNTRIAGED", 1);
        assertEquals(every, ((ScanReading.Findings) all).counts());
        ScanJudge.Decision fails = judge(HIGH, all, Duration.ofMinutes(2));
        assertInstanceOf(ScanJudge.Decision.Fail.class, fails);
        assertTrue(fails.summary().reason().contains("1 CRITICAL, 1 UNTRIAGED"), fails.summary().reason());
    }

    @Test
    void completeWithNoFindingsYet_isBelievedOnlyAfterTheSettleTime() {
        // given: Inspector's COMPLETE before its findings exist (aws/aws-sdk #289)
        AWS.reply(DESCRIBE, resource("describe-enhanced-complete-empty.json"));
        // when
        ScanReading reading = read(false);
        // then
        ScanJudge.Decision early = judge(HIGH, reading, ScanJudge.SETTLE.minusSeconds(1));
        assertInstanceOf(ScanJudge.Decision.Wait.class, early);
        assertEquals("COMPLETE", early.summary().scanStatus());
        assertInstanceOf(ScanJudge.Decision.Pass.class, judge(HIGH, reading, ScanJudge.SETTLE));
    }

    @Test
    void aBarOfNone_failsOnAnyFinding_evenInformational() {
        // given
        AWS.reply(DESCRIBE, resource("describe-basic-low-only.json"));
        ScanGate none = new ScanGate(ScanGate.Severity.NONE, false, Duration.ofMinutes(30), false);
        // when
        ScanReading reading = read(false);
        // then
        ScanJudge.Decision decision = judge(none, reading, Duration.ofMinutes(1));
        assertInstanceOf(ScanJudge.Decision.Fail.class, decision);
        assertTrue(decision.summary().reason().contains("3 LOW, 5 INFORMATIONAL"), decision.summary().reason());
        assertInstanceOf(ScanJudge.Decision.Pass.class, judge(HIGH, reading, Duration.ofMinutes(1)));
        assertNull(decision.summary().untagged());
    }

    @Test
    void moreFindingsThanTheFunctionReads_failClosed() {
        // given: every page names a next one
        AWS.reply(DESCRIBE, resource("describe-enhanced-active-page-1.json").replace("enhanced-page-2", "again"));
        // when
        ScanReading reading = read(false);
        // then
        assertEquals(ImageScans.MAX_PAGES, AWS.bodies(DESCRIBE).size());
        ScanGate critical = new ScanGate(ScanGate.Severity.CRITICAL, false, Duration.ofMinutes(30), false);
        ScanJudge.Decision decision = judge(critical, reading, Duration.ZERO);
        assertInstanceOf(ScanJudge.Decision.Fail.class, decision);
        assertTrue(decision.summary().reason().contains("TOO_MANY_FINDINGS"), decision.summary().reason());
    }

    private static Map<String, Integer> counts(int critical, int high, int medium, int low, int informational, Integer undefined) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        List.of("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL").forEach(s -> counts.put(s, 0));
        counts.put("CRITICAL", critical);
        counts.put("HIGH", high);
        counts.put("MEDIUM", medium);
        counts.put("LOW", low);
        counts.put("INFORMATIONAL", informational);
        if (undefined != null) {
            counts.put("UNDEFINED", undefined);
        }
        return counts;
    }
}
