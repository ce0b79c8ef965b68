package dev.ecrpush.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

import dev.ecrpush.registry.RepositoryDefaults;

/** The configuration as Lambda's environment gives it, read through the same mapping as the function. */
class ServiceConfigTest {

    private static ServiceConfig config(Map<String, String> environment) {
        // Quarkus' own converter reads durations such as 15m, as the deployed function does.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(ServiceConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter())
                .withSources(new EnvConfigSource(environment, 300)).build();
        return config.getConfigMapping(ServiceConfig.class);
    }

    @Test
    void tagMutability_isReadAsItsEnum() {
        assertEquals(RepositoryDefaults.TagMutability.IMMUTABLE,
                config(Map.of("BUILDPUSH_REPOSITORY_TAG_MUTABILITY", "IMMUTABLE")).repository().tagMutability());
        assertEquals(RepositoryDefaults.TagMutability.MUTABLE, config(Map.of()).repository().tagMutability());
    }

    /** A typo is refused when the function starts, naming the key, instead of at the first repository created. */
    @Test
    void tagMutability_notOneOfTheValues_stopsTheStart_namingTheKey() {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> config(Map.of("BUILDPUSH_REPOSITORY_TAG_MUTABILITY", "IMMUTABLE_EXCEPT_LATEST")));
        assertTrue(e.getMessage().contains("buildpush.repository.tag-mutability"), e.getMessage());
    }

    @Test
    void webhookLimits_defaultAndAsSet() {
        assertEquals(10, config(Map.of()).webhooks().maxBuildsPerDelivery());
        assertEquals(Duration.ofSeconds(30), config(Map.of()).webhooks().secretFailureTtl());
        assertEquals(3, config(Map.of("BUILDPUSH_WEBHOOKS_MAX_BUILDS_PER_DELIVERY", "3")).webhooks().maxBuildsPerDelivery());
        assertEquals(Duration.ofMinutes(1),
                config(Map.of("BUILDPUSH_WEBHOOKS_SECRET_FAILURE_TTL", "1m")).webhooks().secretFailureTtl());
    }

    /** A limit under 1 would make every delivery build nothing: refused when the function starts, naming the key. */
    @Test
    void maxBuildsPerDelivery_underOne_stopsTheStart_namingTheKey() {
        for (String value : new String[] {"0", "-5", "ten"}) {
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> config(Map.of("BUILDPUSH_WEBHOOKS_MAX_BUILDS_PER_DELIVERY", value)).webhooks().maxBuildsPerDelivery());
            assertTrue(e.getMessage().contains("buildpush.webhooks.max-builds-per-delivery"), value + ": " + e.getMessage());
        }
    }
}
