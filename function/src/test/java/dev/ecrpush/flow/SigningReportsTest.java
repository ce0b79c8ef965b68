package dev.ecrpush.flow;

import static dev.ecrpush.support.AwsFake.ECR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.config.ServiceConfig;
import dev.ecrpush.credentials.CredentialsResolver;
import dev.ecrpush.idempotency.IdempotencyTables;
import dev.ecrpush.idempotency.PlatformBuildStore;
import dev.ecrpush.launch.BuildStatusResult;
import dev.ecrpush.launch.BuildStatusResult.Status;
import dev.ecrpush.launch.SigningStatus;
import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.registry.SigningProfile;
import dev.ecrpush.step.Platform;
import dev.ecrpush.support.AwsFake;

/** The signing status a status request reports, with real ECR clients against the fake. */
class SigningReportsTest {
    private static final AwsFake AWS = new AwsFake();
    private static final String PROFILE = "arn:aws:signer:eu-west-1:123456789012:/signing-profiles/builds_prod";
    private static final String INDEX = "sha256:" + "cd".repeat(32);

    private final AwsClients clients = AWS.clients();
    private final CredentialsResolver credentials = new CredentialsResolver(clients, Clock.systemUTC(), Duration.ofMinutes(15));
    private final IdempotencyTables noTable = tables(Optional.empty());
    private final PlatformBuildStore.Group group = new PlatformBuildStore.Group("b-amd", List.of(
            new PlatformBuildStore.Member(Platform.LINUX_AMD64, "b-amd", "t-linux-amd64"),
            new PlatformBuildStore.Member(Platform.LINUX_ARM64, "b-arm", "t-linux-arm64")),
            new PlatformBuildStore.Target("123456789012", "eu-west-1", "acme/app", List.of("t"),
                    new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), null)), INDEX);

    @BeforeEach
    void reset() {
        AWS.reset();
        AWS.reply(ECR + "DescribeImageSigningStatus", "{\"signingStatuses\":[{\"signingProfileArn\":\"" + PROFILE
                + "\",\"status\":\"COMPLETE\"}]}");
    }

    @AfterAll
    static void stop() {
        AWS.close();
    }

    @Test
    void report_multiPlatformWhole_asksForTheIndexInTheGroupsTarget() {
        // given
        SigningReports reports = new SigningReports(clients, credentials, noTable, SigningProfile.parse(PROFILE));
        // when
        BuildStatusResult result = reports.report("b-amd", succeeded(INDEX), group);
        // then
        assertEquals(new SigningStatus(PROFILE, SigningStatus.State.COMPLETE, null, null), result.signing());
        JsonNode asked = AWS.bodies(ECR + "DescribeImageSigningStatus").get(0);
        assertEquals("123456789012", asked.get("registryId").asText());
        assertEquals("acme/app", asked.get("repositoryName").asText());
        assertEquals(INDEX, asked.at("/imageId/imageDigest").asText());
        assertEquals("eu-west-1", AWS.requests(ECR + "DescribeImageSigningStatus").get(0).signingRegion());
    }

    @Test
    void report_noSigningConfigured_asksNothingAndAddsNothing() {
        // given
        SigningReports reports = new SigningReports(clients, credentials, noTable, (SigningProfile) null);
        BuildStatusResult succeeded = succeeded(INDEX);
        // when
        BuildStatusResult result = reports.report("b-amd", succeeded, group);
        // then
        assertSame(succeeded, result);
        assertEquals(List.of(), AWS.calls());
    }

    @Test
    void report_singleBuildWithoutATable_isNotCheckedAndAsksNothing() {
        // given
        SigningReports reports = new SigningReports(clients, credentials, noTable, SigningProfile.parse(PROFILE));
        // when
        BuildStatusResult result = reports.report("b-1", succeeded("sha256:" + "ef".repeat(32)), null);
        // then
        assertEquals(SigningStatus.State.NOT_CHECKED, result.signing().status());
        assertEquals(List.of(), AWS.calls());
    }

    @Test
    void report_failedBuild_hasNoSigning() {
        // given
        SigningReports reports = new SigningReports(clients, credentials, noTable, SigningProfile.parse(PROFILE));
        // when
        BuildStatusResult result = reports.report("b-1", new BuildStatusResult("b-1", Status.FAILED, "BUILD", List.of(), null, "x"),
                null);
        // then
        assertNull(result.signing());
        assertEquals(List.of(), AWS.calls());
    }

    @Test
    void succeededWith_keepsTheSigning() {
        BuildStatusResult signed = succeeded(INDEX).withSigning(SigningStatus.notChecked(PROFILE, "why"));
        assertEquals(signed.signing(), signed.succeededWith(List.of("r/a:t")).signing());
    }

    private static BuildStatusResult succeeded(String digest) {
        return new BuildStatusResult("b-amd", Status.SUCCEEDED, "COMPLETED", List.of(), digest, null);
    }

    private IdempotencyTables tables(Optional<String> table) {
        ServiceConfig.Idempotency config = mock(ServiceConfig.Idempotency.class);
        when(config.table()).thenReturn(table);
        return new IdempotencyTables(clients, config);
    }
}
