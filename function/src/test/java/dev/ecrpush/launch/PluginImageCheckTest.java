package dev.ecrpush.launch;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import dev.ecrpush.error.LaunchFailedException;
import dev.ecrpush.plan.PlanConfig;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.support.Fixtures;

class PluginImageCheckTest {
    @Test
    void require_unbuiltDefaultKanikoImage_isALaunchFailureNamingTheKey() {
        // given: issue 10: the default names no registry, so it would be pulled from Docker Hub
        var plan = Planner.plan(Fixtures.parse(Fixtures.basePayload()), Fixtures.planConfig());
        // when
        LaunchFailedException e = assertThrows(LaunchFailedException.class, () -> PluginImageCheck.require(plan));
        // then
        assertTrue(e.getMessage().startsWith("buildpush.plugins.kaniko-ecr-image is not set: "), e.getMessage());
    }

    @Test
    void require_theImageTheStackPinned_passes() {
        // given
        PlanConfig defaults = Fixtures.planConfig();
        PlanConfig config = defaults.withImages(new PlanConfig.PluginImages(
                "111111111111.dkr.ecr.us-east-1.amazonaws.com/ecr-build-push/kaniko-ecr@sha256:" + "5".repeat(64),
                defaults.images().ecr(), defaults.images().buildxEcr(), null));
        var plan = Planner.plan(Fixtures.parse(Fixtures.basePayload()), config);
        // when / then
        assertDoesNotThrow(() -> PluginImageCheck.require(plan));
    }

    @Test
    void require_dockerPlugins_needNoBuiltImage() {
        // given
        var plan = Planner.plan(Fixtures.parse(Fixtures.basePayload().put("infra", "VM")), Fixtures.planConfig());
        // when / then
        assertDoesNotThrow(() -> PluginImageCheck.require(plan));
    }
}
