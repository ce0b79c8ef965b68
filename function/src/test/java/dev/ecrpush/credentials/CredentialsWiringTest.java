package dev.ecrpush.credentials;

import static org.junit.jupiter.api.Assertions.assertSame;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.regions.Region;

import dev.ecrpush.aws.AwsClients;
import dev.ecrpush.plan.CredentialsPlan;
import io.quarkus.test.junit.QuarkusTest;

/** The resolver and the client factory as the application injects them, built from the shipped configuration. */
@QuarkusTest
class CredentialsWiringTest {
    @Inject
    CredentialsResolver resolver;

    @Inject
    AwsClients clients;

    @Test
    void resolve_functionRoleInTheApplication_isTheFactorysOwnProviderUnresolved() {
        // given
        CredentialsPlan plan = new CredentialsPlan(new CredentialsPlan.Base.FunctionRole(), null);

        // when
        var provider = resolver.resolve(plan, Region.US_EAST_1);

        // then: the default chain is handed over, not asked, so the test machine's own credentials never matter
        assertSame(clients.functionCredentials(), provider);
    }
}
