package dev.ecrpush.executor.codebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.plan.Planner;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.executor.ecs.EcsSettings;

/** Which CodeBuild project a payload without {@code executor.project} starts on: kaniko and the docker plugins apart. */
class CodeBuildProjectDefaultTest {
    private static final ParseSettings TWO_PROJECTS = Fixtures.parseSettings(
            new CodeBuildSettings("builds", "builds-docker", "us-east-1", Map.of()), EcsSettings.defaults());
    private static final ParseSettings ONE_PROJECT = Fixtures.parseSettings(
            new CodeBuildSettings("builds", null, "us-east-1", Map.of()), EcsSettings.defaults());

    @ParameterizedTest(name = "{0}, executor {1}, docker project configured {2}: {3}")
    @CsvSource({
            "K8,               , true,  builds,        false",
            "KubernetesDirect, , true,  builds,        false",
            "VM,               , true,  builds-docker, true",
            "Docker,           , true,  builds-docker, true",
            "DLITE_VM,         , true,  builds-docker, true",
            "VM,       mine,     true,  mine,          true",
            "K8,       mine,     true,  mine,          false",
            "VM,               , false, builds,        true",
    })
    void startBuild_projectByInfra(String infra, String explicit, boolean dockerProject, String expected, boolean privileged) {
        // given
        ObjectNode payload = Fixtures.basePayload().put("infra", infra);
        if (explicit != null) {
            payload.putObject("executor").put("type", "CodeBuild").put("project", explicit);
        }
        // when
        StepPayload parsed = StepParser.parse(payload, dockerProject ? TWO_PROJECTS : ONE_PROJECT);
        var request = ((CodeBuildLaunch) Planner.plan(parsed, Fixtures.planConfig()).launch()).request();
        // then: the privileged project gets exactly the builds that ask for privileged mode
        assertEquals(expected, request.projectName());
        assertEquals(privileged, request.privilegedModeOverride());
    }
}
