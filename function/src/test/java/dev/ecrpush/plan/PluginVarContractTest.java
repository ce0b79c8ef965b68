package dev.ecrpush.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;

import dev.ecrpush.support.Fixtures;
import dev.ecrpush.support.Repo;

/**
 * Issue 11: {@link PluginVar} is the contract the mapper emits through: each variable goes only to the plugins
 * that read it, encoded as they split it.
 */
class PluginVarContractTest {
    @Test
    void builder_variableThePluginDoesNotRead_isRefused() {
        // given
        PluginEnv.Builder ecr = PluginEnv.builder(Plugin.ECR);
        // when
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ecr.put(PluginVar.SNAPSHOT_MODE, "redo"));
        // then
        assertEquals("PLUGIN_SNAPSHOT_MODE is not read by ECR (PluginVar.SNAPSHOT_MODE)", e.getMessage());
        assertThrows(IllegalStateException.class, () -> ecr.put(PluginVar.METADATA_FILE, "buildx-metadata.json"));
        assertThrows(IllegalStateException.class,
                () -> PluginEnv.builder(Plugin.KANIKO_ECR).putNamedSecret(PluginVar.SECRETS_FROM_ENV, "DOCKER_SECRET_X", null));
    }

    @Test
    void builder_listVariable_isEncodedAsThePluginSplitsIt() {
        // given
        PluginEnv env = PluginEnv.builder(Plugin.BUILDX_ECR)
                .put(PluginVar.TAGS, List.of("9f1c2d3", "latest"))
                .put(PluginVar.CACHE_FROM, List.of("type=registry,ref=r/a", "type=registry,ref=r/b"))
                .put(PluginVar.BUILD_ARGS, List.of())
                .build();
        // then
        assertEquals("9f1c2d3,latest", env.plain().get("PLUGIN_TAGS"));
        assertEquals("type=registry,ref=r/a;type=registry,ref=r/b", env.plain().get("PLUGIN_CACHE_FROM"));
        assertTrue(!env.plain().containsKey("PLUGIN_BUILD_ARGS"), "an empty list is no variable");
        assertEquals(List.of("9f1c2d3", "latest"), PluginVar.TAGS.encoding().decode(" 9f1c2d3, ,latest"));
        assertThrows(IllegalStateException.class, () -> PluginEnv.builder(Plugin.ECR).put(PluginVar.TAGS, "a,b"));
        assertThrows(IllegalStateException.class, () -> PluginEnv.builder(Plugin.ECR).put(PluginVar.DAEMON_OFF, "yes"));
    }

    /** Every fixture's environment holds table variables its plugin reads, the secrets they name, and the user's own. */
    @TestFactory
    Stream<DynamicTest> everyPlannedVariable_isReadByThePlansPlugin() {
        return Stream.concat(Fixtures.files("plans").stream(), Stream.of(Repo.path("events/plan-all-inputs.json")))
                .map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
                    JsonNode fixture = Fixtures.read(file);
                    JsonNode payload = fixture.has("payload") ? fixture.get("payload") : fixture;
                    Plan plan = Fixtures.plan(payload);
                    Set<String> user = new HashSet<>();
                    payload.at("/step/spec/envVariables").fieldNames().forEachRemaining(user::add);
                    Set<String> emitted = new HashSet<>(plan.env().plain().keySet());
                    emitted.addAll(plan.env().secret().keySet());
                    for (String name : emitted) {
                        PluginVar var = byName().get(name);
                        if (user.contains(name) || (var == null && name.startsWith("DOCKER_SECRET_"))) {
                            continue;
                        }
                        assertTrue(var != null, name + " is no PluginVar");
                        assertTrue(var.isReadBy(plan.plugin()), name + " is emitted for " + plan.plugin() + ", which does not read it");
                    }
                }));
    }

    private static Map<String, PluginVar> byName() {
        return Stream.of(PluginVar.values()).collect(java.util.stream.Collectors.toMap(PluginVar::variable, v -> v));
    }
}
