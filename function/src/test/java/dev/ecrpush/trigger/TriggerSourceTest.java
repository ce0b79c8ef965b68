package dev.ecrpush.trigger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.error.InternalErrorException;
import dev.ecrpush.githost.GitHostRegistry;
import dev.ecrpush.support.AwsFake;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.MutableClock;

/** The trigger set from an SSM parameter (a fake of SSM's JSON API) or a file. */
class TriggerSourceTest {
    private static final String PARAMETER = "/ecr-build-push/triggers";
    private final AwsFake aws = new AwsFake();
    private final AwsClients clients = aws.clients();
    private final MutableClock clock = new MutableClock(Instant.parse("2025-06-01T12:00:00Z"));

    @AfterEach
    void close() {
        clients.close();
        aws.close();
    }

    private TriggerSource source(String parameter, String file) {
        return new TriggerSource(clients, Fixtures.SETTINGS, new GitHostRegistry(), Fixtures.policy(), Fixtures.JSON, parameter, file,
                Duration.ofMinutes(5), clock);
    }

    private static String triggerSet() throws IOException {
        return Files.readString(Path.of("src/test/resources/triggers/plan-triggers.json"));
    }

    /** How many triggers the test set holds: each Git host's test repository adds its own. */
    private static int triggersInTheSet() throws IOException {
        return Fixtures.JSON.readTree(triggerSet()).get("triggers").size();
    }

    @Test
    void parameter_isReadWithDecryption_keptForTheRefresh_thenReadAgain() throws IOException {
        // given
        aws.stub("AmazonSSM.GetParameter", AwsFake.parameter(PARAMETER, triggerSet()));
        TriggerSource source = source(PARAMETER, null);
        // when
        TriggerSet first = source.current();
        clock.advance(Duration.ofMinutes(4));
        TriggerSet warm = source.current();
        clock.advance(Duration.ofMinutes(2));
        source.current();
        // then
        assertEquals(triggersInTheSet(), first.triggers().size());
        assertSame(first, warm);
        assertEquals(2, aws.requests("AmazonSSM.GetParameter").size());
        AwsFake.AwsRequest request = aws.requests("AmazonSSM.GetParameter").get(0);
        assertEquals(PARAMETER, request.params().get("Name"));
        assertEquals("true", request.params().get("WithDecryption"));
        assertEquals(AwsFake.FUNCTION_ACCESS_KEY, request.signedBy());
    }

    @Test
    void invalidSet_failsWithEveryProblem_asTheFunctionsOwnError() {
        aws.stub("AmazonSSM.GetParameter", AwsFake.parameter(PARAMETER,
                "{\"triggers\": [{\"name\": \"x\", \"repository\": \"acme/app\", \"branches\": [\"main\"]}]}"));
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> source(PARAMETER, null).current());
        assertEquals("the trigger set in SSM parameter /ecr-build-push/triggers is not valid: "
                + "triggers[0].payload: is required: the step payload to run (step, connectors, executor, infra)", e.getMessage());
    }

    @Test
    void missingParameter_isTheFunctionsOwnError_namingIt() {
        aws.stub("AmazonSSM.GetParameter", AwsFake.jsonError(400, "ParameterNotFound"));
        InternalErrorException e = assertThrows(InternalErrorException.class, () -> source(PARAMETER, null).current());
        assertTrue(e.getMessage().startsWith("ssm:GetParameter for the trigger set /ecr-build-push/triggers failed: ParameterNotFound"),
                e.getMessage());
    }

    @Test
    void file_isReadOnce_andNothingIsCalled(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("triggers.json"), triggerSet());
        TriggerSource source = source(null, file.toString());
        assertEquals(triggersInTheSet(), source.current().triggers().size());
        Files.writeString(file, "{\"triggers\": []}");
        clock.advance(Duration.ofHours(1));
        assertEquals(triggersInTheSet(), source.current().triggers().size());
        assertEquals(0, aws.requests().size());
    }

    @Test
    void neitherConfigured_meansNoTriggers() {
        assertSame(TriggerSet.EMPTY, source(null, null).current());
    }
}
