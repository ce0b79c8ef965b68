package dev.ecrpush.executor.codebuild;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.ecrpush.error.InvalidStepException;
import dev.ecrpush.plan.Planner;
import dev.ecrpush.support.Fixtures;
import dev.ecrpush.step.ParseSettings;
import dev.ecrpush.step.StepParser;
import dev.ecrpush.step.StepPayload;
import dev.ecrpush.executor.ecs.EcsSettings;

/**
 * Which CodeBuild project a step starts on: kaniko and the docker plugins apart, by infra; a payload may name only
 * that project.
 */
class CodeBuildProjectDefaultTest {
    private static final ParseSettings TWO_PROJECTS = Fixtures.parseSettings(
            new CodeBuildSettings("builds", "builds-docker", "us-east-1", Map.of()), EcsSettings.defaults());
    private static final ParseSettings ONE_PROJECT = Fixtures.parseSettings(
            new CodeBuildSettings("builds", null, "us-east-1", Map.of()), EcsSettings.defaults());

    @ParameterizedTest(name = "{0}, executor {1}, docker project configured {2}: {3}, privilegedModeOverride {4}")
    @CsvSource({
            "K8,               ,              true,  builds,        ",
            "KubernetesDirect, ,              true,  builds,        ",
            "VM,               ,              true,  builds-docker, true",
            "Docker,           ,              true,  builds-docker, true",
            "DLITE_VM,         ,              true,  builds-docker, true",
            "VM,       builds-docker,         true,  builds-docker, true",
            "K8,       builds,                true,  builds,        ",
            "VM,               ,              false, builds,        true",
            "K8,               ,              false, builds,        false",
            "VM,       builds,                false, builds,        true",
            "VM,       arn:aws:codebuild:us-east-1:111111111111:project/builds-docker, true, builds-docker, true",
    })
    void startBuild_projectByInfra(String infra, String explicit, boolean dockerProject, String expected, Boolean privileged) {
        // given
        ObjectNode payload = Fixtures.basePayload().put("infra", infra);
        if (explicit != null) {
            payload.putObject("executor").put("type", "CodeBuild").put("project", explicit);
        }
        // when
        StepPayload parsed = StepParser.parse(payload, dockerProject ? TWO_PROJECTS : ONE_PROJECT);
        var request = ((CodeBuildLaunch) Planner.plan(parsed, Fixtures.planConfig()).launch()).request();
        // then: the configured project by its configured name; privileged mode is asked of the privileged project
        // only (with one project, that one), and left out on the unprivileged one
        assertEquals(expected, request.projectName());
        assertEquals(privileged, request.privilegedModeOverride());
    }

    @ParameterizedTest(name = "{0} naming {1}, docker project configured {2}")
    @CsvSource({
            "VM,       builds,                                                  true",
            "DLITE_VM, builds,                                                  true",
            "K8,       builds-docker,                                           true",
            "VM,       mine,                                                    true",
            "K8,       mine,                                                    false",
            "VM,       arn:aws:codebuild:eu-west-1:111111111111:project/builds-docker, true",
            "VM,       builds docker,                                           true",
    })
    void executorProject_otherThanTheInfrasProject_isAProblemNamingIt(String infra, String named, boolean dockerProject) {
        // given
        ObjectNode payload = Fixtures.basePayload().put("infra", infra);
        payload.putObject("executor").put("type", "CodeBuild").put("project", named);
        // when
        InvalidStepException e = assertThrows(InvalidStepException.class,
                () -> StepParser.parse(payload, dockerProject ? TWO_PROJECTS : ONE_PROJECT));
        // then
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("executor.project: "), e.problems().get(0));
    }
}
